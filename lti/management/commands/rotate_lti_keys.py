"""Add a new LTI signing key (it signs from now on); optionally stop publishing keys
older than N days (keep them a while: LMSs cache our JWKS)."""

import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from lti.keys import generate_key
from lti.models import ToolKey


class Command(BaseCommand):
    help = "Rotate Signaal's LTI signing keys."

    def add_arguments(self, parser):
        parser.add_argument("--retire-older-than", type=int, metavar="DAYS")

    def handle(self, *args, retire_older_than=None, **options):
        key = generate_key()
        self.stdout.write(f"New signing key {key.kid}.")
        if retire_older_than is not None:
            cutoff = timezone.now() - datetime.timedelta(days=retire_older_than)
            retired = (
                ToolKey.objects.filter(is_active=True, created_at__lt=cutoff)
                .exclude(pk=key.pk)
                .update(is_active=False)
            )
            self.stdout.write(f"Retired {retired} older key(s).")
