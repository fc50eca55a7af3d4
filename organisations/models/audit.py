"""The audit log: who saw or changed what about an organisation's people, and whom each
entry is about."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .members import Organisation


class AuditAction(models.TextChoices):
    VIEWED_PEOPLE = "viewed_people", _("viewed the people list")
    VIEWED_DASHBOARD = "viewed_dashboard", _("viewed the dashboard")
    VIEWED_PERSON = "viewed_person", _("viewed a person")
    EXPORTED = "exported", _("exported")
    IMPORTED = "imported", _("imported members")
    INVITED = "invited", _("invited")
    CHANGED_MEMBERSHIP = "changed_membership", _("changed a membership")
    ENDED_MEMBERSHIP = "ended_membership", _("ended a membership")
    SENT_REMINDER = "sent_reminder", _("sent a reminder")
    ACCEPTED_INVITATION = "accepted_invitation", _("accepted an invitation")
    WITHDREW_INVITATION = "withdrew_invitation", _("withdrew an invitation")
    CHANGED_REMINDER_RULES = "changed_reminder_rules", _("changed the reminder rules")
    # A platform administrator's look at people's data in the admin (/beheer/).
    VIEWED_IN_ADMIN = "viewed_in_admin", _("viewed in the admin")


class AuditLogEntry(models.Model):
    """Who saw or changed what about an organisation's people, and when."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_email = models.CharField(max_length=254, blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, related_name="audit_log"
    )
    action = models.CharField(max_length=30, choices=AuditAction.choices)
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    # Written on every coordinator page view; nothing links to it, so Wagtail's reference
    # index (a write per entry) has nothing to record.
    wagtail_reference_index_ignore = True

    class Meta:
        ordering = ["-at"]
        # The daily invitation limit counts one organisation's INVITED entries of today.
        indexes = [
            models.Index(fields=["organisation", "action", "at"], name="audit_by_organisation")
        ]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_email} {self.action}"


class AuditSubject(models.Model):
    """A person an audit log entry is about: whose page was viewed, who was on the people
    list's page or in an export, whose membership changed, whose account an administrator
    opened. The person's data download lists these entries (who saw their data, when)."""

    entry = models.ForeignKey(AuditLogEntry, on_delete=models.CASCADE, related_name="subjects")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    wagtail_reference_index_ignore = True

    def __str__(self) -> str:
        return f"{self.entry_id}: {self.user_id}"
