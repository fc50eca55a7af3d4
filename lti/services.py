"""What a validated resource-link launch does: who the person is on Signaal (an account
linked to the platform's issuer and subject), their membership of the platform's own
organisation, the module they land on and where its grade goes."""

import hashlib
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.api import owners_of_addresses
from accounts.models import User
from courses.models import ModulePage
from organisations.api import ensure_member

from .models import LtiIdentity, Platform, ResourceLaunch
from .roster import request_sync

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
# Where a launch names its module: a custom parameter (deep linking sets it) or the
# target link's query (?module=<id>).
MODULE_PARAMETER = "signaal_module"


@dataclass(frozen=True)
class Person:
    """Who a launch is: an account, or an existing account to link after consent."""

    user: User | None
    link_candidate_id: int | None = None


def module_of(claims: dict) -> ModulePage | None:
    custom = claims.get(CLAIM + "custom") or {}
    value = str(custom.get(MODULE_PARAMETER, ""))
    if not value:
        query = parse_qs(urlsplit(claims.get(CLAIM + "target_link_uri", "")).query)
        value = (query.get("module") or [""])[0]
    if not value.isdigit():
        return None
    return ModulePage.objects.live().filter(pk=int(value)).first()


def person_for(platform: Platform, claims: dict) -> Person:
    """The account linked to (issuer, subject); else, when the launch's email is an
    address someone verified on Signaal, that account as a candidate to link (the person
    confirms: never silently); else a new account."""
    identity = (
        LtiIdentity.objects.select_related("user")
        .filter(issuer=platform.issuer, subject=claims["sub"])
        .first()
    )
    if identity is not None:
        return Person(user=identity.user)
    email = (claims.get("email") or "").strip().lower()
    owner = owners_of_addresses([email]).get(email) if email else None
    if owner is not None:
        return Person(user=None, link_candidate_id=owner)
    return Person(user=create_account(platform, claims))


def _placeholder_email(platform: Platform, subject: str) -> str:
    digest = hashlib.sha256(f"{platform.issuer} {subject}".encode()).hexdigest()[:20]
    return f"lms-{digest}@lms.signaal.invalid"


@transaction.atomic
def create_account(platform: Platform, claims: dict) -> User:
    """A new account for a person an LMS launched: no password (they come through the
    LMS), their LMS address when nobody uses it on Signaal yet (it is not verified by
    us), else a placeholder."""
    name = claims.get("name") or " ".join(
        part for part in (claims.get("given_name"), claims.get("family_name")) if part
    )
    email = (claims.get("email") or "").strip().lower()
    if not email or User.objects.filter(email__iexact=email).exists():
        email = _placeholder_email(platform, claims["sub"])
    user = User.objects.create_user(email=email, password=None, full_name=name[:200] or "-")
    LtiIdentity.objects.create(
        platform=platform, issuer=platform.issuer, subject=claims["sub"], user=user
    )
    return user


def link_account(platform: Platform, subject: str, user: User) -> LtiIdentity:
    """Link (issuer, subject) to the account the person signed in to and confirmed."""
    try:
        with transaction.atomic():
            return LtiIdentity.objects.create(
                platform=platform, issuer=platform.issuer, subject=subject, user=user
            )
    except IntegrityError:
        return LtiIdentity.objects.get(issuer=platform.issuer, subject=subject)


@transaction.atomic
def record_launch(*, platform: Platform, user: User, claims: dict, module) -> ResourceLaunch:
    """The person's membership of the platform's organisation (only that one), the
    launch's resource link with its line item, for the grade, and a sync of the course's
    member list when the platform has it switched on."""
    ensure_member(user=user, organisation=platform.organisation, role=platform.member_role)
    ags = claims.get(AGS_CLAIM) or {}
    resource_link = claims.get(CLAIM + "resource_link") or {}
    context = claims.get(CLAIM + "context") or {}
    launch, _ = ResourceLaunch.objects.update_or_create(
        platform=platform,
        user=user,
        resource_link_id=str(resource_link.get("id", ""))[:255],
        defaults={
            "module": module,
            "subject": claims["sub"],
            "deployment_id": claims[CLAIM + "deployment_id"],
            "context_title": str(context.get("title", ""))[:255],
            "lineitem_url": str(ags.get("lineitem", ""))[:500],
            "ags_scopes": list(ags.get("scope") or []),
            "launched_at": timezone.now(),
        },
    )
    # The course's member list, in the background, when the platform syncs it.
    request_sync(platform, claims)
    return launch
