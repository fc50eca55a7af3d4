"""Invitations: inviting (or refreshing), the daily limit, the email, withdrawing and
accepting."""

import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from accounts import api as accounts
from accounts.models import User
from core.mail import compose, forget_queued_email, send_or_queue_each
from organisations.models import (
    AuditAction,
    Invitation,
    Membership,
    Organisation,
    Role,
    Team,
)
from organisations.selectors.invitations import invitations_left_today
from organisations.services.audit import record_audit
from organisations.services.memberships import (
    MembershipError,
    current_membership,
    lock_organisation,
    team_of,
)

INVITATION_VALID_DAYS = 14


class InvitationLimitReached(MembershipError):
    """The organisation would send more invitations today than it may
    (INVITATIONS_PER_ORGANISATION_PER_DAY); the message says how many are left."""


def check_invitation_limit(organisation: Organisation, count: int, *, single: bool) -> None:
    """Refuse `count` more invitations today beyond the organisation's daily limit. Called
    with the organisation locked (lock_organisation), so two
    requests cannot both take the last ones."""
    left = invitations_left_today(organisation)
    if count <= left:
        return
    limit = settings.INVITATIONS_PER_ORGANISATION_PER_DAY
    if single:
        message = ngettext(
            "Your organisation can send %(limit)s invitation a day; there are %(left)s left "
            "today. Try again tomorrow.",
            "Your organisation can send %(limit)s invitations a day; there are %(left)s left "
            "today. Try again tomorrow.",
            limit,
        )
    else:
        message = ngettext(
            "This import would send %(count)s invitation, but your organisation can send "
            "%(limit)s a day and has %(left)s left today. Import fewer rows, or the rest "
            "tomorrow.",
            "This import would send %(count)s invitations, but your organisation can send "
            "%(limit)s a day and has %(left)s left today. Import fewer rows, or the rest "
            "tomorrow.",
            count,
        )
    raise InvitationLimitReached(message % {"count": count, "limit": limit, "left": left})


class InvitationError(ValueError):
    """An invitation that cannot be accepted: `reason` is "used", "expired",
    "wrong_account" or "unverified" (the account has the address but has not verified it)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# What inviting an address again changes (the link, `token`, stays the same).
REFRESHED_FIELDS = [
    "full_name",
    "team",
    "role",
    "is_coordinator",
    "started_on",
    "invited_by",
    "expires_at",
]


def invitation_expiry(now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()) + datetime.timedelta(days=INVITATION_VALID_DAYS)


def set_invitation_details(
    invitation: Invitation,
    *,
    full_name: str,
    team: Team | None,
    role: Role,
    is_coordinator: bool,
    invited_by: User | None,
    expires_at: datetime.datetime,
    started_on: datetime.date | None = None,
) -> None:
    """THE way an invitation is filled in or refreshed (a single invitation and the import):
    new details and expiry; an empty name or start date keeps the one it had. Not saved
    (the import saves many at once: REFRESHED_FIELDS)."""
    invitation.full_name = full_name or invitation.full_name
    invitation.team = team
    invitation.role = role
    invitation.is_coordinator = is_coordinator
    invitation.started_on = started_on or invitation.started_on
    invitation.invited_by = invited_by
    invitation.expires_at = expires_at


def _prepare_invitation(
    *,
    organisation: Organisation,
    email: str,
    role: Role,
    invited_by: User | None,
    full_name: str = "",
    team: Team | None = None,
    is_coordinator: bool = False,
) -> tuple[Invitation, bool]:
    """Create the invitation, or refresh the open one for this address (new details, and
    valid for another INVITATION_VALID_DAYS). Returns it and whether it was refreshed."""
    existing = (
        Invitation.objects.select_for_update()
        .filter(organisation=organisation, email=email, accepted_at__isnull=True)
        .first()
    )
    invitation = existing or Invitation(organisation=organisation, email=email)
    set_invitation_details(
        invitation,
        full_name=full_name,
        team=team,
        role=role,
        is_coordinator=is_coordinator,
        invited_by=invited_by,
        expires_at=invitation_expiry(),
    )
    invitation.full_clean(exclude=["token", "invited_by"])
    invitation.save()
    return invitation, existing is not None


def invitation_url(invitation: Invitation, *, base_url: str | None = None) -> str:
    base = (base_url or settings.WAGTAILADMIN_BASE_URL).rstrip("/")
    return base + reverse("organisations:accept_invitation", args=[invitation.token])


def _invitation_message(invitation: Invitation, *, base_url: str | None):
    """The invitation email, in Dutch unless the invited person is known to prefer English.
    Known: the person who verified the address; an account that only signed up with it may
    be anyone's, and must not choose the greeting or the language."""
    owner = accounts.owners_of_addresses([invitation.email]).get(invitation.email.lower())
    known = User.objects.filter(pk=owner).first() if owner else None
    language = known.preferred_language if known else settings.LANGUAGE_CODE
    context = {
        "invitation": invitation,
        "organisation": invitation.organisation,
        "inviter": invitation.invited_by,
        "url": invitation_url(invitation, base_url=base_url),
        "name": known.full_name if known else invitation.full_name,
    }
    return compose(
        to=invitation.email,
        language=language,
        template="organisations/email/invitation",
        context=context,
    )


