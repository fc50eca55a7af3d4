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
