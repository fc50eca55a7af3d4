"""Load or update the scenario content from the content files (`manage.py load_content`):
the signals as snippets and each module's quiz as a new revision, with the same rules as
courses.content_sync (unchanged files change nothing; an edit made in the admin is not
overwritten without `force`)."""

from courses import content_loader as course_content
from courses.content_sync import Options, Outcome, Report, fields_of, snippet_sync, sync_page
from courses.models import ModulePage, Theme

from . import content_loader
from .models import ScenarioQuizPage, Signal

QUIZ_FIELDS = (
    "title", "slug", "intro", "content_note", "pass_mark", "attempts_allowed", "wait_minutes",
    "shuffle", "feedback_timing", "steps", "sources",
)  # fmt: skip


def sync_signals(*, report: Report, options: Options) -> None:
    themes = {theme.slug: theme for theme in Theme.objects.all()}
    for signal in content_loader.read_signal_file():
        theme = themes.get(signal["theme"])
        if theme is None:
            # Only in a dry run that has not created the theme yet.
            report.add("signal", signal["slug"], Outcome.CREATED, "would be created")
            continue
        snippet_sync(
            report=report,
            kind="signal",
            model=Signal,
            lookup={"slug": signal["slug"]},
            wanted={
                "name": signal["name"],
                "kind": signal["kind"],
                "theme": theme,
                "description": signal.get("description", ""),
            },
            current=lambda obj: fields_of(obj, ("name", "kind", "theme", "description")),
            options=options,
        )


def sync_quizzes(
    *, report: Report, modules: dict[str, ModulePage | None], options: Options
) -> list[ScenarioQuizPage]:
    """The quiz of every module in `modules` (other quiz files are skipped; a module that
    is None, one a dry run would create, gets a quiz that would be created)."""
    sync_signals(report=report, options=options)
    ids = course_content.source_ids()
    quizzes = []
    for content in content_loader.read_quiz_files():
        slug = content.data["module"]
        if slug not in modules:
            continue
        quiz = sync_page(
            report=report,
            kind=f"quiz of {slug}",
            parent=modules.get(slug),
            model=ScenarioQuizPage,
            built=content_loader.unsaved_quiz_page(content.data, ids),
            fields=QUIZ_FIELDS,
            options=options,
        )
        if quiz is not None:
            quizzes.append(quiz)
    return quizzes
