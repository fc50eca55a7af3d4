"""Send the xAPI outbox to the organisations' LRSs (cron, every few minutes): whatever the
worker could not deliver yet, e.g. after an LRS outage."""

from django.core.management.base import BaseCommand, CommandError

from xapi.delivery import deliver_all


class Command(BaseCommand):
    help = "Send waiting xAPI statements to the organisations' learning record stores."

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            action="store_true",
            help="Also send what waits after a failed attempt (e.g. once an LRS is back).",
        )

    def handle(self, *args, **options):
        outcomes = deliver_all(ignore_waits=options["now"])
        for organisation_id, outcome in outcomes.items():
            line = (
                f"organisation {organisation_id}: {outcome.delivered} delivered, "
                f"{outcome.rejected} rejected, {outcome.waiting} waiting"
            )
            if outcome.error:
                line += f" (LRS unavailable: {outcome.error})"
            self.stdout.write(line)
        if not outcomes:
            self.stdout.write("No organisation sends statements to an LRS.")
        unavailable = [pk for pk, outcome in outcomes.items() if outcome.error]
        if unavailable:
            # Non-zero for cron's monitoring; what waits is tried again by the next run.
            raise CommandError(f"LRS unavailable for organisations {unavailable}")
