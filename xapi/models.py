"""Per organisation, where its learning records go (LrsConfig), and the statements
themselves (Statement): the outbox for the organisation's LRS, and the store its export
reads when it has none."""

import secrets
import uuid

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ActorIdentification(models.TextChoices):
    MBOX = "mbox", _("Email address (mbox)")
    ACCOUNT = "account", _("Account on the organisation's identity provider")
    PSEUDONYM = "pseudonym", _("Pseudonymous id (stable per person and organisation)")


class XapiVersion(models.TextChoices):
    V1_0_3 = "1.0.3", "1.0.3"


def new_pseudonym_key() -> str:
    return secrets.token_hex(32)


class LrsConfig(models.Model):
    """An organisation's choice to receive learning records. Enabled without an endpoint,
    statements are kept for the organisation's export only."""

    organisation = models.OneToOneField(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="lrs_config",
        verbose_name=_("organisation"),
    )
    enabled = models.BooleanField(
        _("enabled"),
        default=False,
        help_text=_("Record statements for this organisation's members from now on."),
    )
    endpoint = models.URLField(
        _("LRS endpoint"),
        blank=True,
        validators=[URLValidator(schemes=["https", "http"])],
        help_text=_(
            "The xAPI base URL, e.g. https://lrs.example.nl/xAPI/ (statements are posted "
            "to its /statements). Empty: statements are kept for the export only."
        ),
    )
    key = models.CharField(_("key (username)"), max_length=200, blank=True)
    secret = models.CharField(
        _("secret (password)"),
        max_length=500,
        blank=True,
        help_text=_("Never shown again after saving; leave empty to keep the current one."),
    )
    version = models.CharField(
        _("xAPI version"), max_length=10, choices=XapiVersion.choices, default=XapiVersion.V1_0_3
    )
    actor = models.CharField(
        _("identify learners by"),
        max_length=20,
        choices=ActorIdentification.choices,
        default=ActorIdentification.PSEUDONYM,
    )
    account_home_page = models.URLField(
        _("identity provider home page"),
        blank=True,
        help_text=_(
            "For 'account': the homePage of the accounts, e.g. https://login.example.nl; "
            "the account name is the learner's email address."
        ),
    )
    # The HMAC key of the pseudonymous ids: a new key gives everyone new ids.
    pseudonym_key = models.CharField(max_length=64, default=new_pseudonym_key, editable=False)

    class Meta:
        verbose_name = _("LRS connection")
        verbose_name_plural = _("LRS connections")
        constraints = [
            models.CheckConstraint(
                condition=~Q(actor="account") | ~Q(account_home_page=""),
                name="xapi_account_needs_home_page",
            )
        ]

    def __str__(self) -> str:
        return str(self.organisation)

    @property
    def sends(self) -> bool:
        return self.enabled and bool(self.endpoint)

    @property
    def masked_secret(self) -> str:
        return (
            "••••••" + self.secret[-2:]
            if len(self.secret) > 8
            else ("••••••" if self.secret else "")
        )


class Statement(models.Model):
    """One xAPI statement for one organisation. `statement_id` is derived from the event
    (xapi.statements.statement_id), so the same event never makes a second row and a resend
    to the LRS is recognised there. Rows of an organisation with an endpoint wait here until
    its LRS took them; all rows stay for the export."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    # Whose statement it is: for the person's data download and deletion (never sent).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    statement_id = models.UUIDField(default=uuid.uuid4)
    verb = models.CharField(max_length=20)
    payload = models.JSONField()
    timestamp = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # The LRS refused it as invalid (a 4xx other than 409): not retried, shown in the admin.
    rejected_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    wagtail_reference_index_ignore = True

    class Meta:
        ordering = ["timestamp", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "statement_id"], name="xapi_one_statement_per_id"
            )
        ]
        indexes = [
            models.Index(
                fields=["organisation", "next_attempt_at"],
                condition=Q(delivered_at__isnull=True, rejected_at__isnull=True),
                name="xapi_outbox",
            ),
            models.Index(fields=["organisation", "timestamp"], name="xapi_export"),
        ]
        verbose_name = _("xAPI statement")
        verbose_name_plural = _("xAPI statements")

    def __str__(self) -> str:
        return f"{self.verb} {self.statement_id}"
