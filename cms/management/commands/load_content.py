"""Load or update the course content from the content files in the repository (the source
of truth): taxonomy, source register, modules with their lessons, signals and quizzes.

Every changed page becomes a new revision, submitted to the review workflow (or published
with --publish). Running it again with unchanged files changes nothing. A page or snippet
changed in the admin since the last load is reported and left alone, unless --force."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from wagtail.models import Site

from courses import content_loader
from courses.api import ensure_review_workflow
from courses.content_sync import Options, Outcome, Report, sync_courses
from courses.models import CourseIndexPage
from quizzes.content_sync import sync_quizzes

SYMBOLS = {
    Outcome.CREATED: "+",
    Outcome.UPDATED: "~",
    Outcome.OVERWRITTEN: "!",
    Outcome.CONFLICT: "x",
    Outcome.NOT_IN_FILES: "?",
}


class Command(BaseCommand):
    help = (
        "Load or update modules, lessons, quizzes, the source register and the taxonomy "
        "from the content files, as new revisions submitted for review (or published with "
        "--publish). Safe to run again; never overwrites admin changes without --force."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish new revisions at once instead of submitting them for review.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Overwrite pages and snippets that were changed in the admin since the last load.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; change nothing."
        )
        parser.add_argument(
            "--module",
            action="append",
            dest="modules",
            metavar="SLUG",
            help="Only this module (and its lessons and quiz); may be repeated.",
        )
        parser.add_argument(
            "--verbose-unchanged", action="store_true", help="Also list what is unchanged."
        )

    def handle(self, *args, **options) -> None:
        only = set(options["modules"] or ())
        known = {content.data["slug"] for content in content_loader.read_module_files()}
        if unknown := only - known:
            raise CommandError(f"No content file for module(s): {', '.join(sorted(unknown))}")
        sync_options = Options(
            publish=options["publish"], force=options["force"], dry_run=options["dry_run"]
        )
        report = Report()
        with transaction.atomic():
            catalogue = self._catalogue(dry_run=sync_options.dry_run)
            if catalogue is not None and not sync_options.dry_run:
                ensure_review_workflow(catalogue=catalogue)
            modules = sync_courses(
                report=report, catalogue=catalogue, options=sync_options, only=only or None
            )
            sync_quizzes(report=report, modules=modules, options=sync_options)
        self._print(report, verbose=options["verbose_unchanged"], dry_run=sync_options.dry_run)
        if report.conflicts:
            raise CommandError(
                f"{len(report.conflicts)} item(s) were changed in the admin and not "
                "overwritten (see above). Carry those changes into the content files, or run "
                "again with --force to overwrite them."
            )

    def _catalogue(self, *, dry_run: bool) -> CourseIndexPage | None:
        catalogue = CourseIndexPage.objects.first()
        if catalogue is not None or dry_run:
            return catalogue
        site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
        if site is None:
            raise CommandError("There is no default site yet: create the site first.")
        return content_loader.ensure_catalogue(home=site.root_page.specific)

    def _print(self, report: Report, *, verbose: bool, dry_run: bool) -> None:
        for result in report.results:
            if result.outcome == Outcome.UNCHANGED and not (verbose or result.detail):
                continue
            line = f"  {SYMBOLS.get(result.outcome, '=')} {result.kind} {result.name}: "
            line += result.outcome.value + (f" ({result.detail})" if result.detail else "")
            style = {
                Outcome.CONFLICT: self.style.ERROR,
                Outcome.OVERWRITTEN: self.style.WARNING,
            }.get(result.outcome, str)
            self.stdout.write(style(line))
        counts = ", ".join(
            f"{report.count(outcome)} {outcome.value}"
            for outcome in Outcome
            if report.count(outcome)
        )
        if not report.changed and not report.conflicts:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Nothing to change: the site matches the content files ({counts})."
                )
            )
        else:
            prefix = "Dry run, nothing changed: " if dry_run else ""
            self.stdout.write(self.style.SUCCESS(f"{prefix}{counts}."))
