"""Send again the emails the mail server did not take when they were sent (verification
and password emails, invitations). Run it from cron every few minutes; overlapping runs
never send the same email twice."""

from django.core.management.base import BaseCommand, CommandError

from core.mail import send_queued_emails


class Command(BaseCommand):
    help = "Send queued emails whose next attempt is due (safe to run every few minutes)."

    def handle(self, *args, **options) -> None:
        run = send_queued_emails()
        self.stdout.write(
            f"Queued emails: {run.sent} sent, {run.failed} failed (tried again later), "
            f"{run.waiting} waiting for the mail server, {run.dropped} dropped."
        )
        if run.problems:
            # A non-zero exit makes cron report it; what failed is tried again next run.
            raise CommandError("Some queued emails could not be sent; see the log.")
