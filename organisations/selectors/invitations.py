"""Reads about invitations: the open ones for a person, and the organisation's daily limit."""

import datetime

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts import api as accounts
from accounts.models import User
from organisations.models import (
    Invitation,
    Organisation,
)


def invitations_to(user: User) -> QuerySet[Invitation]:
    """Every invitation (open, used or expired) sent to one of the person's verified
    addresses (an address they only signed up with may be someone else's): THE way
    organisations finds what was sent to a person, in any letter case."""
    addresses = accounts.verified_addresses(user)
    if not addresses:
        return Invitation.objects.none()
    query = Q()
    for address in addresses:
        query |= Q(email__iexact=address)
    return Invitation.objects.filter(query)


def open_invitations_for(user: User) -> QuerySet[Invitation]:
    """Invitations to this person's verified addresses that can still be accepted: listed
    on 'Mijn leren', so someone who signed up after being invited finds the way back."""
    if not user.is_authenticated:
        return Invitation.objects.none()
    return (
        invitations_to(user)
        .filter(accepted_at__isnull=True, expires_at__gt=timezone.now())
        .select_related("organisation", "team", "role")
        .order_by("expires_at")
    )


def invitations_sent_today(organisation: Organisation) -> int:
    """Invitations the organisation sent today (local time): single, imported and sent
    again, as the audit log records each (`INVITED`)."""
    from organisations.models import AuditAction, AuditLogEntry

    midnight = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate(), datetime.time.min)
    )
    return AuditLogEntry.objects.filter(
        organisation=organisation, action=AuditAction.INVITED, at__gte=midnight
    ).count()


def invitations_left_today(organisation: Organisation) -> int:
    """How many more invitations the organisation may send today
    (INVITATIONS_PER_ORGANISATION_PER_DAY)."""
    limit = settings.INVITATIONS_PER_ORGANISATION_PER_DAY
    return max(0, limit - invitations_sent_today(organisation))
