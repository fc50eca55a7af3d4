"""Print a dynamic registration link for one organisation's LMS (valid for a week, for one
LMS). The LMS administrator pastes it as the dynamic registration URL."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lti.dynamic_registration import registration_link
from organisations.models import Organisation, Role


class Command(BaseCommand):
    help = "Make a dynamic registration link for an organisation's LMS."

    def add_arguments(self, parser):
        parser.add_argument("--organisation", required=True, help="the organisation's slug")
        parser.add_argument("--role", required=True, help="slug of the role new members get")
        parser.add_argument(
            "--base-url",
            default=getattr(settings, "WAGTAILADMIN_BASE_URL", ""),
            help="Signaal's address",
        )

    def handle(self, *args, organisation, role, base_url, **options):
        found = Organisation.objects.filter(slug=organisation).first()
        chosen = Role.objects.filter(slug=role).first()
        if found is None or chosen is None:
            raise CommandError("No organisation or role with that slug.")
        if not base_url:
            raise CommandError("Give --base-url (Signaal's address).")
        self.stdout.write(registration_link(organisation=found, role=chosen, base_url=base_url))
