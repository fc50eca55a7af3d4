"""The reviewable course content in courses/content/: complete, cited from the source
register, reviewed, safe, and it loads into Wagtail."""

import datetime
import re

import pytest

from courses import content_loader
from courses.models import LessonPage, ModulePage, Sector, Source

MODULE_FILES = content_loader.read_module_files()
MODULES = {module.data["slug"]: module.data for module in MODULE_FILES}
REGISTER = {entry["key"]: entry for entry in content_loader.read_source_file()}
REQUIRED_THEMES = {
    "rode-vlaggen",
    "intieme-terreur",
    "dwingende-controle",
    "gendersensitief-werken",
    "meldcode",
    "samenwerken-en-veiligheid",
}
NEW_MODULES = {
    "beroepsgeheim-meldrecht-en-informatie-delen",
    "veilig-in-contact-met-plegers",
    "acuut-wurging-en-seksueel-geweld",
}
# A seed file name such as 003_98c1f7ff10860fd2.txt: never shown to learners.
SEED_FILE_NAME = re.compile(r"\d{3}_[0-9a-f]{16}\.txt")


def module_text(slug: str) -> str:
    return str(MODULES[slug])


def lesson_blocks(data: dict):
    for lesson in data["lessons"]:
        yield from ((lesson, block) for block in lesson["body"])


def test_there_are_ten_modules_covering_every_theme():
    assert len(MODULE_FILES) >= 10
    assert set(MODULES) >= NEW_MODULES
    covered = {theme for module in MODULE_FILES for theme in module.data["themes"]}
    assert covered >= REQUIRED_THEMES


@pytest.mark.parametrize("module", MODULE_FILES, ids=lambda module: module.path.name)
def test_each_module_has_register_sources_objectives_and_three_lessons(module):
    data = module.data
    assert len(data["learning_objectives"]) >= 3
    assert len(data["lessons"]) >= 3
    assert data["sources"], "a module must cite its sources"
    citations = list(data["sources"])
    for lesson in data["lessons"]:
        citations += lesson.get("sources") or []
        assert "text" in {block["type"] for block in lesson["body"]}
    for citation in citations:
        assert citation["source"] in REGISTER
        assert str(citation["passage"]).strip()


@pytest.mark.parametrize("module", MODULE_FILES, ids=lambda module: module.path.name)
def test_each_module_is_reviewed_and_due_for_review_in_the_future(module):
    data = module.data
    today = datetime.date.today()
    assert data["last_reviewed"] <= today < data["next_review"]


@pytest.mark.parametrize("module", MODULE_FILES, ids=lambda module: module.path.name)
def test_lessons_about_violence_carry_a_content_note(module):
    assert module.data["content_note"].strip()
    for lesson in module.data["lessons"]:
        kinds = {block["type"] for block in lesson["body"]}
        if kinds & {"case_vignette", "red_flag"}:
            assert (lesson.get("content_note") or "").strip(), lesson["slug"]


def test_the_register_has_the_five_seed_documents_with_real_titles_and_no_file_names():
    seeds = {
        "plan-stop-femicide-2024": datetime.date(2024, 6, 7),
        "utrecht-raadsbrief-femicide-2025": datetime.date(2025, 6, 10),
        "regiovisie-utrecht-amersfoort-2015": datetime.date(2015, 1, 1),
        "zvhbzo-beleidsgereedschappen-2025": datetime.date(2025, 10, 1),
        "hengelo-raadsbrief-femicide-2026": datetime.date(2026, 3, 24),
    }
    for key, date in seeds.items():
        entry = REGISTER[key]
        assert entry["date"] == date
        assert entry["issuer"].strip() and entry["title"].strip()
        assert SEED_FILE_NAME.search(entry["note"]), "the editor's note names the seed file"
    for entry in REGISTER.values():
        shown = " ".join(
            str(entry.get(field, "")) for field in ("issuer", "title", "reference", "url")
        )
        assert not SEED_FILE_NAME.search(shown), entry["key"]
        assert entry.get("url") or entry.get("reference")
        assert entry.get("checked_on"), "every entry says when it was last checked"


