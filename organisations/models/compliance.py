"""What organisations.compliance stores: monthly snapshots, the stored statuses (a cache of
the rule), the reminder log and export jobs."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .frameworks import Requirement
from .members import Membership, Organisation


class ComplianceSnapshot(models.Model):
    """The organisation's compliance at the end of a month, for the 12-month trend."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="snapshots"
    )
    month = models.DateField(help_text="The first day of the month.")
    members = models.PositiveIntegerField()
    compliant = models.PositiveIntegerField()
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organisation", "month"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "month"], name="one_snapshot_a_month")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.month:%Y-%m}: {self.compliant}/{self.members}"


class MemberStanding(models.Model):
    """The stored result of the compliance rule for one membership (and its statuses in
    MemberRequirementStatus), so a large organisation's dashboard adds up rows instead of
    applying the rule to every member on every view.

    Fresh on a day when it reflects every change (`computed_changes == changes`), was
    computed on or before that day and the calendar has not yet moved a status
    (`valid_until`). Whatever may change a status (certificates, enrolments, the
    membership, requirements, module versions) adds one to `changes`
    (organisations.compliance.statuses.standings_changed); refresh_standings recomputes
    stale rows with organisations.compliance.computation.compliance. A stale row is never
    read as if it were fresh."""

    membership = models.OneToOneField(
        Membership, on_delete=models.CASCADE, primary_key=True, related_name="standing"
    )
    changes = models.PositiveIntegerField(default=0)
    computed_changes = models.PositiveIntegerField(null=True)  # None: never computed
    computed_on = models.DateField(null=True)
    valid_until = models.DateField(null=True)  # first day the calendar changes a status
    meets_mandatory = models.BooleanField(default=False)
    worst_status = models.CharField(max_length=20, blank=True)  # "" without mandatory ones
    # The earliest date among the mandatory requirements' statuses (a deadline, or the day a
    # certificate ends): the people list sorts on it in SQL (issue 20.2).
    next_deadline = models.DateField(null=True)

    def __str__(self) -> str:
        return f"{self.membership_id}: {self.worst_status or '-'}"


class MemberRequirementStatus(models.Model):
    """One membership's status on one requirement, as of its MemberStanding."""

    membership = models.ForeignKey(  # indexed by the unique constraint
        Membership, on_delete=models.CASCADE, related_name="requirement_statuses", db_index=False
    )
    # The membership's organisation, copied (it never changes): the dashboard's count reads
    # one organisation's rows through this index instead of scanning every organisation's.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=20)  # organisations.compliance.rule.Status

    class Meta:
        indexes = [
            # The dashboard's count reads all of it from the index (once vacuumed).
            models.Index(
                fields=["organisation", "membership"],
                include=["requirement", "status"],
                name="status_by_organisation",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "requirement"], name="one_status_per_requirement"
            )
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} {self.requirement_id}: {self.status}"


# The kinds of reminder emails in core's ledger of emails sent once (core.models.SentEmail:
# per person, kind, item and period; organisations.compliance.reminders has the periods).
LEARNER_DIGEST = "learner_digest"
COORDINATOR_SUMMARY = "coordinator_summary"
COORDINATOR_REQUEST = "coordinator_request"
REMINDER_KINDS = (LEARNER_DIGEST, COORDINATOR_SUMMARY, COORDINATOR_REQUEST)


class ReminderSchedule(models.Model):
    """When an organisation's automatic reminders go out (issue 20.10): set by its
    coordinators, read by the hourly run (organisations.compliance.reminders.rules_for).
    Without a row the defaults apply (organisations.compliance.reminders.DEFAULT_RULES)."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, primary_key=True, related_name="reminder_schedule"
    )
    # Days before a deadline on which learners are reminded, largest first (e.g. [30, 7]).
    days_before = models.JSONField(default=list, blank=True)
    # After the deadline: again every this many days (0: only on the day it becomes late).
    repeat_after_days = models.PositiveSmallIntegerField()
    # Late people appear in the coordinators' weekly overview once this many days late.
    escalate_after_days = models.PositiveSmallIntegerField()
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.days_before} +{self.repeat_after_days}"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("ready")
    FAILED = "failed", _("failed")


class ExportJob(models.Model):
    """A report export of an organisation's people, built in the background when large."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    format = models.CharField(max_length=10)
    filters = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to="exports/", blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.format} {self.status}"