def invitation_email_key(invitation: Invitation) -> str:
    """The queue key of an invitation's email: inviting again replaces a queued one."""
    return f"invitation:{invitation.pk}"


def send_invitation_emails(invitations: list[Invitation], *, base_url: str | None = None) -> int:
    """Send the invitations over one connection; returns how many were sent now. One the
    mail server does not take is queued and sent again later (`core.mail.send_queued_
    emails`); inviting the address again replaces a queued invitation, never adds one."""
    if not invitations:
        return 0
    return send_or_queue_each(
        [
            (
                _invitation_message(invitation, base_url=base_url),
                invitation_email_key(invitation),
            )
            for invitation in invitations
        ],
        kind="organisations/invitation",
    )


@transaction.atomic
def invite(
    *,
    organisation: Organisation,
    email: str,
    role: Role,
    invited_by: User,
    full_name: str = "",
    team: Team | None = None,
    is_coordinator: bool = False,
    base_url: str | None = None,
) -> Invitation:
    """Invite an address to join the organisation with this team and role, and email the
    link (after the transaction commits). Inviting an address with an open invitation
    refreshes that invitation. A current member cannot be invited (change their membership
    instead)."""
    email = User.objects.normalize_email(email).strip().lower()
    organisation = lock_organisation(organisation)
    team = team_of(organisation, team)
    owner = accounts.owners_of_addresses([email]).get(email)
    if owner and current_membership(user=owner, organisation=organisation):
        raise MembershipError(
            gettext(
                "%(email)s is already a member of this organisation. Change their team or "
                "role on their page."
            )
            % {"email": email}
        )
    check_invitation_limit(organisation, 1, single=True)
    invitation, refreshed = _prepare_invitation(
        organisation=organisation,
        email=email,
        role=role,
        invited_by=invited_by,
        full_name=" ".join(full_name.split()),
        team=team,
        is_coordinator=is_coordinator,
    )
    record_audit(
        actor=invited_by,
        organisation=organisation,
        action=AuditAction.INVITED,
        detail={"invitation": invitation.pk, "email": email, "refreshed": refreshed},
    )
    transaction.on_commit(lambda: send_invitation_emails([invitation], base_url=base_url))
    return invitation


@transaction.atomic
def withdraw_invitation(*, invitation: Invitation, actor: User) -> None:
    """Withdraw an invitation that has not been accepted: it is deleted, so its link no
    longer works; the audit log keeps who withdrew which address."""
    organisation = lock_organisation(invitation.organisation)
    invitation = Invitation.objects.select_for_update().filter(pk=invitation.pk).first()
    if invitation is None:
        raise MembershipError(gettext("This invitation has already been withdrawn."))
    if invitation.accepted_at is not None:
        raise MembershipError(
            gettext("This invitation has already been accepted. End the membership instead.")
        )
    record_audit(
        actor=actor,
        organisation=organisation,
        action=AuditAction.WITHDREW_INVITATION,
        detail={"invitation": invitation.pk, "email": invitation.email},
    )
    forget_queued_email(key=invitation_email_key(invitation))
    invitation.delete()


def open_invitation(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("organisation", "team", "role", "invited_by")
        .filter(token=token)
        .first()
    )


def invitation_problem(invitation: Invitation, *, user: User | None) -> str | None:
    """Why this person cannot accept the invitation now ("used", "expired",
    "wrong_account", "unverified"), or None. Only a verified address is the person's own:
    anyone can sign up with an address they cannot read."""
    if invitation.accepted_at is not None:
        return "used"
    if invitation.expires_at <= timezone.now():
        return "expired"
    if user is not None and user.is_authenticated:
        from allauth.account.models import EmailAddress

        address = invitation.email.lower()
        if address not in accounts.verified_addresses(user):
            claimed = user.email.lower() == address or (
                EmailAddress.objects.filter(user=user, email__iexact=address).exists()
            )
            return "unverified" if claimed else "wrong_account"
    return None


@transaction.atomic
def accept_invitation(*, invitation: Invitation, user: User) -> Membership:
    """The invited person joins: a new membership from the invitation's start date (an
    import's 'startdatum') or today, or their current membership
    in the organisation takes the invitation's team and role (coordinator rights are only
    ever added). A used or expired invitation, or another account than the invited
    address, changes nothing (InvitationError)."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    problem = invitation_problem(invitation, user=user)
    if problem:
        raise InvitationError(problem)
    organisation = lock_organisation(invitation.organisation)
    membership = current_membership(user=user, organisation=organisation)
    if membership is None:
        membership = Membership(
            user=user,
            organisation=organisation,
            started_on=invitation.started_on or timezone.localdate(),
        )
    membership.team = invitation.team
    membership.role = invitation.role
    membership.is_coordinator = membership.is_coordinator or invitation.is_coordinator
    membership.ended_on = None
    membership.full_clean(validate_constraints=False)
    membership.save()
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    record_audit(
        actor=user,
        organisation=organisation,
        action=AuditAction.ACCEPTED_INVITATION,
        detail={
            "invitation": invitation.pk,
            "membership": membership.pk,
            "team": membership.team.name if membership.team else None,
            "role": membership.role.name,
            "coordinator": membership.is_coordinator,
        },
    )
    return membership
