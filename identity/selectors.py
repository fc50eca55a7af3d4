"""Reads: which organisation sign-in service covers an address, and which one a SocialApp
(allauth's provider id) belongs to."""

from __future__ import annotations

from .models import IdentityProvider


def domain_of(email: str) -> str:
    return email.rpartition("@")[2].strip().lower()


def provider_for_email(email: str) -> IdentityProvider | None:
    """The active sign-in service whose domains include the address's domain. Domains are
    unique across services (IdentityProvider.clean), so there is at most one."""
    domain = domain_of(email)
    if not domain:
        return None
    for provider in IdentityProvider.objects.filter(active=True).select_related("organisation"):
        if domain in provider.domains:
            return provider
    return None


def required_provider_for_email(email: str) -> IdentityProvider | None:
    """The sign-in service that an address must use instead of a password, if any."""
    provider = provider_for_email(email)
    return provider if provider is not None and provider.required else None


def provider_by_key(key: str | None) -> IdentityProvider | None:
    """Our record for allauth's provider id (a SocialAccount's `provider`)."""
    if not key:
        return None
    return IdentityProvider.objects.select_related("organisation").filter(key=key).first()


def covers(provider: IdentityProvider, email: str) -> bool:
    return domain_of(email) in provider.domains
