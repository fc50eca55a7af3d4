"""Writes to accounts."""

from django.apps import apps
from django.conf import settings

from .models import User

SUPPORTED_LANGUAGES = frozenset(code for code, _name in settings.LANGUAGES)


def set_preferred_language(*, user: User, language: str) -> None:
    if language not in SUPPORTED_LANGUAGES:
        raise ValueError(f"Unsupported language: {language!r}")
    if user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])


def ensure_verified_account(
    *,
    email: str,
    full_name: str,
    password: str,
    is_superuser: bool = False,
    group_names: tuple[str, ...] = (),
) -> User:
    """Create or update an account whose email address is verified, so it can log in at once.

    Used for demo accounts and by operators; running it again resets the password and
    the rights to what is given here."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.models import Group

    email = email.lower()
    user = User.objects.filter(email=email).first() or User(email=email)
    user.full_name = full_name
    user.is_superuser = is_superuser
    user.is_active = True
    user.set_password(password)
    user.full_clean(exclude=["password"] if user.pk is None else None)
    user.save()
    user.groups.set(Group.objects.filter(name__in=group_names))
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def removed_email(user: User) -> str:
    """The placeholder login of a deleted account: unique, undeliverable (.invalid)."""
    return f"removed-{user.pk}@account.invalid"


# Wagtail admin state that means nothing without the person (profile, API tokens, editing
# presence, unsaved form drafts, page notifications): deleted with the account.
ADMIN_STATE_DELETED = (
    "wagtailusers.UserProfile",
    "wagtailcore.APIToken",
    "wagtailadmin.EditingSession",
    "wagtailadmin.FormState",
    "wagtailcore.PageSubscription",
)


def delete_account(*, user: User) -> None:
    """Delete a person's account and their personal data, keeping anonymised history.

    The user row stays as an anonymous placeholder (no name, address, password or rights;
    `removed_at` set; it can never log in), so that what others rely on keeps counting the
    same: enrolments, lesson progress, quiz attempts and answers (quiz insight, knowledge
    gaps, completion figures) and memberships (ended today, shown as 'removed account').
    Removed: email addresses, authenticators, sessions, reflection answers, invitations to
    the person's (verified) addresses, emails still queued to them, reminders sent to them,
    their export jobs and files, export files of their organisations made while they were
    a member or searched for them, and the admin profile; search terms naming them are
    blanked in the audit log. Certificates stay verifiable with user
    NULL and holder_name REMOVED_HOLDER (their PDF, which carries the name, is deleted).
    Audit log entries keep actor NULL and actor_email blank; the person's address is
    blanked in invitation entries about them. An organisation whose only coordinator this
    was loses its coordinator. One transaction: all of it or nothing."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from django.db import transaction
    from django.utils import timezone

    from core.models import SentEmail

    from . import personal_data
    from .selectors import queued_emails_to

    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.removed_at is not None:
            return
        now = timezone.now()

        # Each app's own part (courses, certificates, organisations: accounts.personal_data),
        # while the person's name and addresses can still be read.
        personal_data.erase(user)
        queued_emails_to(user).delete()
        # Core's ledger of the emails sent to them (reminders, the completion email).
        SentEmail.objects.filter(user=user).delete()
        EmailAddress.objects.filter(user=user).delete()
        Authenticator.objects.filter(user=user).delete()
        for label in ADMIN_STATE_DELETED:
            apps.get_model(label).objects.filter(user=user).delete()
        _delete_sessions(user)

        user.email = removed_email(user)
        user.full_name = ""
        user.preferred_language = settings.LANGUAGE_CODE
        user.is_active = False
        user.is_superuser = False
        user.last_login = None
        user.date_joined = now
        user.removed_at = now
        user.set_unusable_password()
        user.save()
        user.groups.clear()
        user.user_permissions.clear()


def _delete_sessions(user: User) -> None:
    """Delete the person's sessions (database sessions: each live one is decoded)."""
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    stale = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get("_auth_user_id") == str(user.pk)
    ]
    Session.objects.filter(pk__in=stale).delete()


# The session key of an address the visitor has shown they read (see vouch_for_address).
VOUCHED_ADDRESS_SESSION_KEY = "signaal_vouched_address"


def vouch_for_address(request, email: str) -> None:
    """The visitor has shown they read this address's mail (they opened a link sent only
    to it, such as an invitation): their next sign-up in this session, if it is with
    exactly this address, needs no verification email; with any other address it still
    does (accounts.adapter.AccountAdapter.is_email_verified). Not allauth's own
    stash_verified_email: that adds the stashed address to whatever account signs up."""
    request.session[VOUCHED_ADDRESS_SESSION_KEY] = email.strip().lower()
