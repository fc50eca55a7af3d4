"""The page that asks for the second factor before privileged work, and the guard in
front of allauth's authenticator enrolment."""

from urllib.parse import urlencode

from allauth.mfa.totp.views import ActivateTOTPView
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from . import second_factor


def safe_next(request: HttpRequest, default: str = "/") -> str:
    candidate = request.GET.get("next", "")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def second_factor_page(
    request: HttpRequest, *, next_url: str, area: str = "", status: int = 403
) -> TemplateResponse:
    """What to do to enter a privileged area: confirm with the authenticator, or set one up
    (privileged accounts first confirm a code sent to their verified address)."""
    has_factor = is_mfa_enabled(request.user)
    activate_url = f"{reverse('mfa_activate_totp')}?{urlencode({'next': next_url})}"
    response = TemplateResponse(
        request,
        "accounts/second_factor_required.html",
        {
            "area": area,
            "next": next_url,
            "user_has_mfa": has_factor,
            "expired": has_factor and second_factor.second_factor_at(request) is not None,
            "confirm_url": f"{reverse('mfa_reauthenticate')}?{urlencode({'next': next_url})}",
            "activate_url": activate_url,
            "idle_minutes": settings.PRIVILEGED_SESSION_IDLE_MINUTES,
            "max_hours": settings.PRIVILEGED_SESSION_MAX_HOURS,
            "needs_email_proof": not has_factor
            and not second_factor.may_enrol_second_factor(request),
        },
    )
    response.status_code = status
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def second_factor_required(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request, default=reverse("wagtailadmin_home"))
    if second_factor.privileged_session(request) is second_factor.PrivilegedSession.VALID:
        return HttpResponseRedirect(next_url)
    return second_factor_page(request, next_url=next_url, status=200)


_activate_totp = ActivateTOTPView.as_view()


@login_required
def activate_totp(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """allauth's enrolment, behind one more check: a privileged account proves it reads its
    verified address (a code by email) first, so a stolen password alone cannot enrol the
    attacker's authenticator app."""
    if not second_factor.may_enrol_second_factor(request):
        query = urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(f"{reverse('account_request_reauthentication_code')}?{query}")
    return _activate_totp(request, *args, **kwargs)
