"""'Sign in with your organisation': the address decides the organisation's IdP, and the
person is sent there."""

from __future__ import annotations

import logging

import requests
from allauth.account.utils import get_next_redirect_url
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.openid_connect import views as allauth_oidc_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import selectors
from .adapter import refused
from .forms import OrganisationSignInForm

logger = logging.getLogger(__name__)


def _to_identity_provider(request: HttpRequest, identity_provider) -> HttpResponse:
    app = SocialApp.objects.filter(provider_id=identity_provider.key).first()
    if app is None:
        return refused(request, _("This sign-in service is not (or no longer) in use."))
    provider = app.get_provider(request)
    try:
        response = provider.redirect(
            request, process="login", next_url=get_next_redirect_url(request)
        )
    except (requests.RequestException, OAuth2Error, OSError, ValueError, KeyError) as error:
        # The discovery document (OIDC) or metadata (SAML) could not be read.
        return _unreachable(request, identity_provider, error)
    # Our CSP lets forms post to this site only, and browsers hold the redirects after a
    # form's post to that too: so the address form's answer is a page that moves on to the
    # IdP by itself (a refresh, with a link for when it does not), not a redirect.
    page = render(
        request,
        "identity/continue.html",
        {"identity_provider": identity_provider, "url": response["Location"]},
    )
    page["Cache-Control"] = "no-store"
    return page


def _unreachable(request: HttpRequest, identity_provider, error: Exception) -> HttpResponse:
    # With the trace: a misconfiguration (a bad metadata document) looks the same to people.
    logger.warning(
        "organisation sign-in service unreachable",
        exc_info=error,
        extra={"identity_provider": identity_provider.key, "error": type(error).__name__},
    )
    return refused(
        request,
        _(
            "%(provider)s does not answer right now, so you cannot sign in through it. "
            "Try again in a few minutes; if it keeps failing, tell your IT department."
        )
        % {"provider": identity_provider.name},
        status=503,
        provider=identity_provider,
    )


def oidc_callback(request: HttpRequest, provider_id: str) -> HttpResponse:
    """allauth's OpenID Connect callback, which reads the IdP's discovery document before it
    catches network errors: an IdP that went down after the person signed in there gets the
    same clear page instead of a server error."""
    try:
        return allauth_oidc_views.callback(request, provider_id)
    except requests.RequestException as error:
        identity_provider = selectors.provider_by_key(provider_id)
        if identity_provider is None:
            raise
        return _unreachable(request, identity_provider, error)


@require_http_methods(["GET", "POST"])
def organisation_sign_in(request: HttpRequest) -> HttpResponse:
    form = OrganisationSignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        return _to_identity_provider(request, form.identity_provider)
    response = render(
        request,
        "identity/sign_in.html",
        {"form": form, "next": get_next_redirect_url(request) or ""},
        status=400 if form.errors else 200,
    )
    response["Cache-Control"] = "no-store"
    return response
