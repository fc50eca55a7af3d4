"""Who may enter the coordinator area: the organisation's own coordinators (and platform
administrators), signed in with a second factor. Every coordinator view is wrapped here."""

from functools import wraps

from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse

from . import selectors
from .models import Organisation


def private(response: HttpResponse) -> HttpResponse:
    """Pages and files with people's data stay out of shared caches and out of the
    back-forward cache of a shared computer."""
    response["Cache-Control"] = "no-store"
    return response


def coordinator_area(view):
    """Wrap a view taking (request, organisation, ...): anonymous visitors go to the login,
    anyone who does not coordinate this organisation gets a 404 (its people stay invisible,
    and so does whether the address exists), and a coordinator without a second factor in
    this session is asked to set one up or confirm it first."""

    @wraps(view)
    def wrapped(request: HttpRequest, slug: str, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        organisation = get_object_or_404(Organisation, slug=slug)
        if not selectors.may_coordinate(request.user, organisation):
            raise Http404
        if not selectors.session_used_mfa(request):
            response = TemplateResponse(
                request,
                "organisations/mfa_required.html",
                {
                    "organisation": organisation,
                    "next": request.get_full_path(),
                    "user_has_mfa": is_mfa_enabled(request.user),
                },
            )
            response.status_code = 403
            return response
        return view(request, organisation, *args, **kwargs)

    return wrapped
