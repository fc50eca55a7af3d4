"""Fill a development or benchmark database with synthetic organisations (see
organisations/load_test_data.py). Never on production: it needs DEBUG, or --force."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from organisations import load_test_data


class Command(BaseCommand):
    help = (
        "Create synthetic organisations with members, teams, enrolments and certificates "
        "for load tests (only with DEBUG on, or --force)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--members", type=int, required=True, help="Members in all.")
        parser.add_argument(
            "--organisations", type=int, default=1, help="Spread the members over N (1)."
        )
        parser.add_argument("--seed", type=int, default=0, help="Random seed (0).")
        parser.add_argument("--prefix", default="load", help="Organisation slug prefix (load).")
        parser.add_argument("--sector", default=None, help="Sector slug (veilig-thuis).")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run without DEBUG (a benchmark database). Never on production.",
        )

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "generate_load_data only runs with DEBUG on (DJANGO_DEBUG=1) or with --force "
                "on a database meant for load tests: it adds thousands of fake people."
            )
        verbosity = options["verbosity"]
        try:
            result = load_test_data.generate(
                members=options["members"],
                organisations=options["organisations"],
                seed=options["seed"],
                prefix=options["prefix"],
                sector=options["sector"],
                progress=self.stdout.write if verbosity > 1 else None,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {len(result.organisations)} organisations, {result.members} members, "
                f"{result.teams} teams, {result.enrolments} enrolments and "
                f"{result.certificates} certificates in {result.seconds:.1f} s."
            )
        )
        for organisation, coordinator in zip(
            result.organisations, result.coordinators, strict=True
        ):
            self.stdout.write(
                f"  /organisaties/{organisation.slug}/  coordinator: {coordinator} "
                "(no password; set one in the admin, or sign in as an administrator)"
            )
