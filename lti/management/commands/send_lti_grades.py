"""Send the LTI grades whose next attempt is due (schedule every few minutes, next to the
db_worker: grades whose LMS was down are retried with back-off)."""

from django.core.management.base import BaseCommand

from lti.grades import send_due
from lti.launch import purge_login_states


class Command(BaseCommand):
    help = "Send due LTI grades to the LMSs and forget expired login states."

    def handle(self, *args, **options):
        sent = send_due()
        purged = purge_login_states()
        self.stdout.write(f"Sent {sent} grade(s); removed {purged} expired login state(s).")