def test_no_learner_visible_content_names_a_seed_file():
    for slug in MODULES:
        assert not SEED_FILE_NAME.search(module_text(slug)), slug


# --- Issue 17: the errors the domain review found ---------------------------------


def test_the_meldcode_module_teaches_the_2019_afwegingskader():
    text = module_text("handelen-met-de-meldcode")
    assert "afwegingskader" in text
    assert "acute of structurele onveiligheid" in text
    assert "twee beslissingen" in text
    assert "1 januari 2019" in text
    # Where the 2015 regional vision differed, citing both.
    assert "2015" in text and "hulp organiseren <em>of</em> melden" in text
    cited = {citation["source"] for citation in MODULES["handelen-met-de-meldcode"]["sources"]}
    assert {"regiovisie-utrecht-amersfoort-2015", "rijksoverheid-afwegingskader-meldcode"} <= cited
    # A cited passage is used: the adviesplicht is discussed.
    assert "adviesplicht" in text


def test_professionals_report_under_their_own_name():
    for slug in ("handelen-met-de-meldcode", "samenwerken-aan-veiligheid"):
        text = module_text(slug)
        assert "onder eigen naam" in text
        assert "desgewenst anoniem" not in text
    # The old sentence: professionals could report anonymously.
    for slug in MODULES:
        assert "professionals, desgewenst anoniem" not in module_text(slug)


def test_strangulation_leads_to_prompt_medical_examination():
    text = module_text("rode-vlaggen-herkennen")
    assert "snel medisch te laten onderzoeken" in text
    assert "48 uur" in text
    assert "medisch" in module_text("acuut-wurging-en-seksueel-geweld")


def test_the_point_5_corrections():
    samenwerken = module_text("samenwerken-aan-veiligheid")
    assert "minimaal dwang en drang" not in samenwerken
    assert "ten minste dwang en drang" in samenwerken
    assert "dat het verbod ook uitvoert" not in samenwerken
    assert "Veilig Thuis handhaaft het verbod niet" in samenwerken
    assert "uiterste eind" not in module_text("femicide-begrippen-en-omvang")
    assert "Niet elke femicide" in module_text("femicide-begrippen-en-omvang")
    intieme_terreur = module_text("intieme-terreur-en-dwingende-controle")
    assert "rekent het samen met ex-partnerstalking" not in intieme_terreur
    assert "Het plan van aanpak noemt die vier vormen belangrijke voorspellers" in intieme_terreur
    assert "bi- en homoseksuele personen" in module_text(
        "gendersensitief-en-intersectioneel-werken"
    )
    assert "'onveilige situatie'" not in module_text("rode-vlaggen-herkennen")
    everything = " ".join(module_text(slug) for slug in MODULES)
    assert "zelfmoord gepleegd" not in everything and "zelfmoord plegen" not in everything
    # One term (the plan's), and once the other is named as the plan's word in its list.
    assert everything.count("dwangmatige controle") == 1


def test_the_new_topics_are_in_the_modules():
    assert "artikel 5.2.6" in module_text("beroepsgeheim-meldrecht-en-informatie-delen")
    assert "Actieoverleg" in module_text("beroepsgeheim-meldrecht-en-informatie-delen")
    assert "MDA++" in module_text("beroepsgeheim-meldrecht-en-informatie-delen")
    plegers = module_text("veilig-in-contact-met-plegers")
    assert "prioriteit" in plegers and "relatietherapie" in plegers
    acuut = module_text("acuut-wurging-en-seksueel-geweld")
    assert "0800-0188" in acuut and "zeven dagen" in acuut
    assert "'wie moet wat weten'" in module_text("femicide-begrippen-en-omvang")
    # Veilig Thuis 24/7, aftercare, bereaved relatives, regional practices named as examples.
    assert "24 uur per dag, 7 dagen per week" in module_text("samenwerken-aan-veiligheid")
    assert "nabestaanden" in module_text("samenwerken-aan-veiligheid")
    assert "Een voorbeeld uit Utrecht" in module_text("samenwerken-aan-veiligheid")
    assert "Een voorbeeld uit Twente" in module_text("samenwerken-aan-veiligheid")
    assert "Een voorbeeld uit Brabant" in acuut


