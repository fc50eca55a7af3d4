"""An author builds a branching scenario quiz in the Wagtail admin with the step choosers
only, and watches the map, the outline and the checks follow (issue 21)."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.services import ensure_verified_account
from courses import content_loader
from quizzes import scenario as rules
from quizzes.models import ScenarioQuizPage
from tests.auth import TOTP_SECRET, give_totp
from tests.courses.conftest import make_module
from tests.e2e.conftest import AXE_SOURCE, log_in
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def module(site):
    content_loader.ensure_taxonomy()
    catalogue = content_loader.ensure_catalogue(home=site)
    module = make_module(catalogue, "Stalking door een ex-partner", lessons=1)
    author = ensure_verified_account(
        email="beheer@example.nl", full_name="Bea Beheer", password=TEST_PASSWORD,
        is_superuser=True,
    )  # fmt: skip
    give_totp(author)
    return module


SCREENSHOTS = Path(os.environ.get("SIGNAAL_SCREENSHOTS", "test-results/screenshots"))


def field(page, name: str):
    return page.locator(f'[name="{name}"]')


def chooser(page, name: str):
    """The step chooser that stands in for a next-step or branch-target key field."""
    return page.locator(f'[name="{name}"] + select')


def add_block(page, container, kind: str) -> None:
    container.locator("button.c-sf-add-button").last.click()
    page.get_by_role("option", name=kind).click()


def add_choice(page, step: int) -> None:
    choices = page.locator('[data-contentpath="steps"] [data-contentpath="choices"]').nth(step)
    choices.locator("button.c-sf-add-button").last.click()


def panel_accessible(page) -> None:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE.read_text())
    result = page.evaluate(
        """() => axe.run('.signaal-scenario-map', {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"""
    )
    serious = [
        (violation["id"], [node["target"] for node in violation["nodes"]][:3])
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert serious == []


def test_an_author_builds_a_branching_quiz_with_the_choosers_only(page, module):
    log_in(page, "beheer@example.nl", "/beheer/", totp_secret=TOTP_SECRET)
    page.wait_for_url(re.compile(r"/beheer/"))
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/beheer/pages/add/quizzes/scenarioquizpage/{module.pk}/")
    page.locator("#id_title").fill("Toets")
    panel = page.locator(".signaal-scenario-map")
    checks = panel.locator("[data-signaal-scenario-map-target=problems]")
    outline = panel.locator("[data-signaal-scenario-map-target=outline]")
    expect(checks).to_contain_text("De toets heeft geen stappen.")

    # The first step: its key follows its title, nobody types it.
    add_block(page, page.locator("#steps-root"), "Beslissing (één keuze)")
    field(page, "steps-0-value-title").press_sequentially("Het gesprek")
    expect(field(page, "steps-0-value-key")).to_have_value("het-gesprek")
    field(page, "steps-0-value-choices-0-value-label").fill("Ik vraag door")
    field(page, "steps-0-value-choices-0-value-score").fill("2")
    add_choice(page, 0)
    field(page, "steps-0-value-choices-1-value-label").fill("Ik sluit het gesprek af")
    # A problem appears, in the publication check's words.
    not_chosen = (
        "Bij stap 'het-gesprek' (Het gesprek), keuze 2 ('Ik sluit het gesprek af'), "
        "staat niet welke stap hierna komt."
    )
    expect(checks).to_contain_text(not_chosen)

    # 'New step' from the chooser adds the step and points the choice at it.
    chooser(page, "steps-0-value-choices-0-value-next").select_option(
        label="Nieuwe stap: Beslissing (één keuze)"
    )
    expect(field(page, "steps-1-value-key")).to_have_value("stap-2")
    expect(field(page, "steps-0-value-choices-0-value-next")).to_have_value("stap-2")
    field(page, "steps-1-value-title").press_sequentially("Een week later")
    # The new step's key follows its title, and the choice that leads there follows the key.
    expect(field(page, "steps-1-value-key")).to_have_value("een-week-later")
    expect(field(page, "steps-0-value-choices-0-value-next")).to_have_value("een-week-later")
    chooser(page, "steps-0-value-choices-1-value-next").select_option(label="Nieuwe stap: Einde")
    field(page, "steps-2-value-title").press_sequentially("Zorgelijke afloop")
    expect(field(page, "steps-2-value-key")).to_have_value("zorgelijke-afloop")
    expect(checks).not_to_contain_text(not_chosen)

    field(page, "steps-1-value-choices-0-value-label").fill("Ik bel Veilig Thuis")
    field(page, "steps-1-value-choices-0-value-score").fill("1")
    chooser(page, "steps-1-value-choices-0-value-next").select_option(label="Nieuwe stap: Einde")
    field(page, "steps-3-value-title").press_sequentially("Goede afloop")
    add_choice(page, 1)
    field(page, "steps-1-value-choices-1-value-label").fill("Ik wacht af")
    # An existing step is chosen by its title.
    expect(chooser(page, "steps-1-value-choices-1-value-next")).to_contain_text(
        "Zorgelijke afloop (zorgelijke-afloop)"
    )
    chooser(page, "steps-1-value-choices-1-value-next").select_option(
        label="Zorgelijke afloop (zorgelijke-afloop)"
    )

    # A branch on the first step, its target chosen the same way.
    branches = page.locator('[data-contentpath="steps"] [data-contentpath="branches"]').first
    branches.locator("button.c-sf-add-button").first.click()
    field(page, "steps-0-value-branches-0-value-min_missed").fill("1")
    chooser(page, "steps-0-value-branches-0-value-next").select_option(
        label="Zorgelijke afloop (zorgelijke-afloop)"
    )

    # The map and the outline follow: four steps, the branch among the ways on.
    expect(checks).to_contain_text("Geen problemen")
    expect(panel.locator("svg .signaal-scenario-map__node")).to_have_count(4)
    expect(panel.locator("svg .signaal-scenario-map__edge--branch")).to_have_count(1)
    expect(outline).to_contain_text("Bij 1 of meer gemiste signalen → Zorgelijke afloop")
    expect(outline).to_contain_text("Een week later (een-week-later)")

    # Renaming a key carries its links; taking another step's key is refused.
    key = field(page, "steps-2-value-key")
    key.fill("slechte-afloop")
    key.press("Tab")
    expect(field(page, "steps-1-value-choices-1-value-next")).to_have_value("slechte-afloop")
    expect(field(page, "steps-0-value-branches-0-value-next")).to_have_value("slechte-afloop")
    expect(
        page.get_by_text("verwijzingen naar 'zorgelijke-afloop' leiden nu hierheen")
    ).to_be_visible()
    key.fill("goede-afloop")
    key.press("Tab")
    expect(key).to_have_value("slechte-afloop")
    expect(page.get_by_text("heeft de sleutel 'goede-afloop' al")).to_be_visible()
    expect(checks).to_contain_text("Geen problemen")

    panel.scroll_into_view_if_needed()
    panel_accessible(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        panel.screenshot(path=str(SCREENSHOTS / f"admin-quiz-map-{width}.png"))
        box = panel.bounding_box()
        assert box["x"] + box["width"] <= width
    page.set_viewport_size({"width": 1280, "height": 900})
    next_step = chooser(page, "steps-0-value-choices-0-value-next")
    next_step.locator("xpath=ancestor::div[@data-field-wrapper][1]").screenshot(
        path=str(SCREENSHOTS / "admin-quiz-chooser-1280.png")
    )
    # The chooser is the labelled control, described by the field's help text.
    expect(page.get_by_role("combobox", name="Volgende stap").first).to_have_value("een-week-later")
    assert page.csp_violations == []

    # Saved as a draft in one go, with every link as the choosers set it.
    page.get_by_role("button", name="Bewaar concept").click()
    page.wait_for_url(re.compile(r"/beheer/pages/\d+/edit/"))
    quiz = ScenarioQuizPage.objects.get()
    scenario = quiz.get_latest_revision_as_object().scenario
    assert [step.key for step in scenario.steps] == [
        "het-gesprek", "een-week-later", "slechte-afloop", "goede-afloop",
    ]  # fmt: skip
    assert rules.problems(scenario) == []
    assert scenario.steps[0].branches[0].next == "slechte-afloop"


def test_the_insight_report_shows_the_map_with_the_ways_taken(page, module):
    from quizzes.services import play_best_path
    from tests.factories import UserFactory
    from tests.quizzes.conftest import make_quiz, play_to_poor_end

    quiz = make_quiz(module)
    for _learner in range(5):
        play_best_path(user=UserFactory(), quiz=quiz)
    for _learner in range(3):
        play_to_poor_end(quiz, UserFactory())
    log_in(page, "beheer@example.nl", "/beheer/", totp_secret=TOTP_SECRET)
    page.wait_for_url(re.compile(r"/beheer/"))
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/beheer/reports/quiz-insight/{quiz.pk}/")
    report = page.locator("[data-controller=signaal-scenario-insight]")
    expect(report.locator("svg .signaal-scenario-map__node")).to_have_count(
        len(quiz.scenario.steps)
    )
    # 8 attempts reached the start: 5 asked on (62%), 3 did not (38%).
    expect(report.locator("svg")).to_contain_text("62%")
    expect(report).to_contain_text("62% van de pogingen die deze stap bereikten: 5")
    expect(report).to_contain_text(
        "Signaal 'Poging tot verwurging': gemist in 38% van de antwoorden"
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    report.screenshot(path=str(SCREENSHOTS / "admin-quiz-insight-map-1280.png"))
    assert page.csp_violations == []
