"""Reads about accounts: whose addresses are whose, and the person's own data download
(AVG/GDPR right of access)."""

from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone

from . import personal_data as personal_data_parts
from .models import User

# Every ForeignKey/OneToOneField to the user model, as "app_label.Model.field", is either in
# the data download (EXPORTED, with the part of the download that holds it) or listed here
# with the reason it is not. tests/accounts/test_data_rights.py walks every installed model
# and fails on a link to the user that is in neither, so a new one cannot be forgotten.
EXPORTED = {
    "account.EmailAddress.user": "account.email_addresses",
    "mfa.Authenticator.user": "account.two_factor",
    "courses.Enrolment.user": "courses.enrolments",
    "courses.ReflectionAnswer.user": "courses.reflection_answers",
    "quizzes.QuizAttempt.user": "quizzes.quiz_attempts",
    "certificates.Certificate.user": "certificates.certificates",
    "certificates.RegistrationNumber.user": "certificates.registration_numbers",
    "organisations.Membership.user": "organisations.memberships",
    # Core's ledger of emails sent once: organisations' reminders there, certificates'
    # under each certificate (certificates.certificates[].reminders_sent).
    "core.SentEmail.user": "organisations.reminders",
    "organisations.AuditLogEntry.actor": "organisations.audit_log",
    "organisations.AuditSubject.user": "organisations.audit_log_about_you",
    "xapi.Statement.user": "xapi.statements",
    "socialaccount.SocialAccount.user": "identity.linked_accounts",
    "lti.LtiIdentity.user": "lti.lms_accounts",
    "lti.ResourceLaunch.user": "lti.launches",
    "lti.ScormLearner.user": "lti.scorm",
}

_EDITORIAL = (
    "editorial work in the Wagtail admin (content, not data about the person as a learner); "
    "it stays with the anonymised account after deletion"
)
EXCLUDED = {
    "certificates.Revocation.revoked_by": (
        "an administrator's decision about someone else's certificate; the administrator's "
        "name is removed from it on deletion"
    ),
    "organisations.Invitation.invited_by": (
        "invitations a coordinator sent hold other people's addresses; the sending is in the "
        "audit log, which is exported"
    ),
    "organisations.ImportUpload.uploaded_by": (
        "an import file between its steps holds other people's rows; deleted within an "
        "hour, and at once with the account"
    ),
    "organisations.ExportJob.requested_by": (
        "coordinator exports hold other people's data; deleted after 7 days, and at once "
        "with the account"
    ),
    "wagtailusers.UserProfile.user": "admin interface preferences; deleted with the account",
    "wagtailadmin.EditingSession.user": "who is editing a page now; deleted with the account",
    "wagtailadmin.FormState.user": "unsaved admin form drafts; deleted with the account",
    "wagtailcore.APIToken.user": "admin API tokens (secrets); deleted with the account",
    "wagtailcore.ModelLogEntry.user": _EDITORIAL,
    "wagtailcore.PageLogEntry.user": _EDITORIAL,
    "wagtailcore.Revision.user": _EDITORIAL,
    "wagtailcore.UploadedFile.uploaded_by_user": _EDITORIAL,
    "wagtailcore.WorkflowState.requested_by": _EDITORIAL,
    "wagtailcore.TaskState.finished_by": _EDITORIAL,
    "wagtailcore.Page.owner": _EDITORIAL,
    "wagtailcore.Page.locked_by": _EDITORIAL,
    "wagtailcore.Comment.user": _EDITORIAL,
    "wagtailcore.Comment.resolved_by": _EDITORIAL,
    "wagtailcore.CommentReply.user": _EDITORIAL,
    "wagtailcore.PageSubscription.user": "page comment notifications; deleted with the account",
    "wagtailimages.Image.uploaded_by_user": _EDITORIAL,
    "wagtaildocs.Document.uploaded_by_user": _EDITORIAL,
}


# --- A person's addresses --------------------------------------------------------------
# An address is a person's own only once they proved they read it (allauth's verified
# EmailAddress). Anyone can sign up with any address, so the login address alone proves
# nothing: invitations, the member import, the invitation email, the data download and
# deletion all go through these two.


def verified_addresses(user: User) -> set[str]:
    """The addresses this person has verified, lower-case (none for an anonymous user)."""
    from allauth.account.models import EmailAddress

    if not user.is_authenticated:
        return set()
    return {
        address.lower()
        for address in EmailAddress.objects.filter(user=user, verified=True).values_list(
            "email", flat=True
        )
    }


def owners_of_addresses(addresses: Iterable[str]) -> dict[str, int]:
    """For each of these addresses that someone has verified, that person's id, by the
    lower-case address. allauth keeps verified addresses unique, so there is one owner at
    most; an unverified address has none."""
    from allauth.account.models import EmailAddress

    wanted = {address.lower() for address in addresses}
    if not wanted:
        return {}
    return {
        email.lower(): user_id
        for email, user_id in EmailAddress.objects.filter(
            email__in=wanted, verified=True
        ).values_list("email", "user_id")
    }


def account_data(user: User) -> dict:
    """The account itself: addresses, name, language, dates and whether a second factor is
    set up (its type and dates, never a secret or recovery code)."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    return {
        "email": user.email,
        "full_name": user.full_name,
        "preferred_language": user.preferred_language,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("pk")
        ],
        # Emails the mail server has not taken yet (what they are, not their text).
        "emails_waiting_to_be_sent": [
            {"kind": queued.kind, "to": queued.to_address, "queued_at": queued.created_at}
            for queued in queued_emails_to(user)
        ],
        "two_factor": {
            "enabled": Authenticator.objects.filter(user=user)
            .exclude(type=Authenticator.Type.RECOVERY_CODES)
            .exists(),
            "methods": [
                {
                    "type": authenticator.type,
                    "created_at": authenticator.created_at,
                    "last_used_at": authenticator.last_used_at,
                }
                for authenticator in Authenticator.objects.filter(user=user).order_by("pk")
            ],
        },
    }


def personal_data(user: User) -> dict:
    """Everything the platform holds about this person, as one JSON-ready dict (dates are
    left to DjangoJSONEncoder). Each app contributes its own part (accounts.personal_data,
    registered in the apps' AppConfig.ready()); nothing about other people is included
    beyond what the person entered themselves."""
    return {
        "format": "signaal-personal-data/1",
        "exported_at": timezone.now(),
        "account": account_data(user),
    } | personal_data_parts.export(user)


# allauth's template prefix of the email that verifies an address (also "..._signup").
VERIFICATION_EMAIL_KIND = "account/email/email_confirmation"


def queued_emails_to(user) -> QuerySet:
    """Emails still waiting to be sent to the person, oldest first: anything to a verified
    address of theirs, and the verification emails to an address they have not verified
    yet. Other emails to an unverified address (an invitation, say) may be someone else's:
    anyone can sign up with an address they cannot read."""
    from allauth.account.models import EmailAddress
    from django.db.models import Q

    from core.models import QueuedEmail

    verified = verified_addresses(user)
    claimed = {user.email.lower()} | {
        address.lower()
        for address in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    }
    return QueuedEmail.objects.filter(
        Q(to_address__in=verified)
        | Q(to_address__in=claimed - verified, kind__startswith=VERIFICATION_EMAIL_KIND)
    ).order_by("created_at")
