"""`manage.py load_content`: the content files reach a site as new revisions, in review or
published; a second run changes nothing; a change made in the admin is not overwritten
without --force. Runs against a copy of the content files, one module at a time."""

import importlib
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import WorkflowState

from courses import content_loader as course_content
from courses import content_sync
from courses.models import LessonPage, LoadedContent, ModulePage, Source
from quizzes import content_loader as quiz_content
from quizzes.models import ScenarioQuizPage

# load_content's first run meets a site without the registers the session loads.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_registers")]

MODULE = "stalking-door-ex-partner"
MODULE_FILE = "04-stalking-door-ex-partner.yaml"


@pytest.fixture
def content(tmp_path, monkeypatch, home_page) -> Path:
    """A copy of the content files the loaders read, for a test to change."""
    courses_dir = tmp_path / "courses"
    quizzes_dir = tmp_path / "quizzes"
    shutil.copytree(course_content.CONTENT_DIR, courses_dir)
    shutil.copytree(quiz_content.CONTENT_DIR, quizzes_dir)
    monkeypatch.setattr(course_content, "CONTENT_DIR", courses_dir)
    monkeypatch.setattr(quiz_content, "CONTENT_DIR", quizzes_dir)
    return courses_dir


def load(capsys, *args: str) -> str:
    call_command("load_content", "--module", MODULE, *args)
    return capsys.readouterr().out


