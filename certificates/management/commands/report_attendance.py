"""Send pending completions of accredited modules to PE-online (cron: hourly or daily).
Registers that take a file are left to the administrators' download."""

from django.core.management.base import BaseCommand, CommandError

from certificates.accreditation import pe_online
from courses.models import AttendanceReporting, Register


class Command(BaseCommand):
    help = "Report pending attendance of accredited modules to PE-online."

    def handle(self, *args, **options):
        if not pe_online.configured():
            self.stdout.write("PE-online is not configured; nothing sent.")
            return
        waiting = 0
        for register in Register.objects.filter(reporting=AttendanceReporting.PE_ONLINE):
            delivery = pe_online.send_pending(register)
            waiting += delivery.waiting
            self.stdout.write(
                f"{register.name}: {delivery.accepted} accepted, {delivery.rejected} refused, "
                f"{delivery.waiting} waiting"
            )
        if waiting:
            raise CommandError(f"PE-online could not be reached; {waiting} completions wait.")
