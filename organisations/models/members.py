"""Organisations, teams, memberships (with THE current-membership condition) and
invitations."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.search import index

from .frameworks import ExpertiseFramework, Role


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


def new_upload_token() -> str:
    return secrets.token_urlsafe(24)


class ImportUpload(models.Model):
    """An import file between its steps (columns, check and preview, sending), read once
    into a table of cell texts. Bound to the organisation and the coordinator who uploaded
    it (nobody else finds it), short-lived (organisations.services.import_uploads.
    UPLOAD_VALID_MINUTES; older ones are deleted on the next upload) and deleted when the
    import is done, so a confirmation sent again finds nothing to import."""

    token = models.CharField(max_length=64, unique=True, default=new_upload_token)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    filename = models.CharField(max_length=255, blank=True)
    table = models.JSONField()
    # The field of each header position, as the coordinator chose; None: as recognised.
    mapping = models.JSONField(null=True, blank=True)
    create_teams = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.filename} – {self.organisation}"
