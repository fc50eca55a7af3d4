"""Writes and hooks: mirror each IdentityProvider into the allauth SocialApp that does the
protocol work, just-in-time membership after a sign-in, and the IdP's assurance as the
second factor for its own organisation's coordinator area."""

from __future__ import annotations

import logging

from allauth.socialaccount.models import SocialApp
from django.conf import settings

from organisations.api import join_through_sign_in

from . import selectors
from .models import IdentityProvider

logger = logging.getLogger(__name__)


# Where SAML IdPs usually put what we read (the first present wins): a uid, the address,
# whether it is verified, and the name. The role attribute is read from all attributes.
SAML_ATTRIBUTES = {
    "uid": [
        "uid",
        "urn:oasis:names:tc:SAML:attribute:subject-id",
        "urn:oid:0.9.2342.19200300.100.1.1",
    ],
    "email": [
        "email",
        "mail",
        "urn:oid:0.9.2342.19200300.100.1.3",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
    ],
    "email_verified": ["email_verified", "http://schemas.auth0.com/email_verified"],
    "name": [
        "name",
        "displayName",
        "urn:oid:2.16.840.1.113730.3.1.241",
        "http://schemas.microsoft.com/identity/claims/displayname",
    ],
}


def _saml_idp(provider: IdentityProvider) -> dict:
    if not provider.saml_metadata_xml:
        # allauth reads (and caches) the metadata from the URL when someone signs in.
        return {"entity_id": provider.saml_entity_id, "metadata_url": provider.saml_metadata_url}
    # allauth takes no metadata document, only its parts.
    from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

    idp = OneLogin_Saml2_IdPMetadataParser.parse(
        provider.saml_metadata_xml, entity_id=provider.saml_entity_id
    ).get("idp", {})
    return {
        "entity_id": provider.saml_entity_id,
        "sso_url": idp.get("singleSignOnService", {}).get("url", ""),
        "x509cert": idp.get("x509cert", ""),
    }


def social_app_settings(provider: IdentityProvider) -> dict:
    if provider.protocol == IdentityProvider.Protocol.OIDC:
        # PKCE on: the code is useless to whoever intercepts it.
        return {"server_url": provider.discovery_url, "oauth_pkce_enabled": True}
    return {
        "idp": _saml_idp(provider),
        "attribute_mapping": SAML_ATTRIBUTES,
        "advanced": {
            "strict": True,
            "want_assertion_signed": True,
            # Host names without a dot (localhost) only where we run locally or test.
            "allow_single_label_domains": settings.DEBUG or getattr(settings, "TESTING", False),
        },
    }


def sync_social_app(provider: IdentityProvider) -> SocialApp | None:
    """One SocialApp per provider, keyed by its `key` (allauth's provider id); an inactive
    provider has none, so its sign-in addresses answer 404."""
    apps = SocialApp.objects.filter(provider_id=provider.key)
    if not provider.active:
        apps.delete()
        return None
    app = apps.first() or SocialApp(provider_id=provider.key)
    app.provider = provider.protocol
    app.name = provider.name[:40]
    # allauth's SAML provider takes the organisation's slug as the client id (in its URLs).
    app.client_id = provider.client_id if provider.protocol == "openid_connect" else provider.key
    app.secret = provider.client_secret
    app.settings = social_app_settings(provider)
    app.save()
    return app


def on_provider_saved(sender, instance: IdentityProvider, **kwargs) -> None:
    sync_social_app(instance)


def on_provider_deleted(sender, instance: IdentityProvider, **kwargs) -> None:
    SocialApp.objects.filter(provider_id=instance.key).delete()


def claim_value(data: dict, claim: str) -> str | None:
    """A claim (OIDC: userinfo or ID token) or attribute (SAML: lists of values)."""
    if not claim:
        return None
    for source in (data.get("userinfo"), data.get("id_token"), data):
        if isinstance(source, dict) and claim in source:
            value = source[claim]
            if isinstance(value, list | tuple):
                value = value[0] if value else None
            return None if value is None else str(value)
    return None


def on_user_logged_in(sender, request, user, sociallogin=None, **kwargs) -> None:
    """After a sign-in through an organisation's IdP: membership of that organisation (and
    no other), with the role its claim names or the default."""
    if sociallogin is None:
        return
    provider = selectors.provider_by_key(sociallogin.account.provider)
    if provider is None:
        return
    _membership, created = join_through_sign_in(
        user=user,
        organisation_id=provider.organisation_id,
        role_value=claim_value(sociallogin.account.extra_data or {}, provider.role_claim),
        default_role_id=provider.default_role_id,
        via=provider.key,
    )
    if created:
        logger.info("joined through sign-in", extra={"identity_provider": provider.key})


def assures_second_factor(record: dict, scope) -> bool:
    """accounts.second_factor asks: does this sign-in (allauth's record) count as the second
    factor in `scope` (an organisation's id)? Only a sign-in through that organisation's own
    IdP, and only when the organisation says the IdP enforces MFA."""
    if record.get("method") != "socialaccount":
        return False
    provider = selectors.provider_by_key(record.get("provider"))
    return (
        provider is not None
        and provider.active
        and provider.enforces_mfa
        and provider.organisation_id == scope
    )
