"""Load the roles and the example expertise framework (organisations/content/) without the
demo: safe in production and safe to run again."""

from django.core.management.base import BaseCommand, CommandError

from organisations.seed import SeedError, load_seed


class Command(BaseCommand):
    help = (
        "Create the roles and the example expertise framework from organisations/content/. "
        "Existing roles and frameworks are left as administrators made them."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Set the example framework's requirements to the file's again.",
        )
        parser.add_argument(
            "--skip-missing-modules",
            action="store_true",
            help="Leave out requirements for modules that do not exist instead of stopping.",
        )

    def handle(self, *args, replace: bool, skip_missing_modules: bool, **options) -> None:
        try:
            loaded = load_seed(replace=replace, skip_missing_modules=skip_missing_modules)
        except SeedError as error:
            raise CommandError(str(error)) from error
        state = "created" if loaded.created else ("replaced" if replace else "left as it was")
        self.stdout.write(
            self.style.SUCCESS(
                f"Roles loaded. Framework '{loaded.framework}' {state}: "
                f"{loaded.requirements} requirements."
            )
        )
        if loaded.missing_modules:
            self.stdout.write(
                self.style.WARNING(
                    "Left out (module missing): " + ", ".join(loaded.missing_modules)
                )
            )
