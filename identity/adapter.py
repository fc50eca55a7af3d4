"""allauth's social account hooks for organisation sign-in: only the organisation's own
domains, only verified addresses, and a clear page for every refusal."""

from __future__ import annotations

import logging

import requests
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base import AuthError
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from django.shortcuts import render
from django.utils.translation import gettext as _

from . import selectors

logger = logging.getLogger(__name__)


def refused(request, reason: str, *, status: int = 403, provider=None):
    """The one page for a refused organisation sign-in: what happened and what to do."""
    response = render(
        request,
        "identity/refused.html",
        {"reason": reason, "identity_provider": provider},
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response


def _primary_address(sociallogin):
    addresses = sociallogin.email_addresses
    return next((a for a in addresses if a.primary), addresses[0] if addresses else None)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def pre_social_login(self, request, sociallogin) -> None:
        provider = selectors.provider_by_key(sociallogin.account.provider)
        if provider is None or not provider.active:
            raise ImmediateHttpResponse(
                refused(request, _("This sign-in service is not (or no longer) in use."))
            )
        address = _primary_address(sociallogin)
        if address is None:
            logger.warning("sign-in refused: no address", extra={"identity_provider": provider.key})
            raise ImmediateHttpResponse(
                refused(
                    request,
                    _(
                        "%(provider)s did not tell us your email address, so we cannot sign "
                        "you in. Ask your IT department to release the 'email' claim to Signaal."
                    )
                    % {"provider": provider.name},
                    provider=provider,
                )
            )
        if not selectors.covers(provider, address.email):
            # An IdP vouches only for its own organisation's addresses: one that asserts an
            # address of another domain must not reach (or create) that account.
            logger.warning("sign-in refused: domain", extra={"identity_provider": provider.key})
            raise ImmediateHttpResponse(
                refused(
                    request,
                    _(
                        "%(provider)s may only sign in addresses of %(domains)s; it sent "
                        "another address. Sign in with your own organisation's service or "
                        "with your password."
                    )
                    % {"provider": provider.name, "domains": ", ".join(provider.domains)},
                    provider=provider,
                )
            )
        if (
            sociallogin.state.get("process") == "connect"
            and request.user.is_authenticated
            and not request.user.emailaddress_set.filter(
                email__iexact=address.email, verified=True
            ).exists()
        ):
            # Connecting from 'Mijn account': only the person's own verified work address, so
            # nobody ties a colleague's organisation account (and membership) to their own.
            raise ImmediateHttpResponse(
                refused(
                    request,
                    _(
                        "You can only link the organisation account of an address that is "
                        "verified on your Signaal account."
                    ),
                    provider=provider,
                )
            )
        if not address.verified:
            logger.warning("sign-in refused: unverified", extra={"identity_provider": provider.key})
            raise ImmediateHttpResponse(
                refused(
                    request,
                    _(
                        "%(provider)s did not confirm that your email address is verified, so "
                        "we cannot link it to a Signaal account. Ask your IT department."
                    )
                    % {"provider": provider.name},
                    provider=provider,
                )
            )

    def can_authenticate_by_email(self, sociallogin, email: str) -> bool:
        # Linking to an existing account by address: only a verified address (allauth passes
        # only those) of a domain the organisation's IdP covers.
        provider = selectors.provider_by_key(sociallogin.account.provider)
        return provider is not None and selectors.covers(provider, email)

    def is_open_for_signup(self, request, sociallogin) -> bool:
        # An organisation's IdP creates the account of its staff (pre_social_login has
        # checked domain and verification).
        return selectors.provider_by_key(sociallogin.account.provider) is not None

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        name = data.get("name") or " ".join(
            part for part in (data.get("first_name"), data.get("last_name")) if part
        )
        user.full_name = (name or "").strip()[:200]
        return user

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ) -> None:
        record = selectors.provider_by_key(
            getattr(getattr(provider, "app", None), "provider_id", None)
        )
        name = record.name if record else _("your organisation's sign-in service")
        if error == AuthError.CANCELLED:
            return
        if isinstance(exception, requests.RequestException):
            reason = _(
                "%(provider)s does not answer right now, so you cannot sign in through it. "
                "Try again in a few minutes; if it keeps failing, tell your IT department."
            ) % {"provider": name}
            status = 503
        elif isinstance(exception, OAuth2Error) and "id_token" in str(exception):
            reason = _(
                "%(provider)s sent an answer that was not meant for Signaal (wrong audience) "
                "or that we could not verify, so you are not signed in. Tell your IT "
                "department that the sign-in service is misconfigured."
            ) % {"provider": name}
            status = 403
        else:
            reason = _(
                "Signing in through %(provider)s did not succeed, so you are not signed in. "
                "Try again; if it keeps failing, tell your IT department."
            ) % {"provider": name}
            status = 403
        logger.warning(
            "organisation sign-in failed",
            extra={"error": str(error), "exception": type(exception).__name__},
        )
        raise ImmediateHttpResponse(refused(request, reason, status=status, provider=record))