def test_the_taxonomy_has_the_plan_sectors_and_caribisch_nederland_says_rules_differ():
    sectors = {sector["slug"]: sector for sector in content_loader.load_taxonomy_file()["sectors"]}
    assert {
        "financiele-dienstverlening",
        "ggz-en-verslavingszorg",
        "ziekenhuizen",
        "woningcorporaties",
        "rechtspraak",
        "advocatuur-en-mediation",
        "vrijwilligers-sport-en-levensbeschouwing",
        "caribisch-nederland",
    } <= set(sectors)
    assert "andere regels" in sectors["caribisch-nederland"]["description"]


def test_a_content_file_that_breaks_the_schema_is_refused_with_its_name(tmp_path):
    (tmp_path / "99-kapot.yaml").write_text("slug: kapot\ntitle: Kapot\n", encoding="utf-8")
    with pytest.raises(content_loader.ContentError, match="99-kapot.yaml"):
        content_loader.read_module_files(tmp_path)


def test_unquoted_text_that_yaml_reads_as_a_mapping_is_refused(tmp_path):
    data = MODULE_FILES[0].path.read_text(encoding="utf-8")
    broken = data.replace(
        "          - Het landelijke plan omschrijft femicide",
        "          - Let op: het landelijke plan omschrijft femicide",
        1,
    )
    assert broken != data
    (tmp_path / "01-kapot.yaml").write_text(broken, encoding="utf-8")
    with pytest.raises(content_loader.ContentError, match="must be text"):
        content_loader.read_module_files(tmp_path)


def test_a_citation_of_an_unknown_source_is_refused(tmp_path):
    data = MODULE_FILES[0].path.read_text(encoding="utf-8")
    broken = data.replace("source: plan-stop-femicide-2024", "source: bestaat-niet", 1)
    (tmp_path / "01-kapot.yaml").write_text(broken, encoding="utf-8")
    with pytest.raises(content_loader.ContentError, match="unknown source 'bestaat-niet'"):
        content_loader.read_module_files(tmp_path)


@pytest.mark.django_db
def test_loaded_modules_show_citations_and_review_dates_but_no_file_names(home_page, client):
    from courses.demo import load_demo_modules
    from tests.factories import UserFactory

    modules = load_demo_modules(home=home_page)
    assert len(modules) == len(MODULE_FILES)
    assert Source.objects.count() == len(REGISTER)
    assert Sector.objects.get(slug="caribisch-nederland").description
    client.force_login(UserFactory())
    for module in ModulePage.objects.live():
        assert module.next_review > datetime.date.today()
        assert all(block.value["source"] is not None for block in module.sources)
        page = client.get(module.url).content.decode()
        assert not SEED_FILE_NAME.search(page)
        assert module.last_reviewed.strftime("%Y") in page
        first = module.sources[0].value["source"]
        assert first.title.split("‘")[0] in page
        lessons = LessonPage.objects.child_of(module).live()
        assert lessons.count() >= 3
        for lesson in lessons:
            content = client.get(lesson.url).content.decode()
            assert not SEED_FILE_NAME.search(content), lesson.url
            if lesson.content_note:
                assert lesson.content_note[:40] in content
    # Loading again changes nothing.
    load_demo_modules(home=home_page)
    assert ModulePage.objects.count() == len(MODULE_FILES)
