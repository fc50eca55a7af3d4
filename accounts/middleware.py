"""The person's language, and the session guard: a password alone opens nothing that the
second factor protects, whatever route made the session."""

from urllib.parse import urlencode

from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from . import second_factor
from .languages import language_for_request

ADMIN_PREFIX = "/beheer/"
# Leaving the admin needs no second factor.
ADMIN_EXEMPT = ("/beheer/logout/", "/beheer/login/")
# Set once per session when its account had no second factor: later requests skip the
# lookup. A factor enrolled in this session (allauth's activation) sets it too.
CHECKED_KEY = "signaal_second_factor_checked"


class SecondFactorMiddleware:
    """1. A signed-in session of an account with a second factor that never passed it (only
    a login outside allauth's flow makes one) is ended and sent to the login.
    2. The Wagtail admin shows personal data (people, certificates, the audit log), so every
    admin page needs a second factor passed recently in this session (ASVS 4.3.1); anyone
    else is sent to the page that asks for it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response = self._guard(request)
            if response is not None:
                return response
        return self.get_response(request)

    def _guard(self, request: HttpRequest) -> HttpResponse | None:
        if request.session.get(CHECKED_KEY) != request.user.pk:
            if second_factor.session_lacks_second_factor(request):
                logout(request)
                return redirect_to_login(request.get_full_path())
            if second_factor.second_factor_at(request) is None:
                request.session[CHECKED_KEY] = request.user.pk
        path = request.path_info
        if (
            path.startswith(ADMIN_PREFIX)
            and not path.startswith(ADMIN_EXEMPT)
            and request.user.has_perm("wagtailadmin.access_admin")
        ):
            state = second_factor.enter_privileged_area(request)
            if state is not second_factor.PrivilegedSession.VALID:
                query = urlencode({"next": request.get_full_path()})
                return HttpResponseRedirect(f"{reverse('second_factor_required')}?{query}")
        return None


class PreferredLanguageMiddleware:
    """Activates the language a person chose: their account setting when logged in, else
    the language cookie, else Dutch. The browser's Accept-Language is deliberately not
    used: Signaal is Dutch first, English only when asked for."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = language_for_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        # The language depends on the cookie or the session's user.
        patch_vary_headers(response, ["Cookie"])
        return response
