"""Delete audit log entries older than AUDIT_LOG_RETENTION_DAYS (default two years). Safe
to run from cron (daily): it only ever deletes what is past the retention period."""

from django.conf import settings
from django.core.management.base import BaseCommand

from organisations.services.audit import purge_audit_log


class Command(BaseCommand):
    help = "Delete audit log entries older than AUDIT_LOG_RETENTION_DAYS."

    def handle(self, *args, **options) -> None:
        deleted = purge_audit_log()
        self.stdout.write(
            f"Audit log: {deleted} entries older than "
            f"{settings.AUDIT_LOG_RETENTION_DAYS} days deleted."
        )