def edit_file(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def module_page() -> ModulePage:
    return ModulePage.objects.get(slug=MODULE)


def in_review(page) -> bool:
    return WorkflowState.objects.filter(
        base_content_type=page.get_base_content_type(),
        object_id=str(page.pk),
        status=WorkflowState.STATUS_IN_PROGRESS,
    ).exists()


def test_first_load_submits_everything_for_review_and_a_second_run_changes_nothing(content, capsys):
    out = load(capsys)
    module = module_page()
    assert not module.live, "waits for the reviewer's approval"
    assert in_review(module)
    lessons = LessonPage.objects.child_of(module)
    assert [lesson.slug for lesson in lessons.order_by("path")] == [
        "stalking-als-rode-vlag",
        "stalking-herkennen-achter-andere-delicten",
        "beschermen-en-samenwerken",
    ]
    assert all(in_review(lesson) for lesson in lessons)
    quiz = ScenarioQuizPage.objects.child_of(module).get()
    assert in_review(quiz)
    assert "created (submitted for review)" in out
    assert Source.objects.filter(key="plan-stop-femicide-2024").exists()
    assert LoadedContent.objects.filter(page_id=module.pk).exists()
    revisions = module.revisions.count()

    again = load(capsys)
    assert "Nothing to change" in again
    assert module_page().revisions.count() == revisions


def test_publish_makes_the_module_live_with_version_one(content, capsys):
    load(capsys, "--publish")
    module = module_page()
    assert module.live and module.current_version == 1
    assert not in_review(module)
    assert LessonPage.objects.child_of(module).live().count() == 3
    assert ScenarioQuizPage.objects.child_of(module).live().exists()
    assert "Nothing to change" in load(capsys, "--publish")


def test_a_changed_file_becomes_a_new_revision_in_review_and_the_live_page_stays(content, capsys):
    load(capsys, "--publish")
    live_summary = module_page().summary
    edit_file(
        content / "modules" / MODULE_FILE,
        "Een verdiepingsmodule over (ex-)partnerstalking",
        "Een herziene verdiepingsmodule over (ex-)partnerstalking",
    )

    out = load(capsys)

    module = module_page()
    assert module.current_version == 1
    assert "module stalking-door-ex-partner: updated (submitted for review)" in out
    assert module.summary == live_summary, "the live page waits for approval"
    assert module.has_unpublished_changes and in_review(module)
    assert module.get_latest_revision_as_object().summary.startswith("Een herziene")
    # Only the module changed: its lessons and quiz are left as they were.
    assert not any(in_review(lesson) for lesson in LessonPage.objects.child_of(module))
    assert "Nothing to change" in load(capsys)


def test_an_edit_in_the_admin_is_not_overwritten_without_force(content, capsys):
    load(capsys, "--publish")
    # An editor changes the live module in the admin (a new revision).
    edited = module_page().get_latest_revision_as_object()
    edited.summary = "Door een redacteur aangepast."
    edited.save_revision().publish()
    edit_file(
        content / "modules" / MODULE_FILE,
        "Een verdiepingsmodule over (ex-)partnerstalking",
        "Een herziene verdiepingsmodule over (ex-)partnerstalking",
    )

    with pytest.raises(CommandError, match="changed in the admin"):
        load(capsys)
    out = capsys.readouterr().out
    assert "module stalking-door-ex-partner: conflict" in out
    assert module_page().get_latest_revision_as_object().summary == "Door een redacteur aangepast."

    forced = load(capsys, "--force")
    assert "module stalking-door-ex-partner: overwritten" in forced
    assert module_page().get_latest_revision_as_object().summary.startswith("Een herziene")
    assert in_review(module_page())


def test_an_edit_in_the_admin_is_reported_even_when_the_files_did_not_change(content, capsys):
    load(capsys, "--publish")
    lesson = LessonPage.objects.get(slug="stalking-als-rode-vlag").get_latest_revision_as_object()
    lesson.title = "Stalking als rode vlag (herzien in het beheer)"
    lesson.save_revision()
    with pytest.raises(CommandError):
        load(capsys)
    out = capsys.readouterr().out
    assert "lesson of stalking-door-ex-partner stalking-als-rode-vlag: conflict" in out
    latest = LessonPage.objects.get(slug="stalking-als-rode-vlag").get_latest_revision_as_object()
    assert latest.title.endswith("(herzien in het beheer)")


def test_a_register_entry_edited_in_the_admin_is_kept_and_a_changed_file_updates_it(
    content, capsys
):
    load(capsys, "--publish")
    source = Source.objects.get(key="wmo-2015")
    source.title = "Wmo 2015 (door de redactie aangepast)"
    source.save()
    with pytest.raises(CommandError):
        load(capsys)
    assert "source wmo-2015: conflict" in capsys.readouterr().out
    assert Source.objects.get(key="wmo-2015").title.endswith("aangepast)")

    # A register entry nobody touched follows its file.
    edit_file(
        content / "sources.yaml",
        "title: Anoniem melden",
        "title: Anoniem melden (herzien)",
    )
    with pytest.raises(CommandError):  # the wmo-2015 conflict remains
        load(capsys)
    assert "source vt-noordoost-gelderland-anoniem: updated" in capsys.readouterr().out
    assert Source.objects.get(key="vt-noordoost-gelderland-anoniem").title.endswith("(herzien)")


def test_a_dry_run_reports_and_changes_nothing(content, capsys):
    out = load(capsys, "--dry-run")
    assert "would be created" in out and "Dry run" in out
    assert not ModulePage.objects.exists()
    assert not Source.objects.exists()


def test_a_substantive_change_in_the_file_starts_a_new_module_version_once(content, capsys):
    load(capsys, "--publish")
    assert module_page().current_version == 1
    edit_file(
        content / "modules" / MODULE_FILE,
        "last_reviewed: 2026-12-07\n",
        "last_reviewed: 2026-12-07\nchange:\n  version: 2\n  note: Nieuwe les over bescherming.\n",
    )
    edit_file(
        content / "modules" / MODULE_FILE,
        "Een verdiepingsmodule over (ex-)partnerstalking",
        "Een herziene verdiepingsmodule over (ex-)partnerstalking",
    )
    load(capsys, "--publish")
    module = module_page()
    assert module.current_version == 2
    assert module.versions.get(number=2).note == "Nieuwe les over bescherming."
    assert not module.substantive_change, "the tick applies to that publication only"
    # The change stays in the file, but applies to the step from version 1 only.
    assert "Nothing to change" in load(capsys, "--publish")
    assert module_page().current_version == 2
    # A later, ordinary change keeps the version (the revision does not set it back).
    edit_file(content / "modules" / MODULE_FILE, "Een herziene", "Een opnieuw herziene")
    load(capsys, "--publish")
    assert module_page().current_version == 2


def test_an_unknown_module_is_refused(content):
    with pytest.raises(CommandError, match="No content file"):
        call_command("load_content", "--module", "bestaat-niet")


def test_the_migration_registers_the_seed_documents_as_the_content_files_do():
    # So a site migrated from file-name citations is not told its register was edited.
    migration = importlib.import_module("courses.migrations.0004_source_register")
    files = {entry["key"]: entry for entry in course_content.read_source_file()}
    for seed in migration.SEED_SOURCES.values():
        fields = dict(seed)
        key = fields.pop("key")
        assert fields == course_content.source_fields(files[key])
        assert migration._loaded_hash(fields) == content_sync.digest(fields)
