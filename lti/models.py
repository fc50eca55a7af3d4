"""LTI 1.3: the platforms (LMSs) registered with Signaal, the tool's own signing keys, the
login states of launches in flight, the people an LMS launched (issuer + subject), the
launches (resource link, line item), the grades sent back (a ledger: one row per
launch and completion, so a grade is never sent twice) and the course member lists synced
into the organisation (Names and Role Provisioning)."""

import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel


def origin_of(url: str) -> str:
    """scheme://host[:port] of a URL, or "" when it has none."""
    parts = urlsplit(url or "")
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}"


class Platform(models.Model):
    """An LMS that launches Signaal (LTI 1.3 platform), tied to one organisation: people it
    launches become members of that organisation and of no other."""

    name = models.CharField(_("name"), max_length=200)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
        help_text=_("People this LMS launches become members of this organisation only."),
    )
    member_role = models.ForeignKey(
        "organisations.Role",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("role of new members"),
    )
    # In context: the project's catalogue has "issuer" for a certificate's (uitgever), and
    # it comes first; an LMS administrator looks for the LMS's word, issuer.
    issuer = models.URLField(
        pgettext_lazy("LTI platform", "issuer"),
        max_length=255,
        help_text=_("The platform's 'iss'."),
    )
    client_id = models.CharField(_("client id"), max_length=255)
    auth_login_url = models.URLField(_("authentication request URL"), max_length=500)
    auth_token_url = models.URLField(_("access token URL"), max_length=500)
    auth_audience = models.CharField(
        _("access token audience"),
        max_length=500,
        blank=True,
        help_text=_("Only when the platform asks for one other than the token URL."),
    )
    jwks_url = models.URLField(_("public keyset URL (JWKS)"), max_length=500)
    deployment_ids = models.TextField(
        _("deployment ids"), help_text=_("One per line, as the LMS shows them.")
    )
    frame_origins = models.TextField(
        _("other origins that may embed Signaal"),
        blank=True,
        help_text=_(
            "One per line (https://lms.example.nl). The origins of the issuer and the "
            "authentication URL are allowed already."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    sync_members = models.BooleanField(
        _("Sync course members into the organisation"),
        default=False,
        help_text=_(
            "When a launch offers the course's member list (Names and Role Provisioning), "
            "people in it who already came to Signaal through this LMS become members of "
            "the organisation. Nobody else gets an account or an email."
        ),
    )
    created_at = models.DateTimeField(_("registered at"), default=timezone.now, editable=False)
    # The dynamic registration link this platform used (a link registers one platform).
    registration_link_id = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )

    panels = [
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("organisation"), FieldPanel("member_role")]),
        MultiFieldPanel(
            [
                FieldPanel("issuer"),
                FieldPanel("client_id"),
                FieldPanel("deployment_ids"),
                FieldPanel("auth_login_url"),
                FieldPanel("auth_token_url"),
                FieldPanel("auth_audience"),
                FieldPanel("jwks_url"),
            ],
            heading=_("What the LMS shows you"),
        ),
        FieldPanel("frame_origins"),
        FieldPanel("sync_members"),
        FieldPanel("is_active"),
    ]

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "client_id"], name="lti_unique_client")
        ]
        verbose_name = _("LMS (LTI platform)")
        verbose_name_plural = _("LMSs (LTI platforms)")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        bad = [line for line in self.frame_origin_lines() if not origin_of(line)]
        if bad:
            raise ValidationError({"frame_origins": _("Not an origin: %s") % ", ".join(bad)})
        if not self.deployment_id_list():
            raise ValidationError({"deployment_ids": _("Give at least one deployment id.")})

    def deployment_id_list(self) -> list[str]:
        return [line.strip() for line in self.deployment_ids.splitlines() if line.strip()]

    def frame_origin_lines(self) -> list[str]:
        return [line.strip() for line in self.frame_origins.splitlines() if line.strip()]

    def embedding_origins(self) -> list[str]:
        """The origins whose pages may frame Signaal for this platform (never '*')."""
        found = [origin_of(self.issuer), origin_of(self.auth_login_url)]
        found += [origin_of(line) for line in self.frame_origin_lines()]
        return sorted({origin for origin in found if origin})


class ToolKey(models.Model):
    """One of Signaal's RSA keys. The newest active key signs; every active key is
    published in the JWKS, so LMSs that cached an older one still verify (rotation)."""

    kid = models.CharField(max_length=100, unique=True, editable=False)
    private_key = models.TextField(editable=False)
    public_key = models.TextField(editable=False)
    is_active = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")

    def __str__(self) -> str:
        return self.kid


