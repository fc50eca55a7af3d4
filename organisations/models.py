"""Organisations, their people, and the national expertise agreements ('wie moet wat weten').

Frameworks, roles and requirements are data that platform administrators maintain; the
status of each member against each requirement is computed in organisations.selectors
(`compliance`) by the rule in organisations.compliance.rule; MemberStanding and
MemberRequirementStatus keep its latest results for the dashboard's totals, refreshed by
organisations.compliance.statuses.refresh_standings and marked stale by organisations.signals."""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel
from wagtail.search import index


class Role(index.Indexed, models.Model):
    """A role within an organisation (uitvoerend professional, aandachtsfunctionaris, ...)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        return self.name


class ExpertiseFramework(index.Indexed, ClusterableModel):
    """A set of agreements on who must know what, per sector and role."""

    name = models.CharField(_("name"), max_length=200)
    version = models.CharField(_("version"), max_length=50)
    effective_from = models.DateField(_("effective from"))
    source = models.TextField(
        _("source"), help_text=_("Where these agreements come from (document, decision, date).")
    )
    is_example = models.BooleanField(
        _("example"),
        default=False,
        help_text=_(
            "An example framework, not official agreements. Shown as such to coordinators "
            "and learners."
        ),
    )

    panels = [
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("version"), FieldPanel("effective_from")]),
        FieldPanel("source"),
        FieldPanel("is_example"),
        InlinePanel("requirements", heading=_("Requirements"), label=_("Requirement")),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name", "version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="unique_framework_version")
        ]
        verbose_name = _("expertise framework")
        verbose_name_plural = _("expertise frameworks")

    def __str__(self) -> str:
        label = f"{self.name} ({self.version})"
        return f"{label} – {_('example')}" if self.is_example else label


class RequirementLevel(models.TextChoices):
    MANDATORY = "mandatory", _("mandatory")
    RECOMMENDED = "recommended", _("recommended")


class Requirement(models.Model):
    """One agreement: people in this sector (and role) must complete this module within N
    days of joining, and again every N months."""

    framework = ParentalKey(
        ExpertiseFramework, on_delete=models.CASCADE, related_name="requirements"
    )
    sector = models.ForeignKey(
        "courses.Sector", on_delete=models.PROTECT, related_name="requirements"
    )
    role = models.ForeignKey(
        Role,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requirements",
        help_text=_("Leave empty for every role in the sector."),
    )
    module = models.ForeignKey(
        "courses.ModulePage", on_delete=models.PROTECT, related_name="requirements"
    )
    level = models.CharField(
        _("mandatory or recommended"),
        max_length=20,
        choices=RequirementLevel.choices,
        default=RequirementLevel.MANDATORY,
    )
    due_within_days = models.PositiveSmallIntegerField(
        _("due within (days of joining)"),
        default=90,
        validators=[MinValueValidator(0), MaxValueValidator(730)],
    )
    recertify_every_months = models.PositiveSmallIntegerField(
        _("recertify every (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_(
            "Leave empty to follow the certificate's own validity. A shorter period makes "
            "the certificate count for this requirement only that long."
        ),
    )

    panels = [
        FieldRowPanel([FieldPanel("sector"), FieldPanel("role")]),
        FieldPanel("module"),
        FieldRowPanel(
            [
                FieldPanel("level"),
                FieldPanel("due_within_days"),
                FieldPanel("recertify_every_months"),
            ]
        ),
    ]

    class Meta:
        ordering = ["framework", "sector", "role", "module"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "sector", "role", "module"],
                name="unique_requirement",
                nulls_distinct=False,
            )
        ]
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")

    def __str__(self) -> str:
        role = self.role.name if self.role_id else _("every role")
        return f"{self.sector} · {role} · {self.module.title}"


class Organisation(index.Indexed, models.Model):
    """An organisation whose people learn on Signaal (a Veilig Thuis region, a police unit,
    a school board, ...)."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        _("slug"), max_length=100, unique=True, help_text=_("Used in the coordinator's URL.")
    )
    sector = models.ForeignKey(
        "courses.Sector", on_delete=models.PROTECT, related_name="organisations"
    )
    region = models.CharField(_("region"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent organisation"),
    )
    framework = models.ForeignKey(
        ExpertiseFramework,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("expertise framework"),
        help_text=_("The agreements this organisation follows."),
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldRowPanel([FieldPanel("sector"), FieldPanel("region")]),
        FieldPanel("parent"),
        FieldPanel("framework"),
    ]
    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.FilterField("region"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["organisation", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="unique_team_name")
        ]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


def current_on(day, prefix: str = "") -> Q:
    """THE current-membership condition: not ended by `day`. `ended_on` is the first day the
    person no longer counts (ending a membership today sets it to today), so a membership
    ending on `day` is no longer current. `prefix` applies it through a relation
    ("membership__", "memberships__")."""
    return Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gt": day})


def active_on(day, prefix: str = "") -> Q:
    """Current and started by `day`: the members who count on that day."""
    return current_on(day, prefix) & Q(**{f"{prefix}started_on__lte": day})


class MembershipQuerySet(models.QuerySet):
    def current(self, *, on=None):
        """Open or ending later (also one that has not started yet): see `current_on`."""
        return self.filter(current_on(on or timezone.localdate()))

    def active(self, *, on=None):
        """The memberships that count on `on` (today): current and started."""
        return self.filter(active_on(on or timezone.localdate()))


class Membership(models.Model):
    """A person's place in an organisation. Ending it keeps the row (and its history)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="memberships"
    )
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="memberships")
    is_coordinator = models.BooleanField(_("coordinator"), default=False)
    started_on = models.DateField(_("member since"), default=timezone.localdate)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["organisation", "user__full_name"]
        constraints = [
            # One open membership per person and organisation; ended ones stay as history.
            models.UniqueConstraint(
                fields=["user", "organisation"],
                condition=Q(ended_on__isnull=True),
                name="one_open_membership_per_organisation",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="membership_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "ended_on"])]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} – {self.organisation}"


def new_invitation_token() -> str:
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    """An invitation by email to join an organisation with a given team and role."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("email address"))
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True)
    role = models.ForeignKey(Role, on_delete=models.PROTECT)
    is_coordinator = models.BooleanField(_("coordinator"), default=False)
    # From an import's 'startdatum': the membership starts then (deadlines count from it),
    # not on the day the invitation is accepted.
    started_on = models.DateField(_("start date"), null=True, blank=True)
    token = models.CharField(max_length=64, unique=True, default=new_invitation_token)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email"],
                condition=Q(accepted_at__isnull=True),
                name="one_open_invitation_per_address",
            )
        ]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} – {self.organisation}"


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
    (organisations.compliance.statuses.standings_changed); refresh_standings recomputes stale rows
    with selectors.compliance. A stale row is never read as if it were fresh."""

    membership = models.OneToOneField(
        Membership, on_delete=models.CASCADE, primary_key=True, related_name="standing"
    )
    changes = models.PositiveIntegerField(default=0)
    computed_changes = models.PositiveIntegerField(null=True)  # None: never computed
    computed_on = models.DateField(null=True)
    valid_until = models.DateField(null=True)  # first day the calendar changes a status
    meets_mandatory = models.BooleanField(default=False)
    worst_status = models.CharField(max_length=20, blank=True)  # "" without mandatory ones

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


class ReminderLog(models.Model):
    """A reminder that was sent: never the same one twice for the same item and period."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    item = models.CharField(max_length=100)
    period = models.CharField(max_length=20)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "item", "period"], name="one_reminder_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.item} {self.period}"


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
