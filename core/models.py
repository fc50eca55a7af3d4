from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class QueuedEmail(models.Model):
    """An email the mail server did not take when it was sent: kept until a later attempt
    by `services.send_queued_emails` delivers it (the row is then deleted), the server
    refuses it for good, or it is older than EMAIL_RETRY_HOURS. Holds one message to one
    address; nothing is kept of emails that were delivered."""

    # What the email is (a template prefix such as 'account/email/email_confirmation'):
    # what logs name, never the address.
    kind = models.CharField(max_length=200)
    # A newer email with the same key replaces this one (a second verification email asked
    # for during an outage is sent once, not twice).
    key = models.CharField(max_length=300, unique=True)
    to_address = models.CharField(max_length=254, db_index=True)
    message = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=1)
    next_attempt_at = models.DateTimeField(db_index=True)
    # The exception's class only: server replies may quote the address.
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        # Created by the `cms` app's migrations (cms.0003) before the kernel had a name of
        # its own: the label, and so the table and its migrations, stay `cms`.
        app_label = "cms"
        verbose_name = _("queued email")
        verbose_name_plural = _("queued emails")

    def __str__(self) -> str:
        return f"{self.kind} ({self.attempts})"


class SentEmail(models.Model):
    """THE ledger of emails that go once: one row per recipient, kind, item and period
    (a reminder about a requirement for a deadline, a certificate's expiry, a week's
    summary). Written by `core.mail.send_once` in the same transaction as the email's
    place in the queue, so an email is recorded exactly when it is on its way."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # What was sent (e.g. 'learner_digest', 'certificate_expiring'); each app owns its kinds.
    kind = models.CharField(max_length=40)
    # What it was about (e.g. 'requirement:12:due', a certificate's id).
    item = models.CharField(max_length=100)
    # For which deadline, day or week (e.g. '2026-03-01-30', '2026-W09').
    period = models.CharField(max_length=20)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "item", "period"], name="one_email_per_item_and_period"
            )
        ]
        verbose_name = _("sent email")
        verbose_name_plural = _("sent emails")

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.item} {self.period}"
