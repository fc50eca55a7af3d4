"""Send the LTI grades whose next attempt is due and sync the course member lists that
wait (schedule every few minutes, next to the db_worker: what waited because an LMS was
down is retried with back-off)."""

from django.core.management.base import BaseCommand

from lti.grades import send_due
from lti.launch import purge_login_states
from lti.roster import sync_due


class Command(BaseCommand):
    help = (
        "Send due LTI grades to the LMSs, sync due course member lists and forget expired "
        "login states."
    )

    def handle(self, *args, **options):
        sent = send_due()
        synced = sync_due()
        purged = purge_login_states()
        self.stdout.write(
            f"Sent {sent} grade(s); synced {synced} member list(s); "
            f"removed {purged} expired login state(s)."
        )
