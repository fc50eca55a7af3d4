"""The reviewable course content in courses/content/ is complete and loads into Wagtail."""

import datetime

import pytest

from courses import content_loader
from courses.models import LessonPage, ModulePage

MODULE_FILES = content_loader.read_module_files()
REQUIRED_THEMES = {
    "rode-vlaggen",
    "intieme-terreur",
    "dwingende-controle",
    "gendersensitief-werken",
    "meldcode",
    "samenwerken-en-veiligheid",
}
SEED_DOCUMENTS = {
    "000_9ddfa5141d74bb22.txt",
    "001_ec897ccb2fa13a5d.txt",
    "002_1d09b263c79ef7be.txt",
    "003_98c1f7ff10860fd2.txt",
    "004_4fb8a859a2c93b14.txt",
}


def test_there_are_at_least_six_modules_covering_every_theme():
    assert len(MODULE_FILES) >= 6
    covered = {theme for module in MODULE_FILES for theme in module.data["themes"]}
    assert covered >= REQUIRED_THEMES


@pytest.mark.parametrize("module", MODULE_FILES, ids=lambda module: module.path.name)
def test_each_module_has_sources_objectives_and_three_lessons(module):
    data = module.data
    assert len(data["learning_objectives"]) >= 3
    assert len(data["lessons"]) >= 3
    assert data["sources"], "a module must cite its sources"
    for source in data["sources"]:
        assert source["document"] in SEED_DOCUMENTS
        assert source["section"].strip()
    for lesson in data["lessons"]:
        kinds = {block["type"] for block in lesson["body"]}
        assert "text" in kinds


def test_red_flags_module_covers_strangulation_and_stalking():
    text = " ".join(
        str(block) for module in MODULE_FILES if "rode-vlaggen" in module.data["themes"]
        for lesson in module.data["lessons"] for block in lesson["body"]
    ).lower()  # fmt: skip
    assert "wurging" in text
    assert "stalking" in text


def test_samenwerken_covers_the_named_arrangements():
    text = " ".join(
        str(module.data) for module in MODULE_FILES
        if "samenwerken-en-veiligheid" in module.data["themes"]
    ).lower()  # fmt: skip
    for term in ("veilig thuis", "actieoverleg", "mda++", "tijdelijk huisverbod"):
        assert term in text


@pytest.mark.django_db
def test_loaded_modules_have_alt_text_on_images_and_a_future_review_date(home_page):
    from courses.demo import load_demo_modules

    modules = load_demo_modules(home=home_page)
    assert len(modules) == len(MODULE_FILES)
    today = datetime.date.today()
    for module in ModulePage.objects.live():
        assert module.next_review > today
        assert len(module.sources) >= 1
        assert len(module.learning_objectives) >= 3
        lessons = LessonPage.objects.child_of(module).live()
        assert lessons.count() >= 3
        for lesson in lessons:
            for block in lesson.body:
                if block.block_type == "image":
                    assert block.value["alt_text"].strip()
                if block.block_type == "video":
                    assert str(block.value["transcript"]).strip()
    # Loading again changes nothing.
    load_demo_modules(home=home_page)
    assert ModulePage.objects.count() == len(MODULE_FILES)


def test_a_content_file_that_breaks_the_schema_is_refused_with_its_name(tmp_path):
    (tmp_path / "99-kapot.yaml").write_text("slug: kapot\ntitle: Kapot\n", encoding="utf-8")
    with pytest.raises(content_loader.ContentError, match="99-kapot.yaml"):
        content_loader.read_module_files(tmp_path)
