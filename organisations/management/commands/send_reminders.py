"""Send the reminders that are due: certificates expiring or needing an update, learners'
digests of what their organisations require, coordinators' weekly summaries; record the
monthly compliance snapshots, bring the dashboards' stored statuses up to date and delete
old export files and unfinished import uploads. Run it from cron every hour: it
never sends the same reminder twice, also when two runs overlap. Reminders the mail
server does not take are queued; `send_queued_email` sends them."""

from django.core.management.base import BaseCommand, CommandError

from certificates.api import send_certificate_reminders
from organisations.compliance.exports import delete_old_exports
from organisations.compliance.reminder_mail import send_reminders
from organisations.compliance.snapshots import record_compliance_snapshots
from organisations.compliance.statuses import refresh_all_standings
from organisations.services.import_uploads import delete_expired_uploads


class Command(BaseCommand):
    help = "Send due reminders (safe to run every hour) and record compliance snapshots."

    def handle(self, *args, **options) -> None:
        certificates = send_certificate_reminders()
        self.stdout.write(f"Certificate reminders: {certificates} sent.")
        counts = send_reminders()
        for label, result in (
            ("Learner digests", counts["learners"]),
            ("Coordinator summaries", counts["coordinators"]),
        ):
            self.stdout.write(
                f"{label}: {result.sent} sent, {result.queued} queued, "
                f"{result.skipped} sent by a parallel run."
            )
        snapshots = record_compliance_snapshots()
        self.stdout.write(f"Compliance snapshots: {snapshots} recorded.")
        refreshed = refresh_all_standings()
        self.stdout.write(f"Stored statuses: {refreshed} members refreshed.")
        deleted = delete_old_exports()
        self.stdout.write(f"Old export files: {deleted} deleted.")
        uploads = delete_expired_uploads()
        self.stdout.write(f"Unfinished import uploads: {uploads} deleted.")
        if counts["learners"].queued or counts["coordinators"].queued:
            # A non-zero exit makes cron report the outage; the emails wait in the queue.
            raise CommandError(
                "Some reminders could not be sent now; send_queued_email sends them later."
            )