class LoginState(models.Model):
    """An OIDC login in flight: the state and nonce sent to the platform. Used once."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=100, unique=True)
    nonce = models.CharField(max_length=100, unique=True)
    # What the login asked for, to start it again in a new window when the browser keeps
    # no cookies in the LMS's iframe.
    login_params = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.state


class LtiIdentity(models.Model):
    """A Signaal account as one platform knows it: (issuer, subject)."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="identities")
    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lti_identities"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="lti_unique_subject")
        ]
        verbose_name = _("LMS identity")
        verbose_name_plural = _("LMS identities")

    def __str__(self) -> str:
        return f"{self.issuer} / {self.subject}"


class ResourceLaunch(models.Model):
    """The latest launch of one resource link (a module placed in an LMS course) by one
    person: where its grade goes."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="launches")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    module = models.ForeignKey("courses.ModulePage", on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=255)
    deployment_id = models.CharField(max_length=255)
    resource_link_id = models.CharField(max_length=255)
    context_title = models.CharField(max_length=255, blank=True)
    lineitem_url = models.URLField(max_length=500, blank=True)
    ags_scopes = models.JSONField(default=list)
    launched_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "user", "resource_link_id"], name="lti_unique_launch"
            )
        ]

    def __str__(self) -> str:
        return f"{self.platform} / {self.resource_link_id}"


class GradeStatus(models.TextChoices):
    PENDING = "pending", _("waiting")
    SENT = "sent", _("sent")
    FAILED = "failed", _("gave up")


class GradeSubmission(models.Model):
    """The grade of one completion for one launch. The unique key makes a second sending
    of the same completion impossible; `status` says whether the LMS has it."""

    launch = models.ForeignKey(ResourceLaunch, on_delete=models.CASCADE, related_name="grades")
    enrolment = models.ForeignKey("courses.Enrolment", on_delete=models.CASCADE, related_name="+")
    score_given = models.DecimalField(max_digits=6, decimal_places=2)
    score_maximum = models.DecimalField(max_digits=6, decimal_places=2)
    status = models.CharField(max_length=10, choices=GradeStatus.choices, default="pending")
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["launch", "enrolment"], name="lti_one_grade_per_completion"
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.launch} / {self.enrolment_id}: {self.status}"


class SyncStatus(models.TextChoices):
    PENDING = "pending", _("waiting")
    DONE = "done", _("synced")
    FAILED = "failed", _("gave up")


class RosterSync(models.Model):
    """The member list of one LMS course (its NRPS memberships URL) synced into the
    platform's organisation: asked for by a launch, done by the worker, retried while the
    LMS is unreachable. Keeps counts only, never the people on the list."""

    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="roster_syncs", verbose_name=_("LMS")
    )
    memberships_url = models.URLField(max_length=500)
    context_title = models.CharField(_("course"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=SyncStatus.choices, default="pending"
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    synced_at = models.DateTimeField(_("synced at"), null=True, blank=True)
    # added, already_members, not_on_signaal, left_course (counts of the last sync)
    counts = models.JSONField(_("counts"), default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "memberships_url"], name="lti_one_sync_per_course"
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        verbose_name = _("course member list")
        verbose_name_plural = _("course member lists")

    def __str__(self) -> str:
        return f"{self.platform} / {self.context_title or self.memberships_url}: {self.status}"


class ScormPackage(models.Model):
    """A SCORM 1.2 dispatch package of one module for one organisation's LMS (without
    LTI): the LMS runs it as a course; it opens the module on Signaal with this key and
    reports completion back through the LMS's SCORM API. Revocable; capped."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("organisation"),
    )
    module = models.ForeignKey(
        "courses.ModulePage", on_delete=models.CASCADE, related_name="+", verbose_name=_("module")
    )
    member_role = models.ForeignKey(
        "organisations.Role",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("role of new members"),
    )
    key = models.CharField(max_length=64, unique=True, editable=False)
    max_learners = models.PositiveIntegerField(
        _("registration cap"),
        default=100,
        help_text=_("How many different learners of the LMS may open it."),
    )
    is_revoked = models.BooleanField(
        _("revoked"), default=False, help_text=_("A revoked package no longer opens Signaal.")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("SCORM package")
        verbose_name_plural = _("SCORM packages")

    def __str__(self) -> str:
        return f"{self.module} – {self.organisation}"

    def save(self, *args, **kwargs):
        if not self.key:
            self.key = secrets.token_urlsafe(32)
        super().save(*args, **kwargs)

    def download(self):
        url = reverse("lti:scorm_download", args=[self.pk]) if self.pk else ""
        return format_html('<a href="{}" download>{}</a>', url, _("Download (zip)"))

    download.short_description = _("package")


class ScormLearner(models.Model):
    """A learner of the LMS (its cmi.core.student_id) who opened a package: their account."""

    package = models.ForeignKey(ScormPackage, on_delete=models.CASCADE, related_name="learners")
    learner_id = models.CharField(max_length=255)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["package", "learner_id"], name="lti_unique_scorm_learner"
            )
        ]

    def __str__(self) -> str:
        return f"{self.package} / {self.learner_id}"
