"""A learner plays a scenario quiz in the browser: a wrong choice and its feedback, the
page closed mid-way and resumed, one step played with the keyboard only, a pass, and the
module marked complete. axe-core checks every quiz page."""

import re

import pytest
from playwright.sync_api import expect

from accounts.services import ensure_verified_account
from courses import content_loader
from courses import services as course_services
from tests.courses.conftest import lessons_of, make_module
from tests.e2e.conftest import assert_accessible, log_in, put_in_order
from tests.factories import TEST_PASSWORD
from tests.quizzes.conftest import MELDCODE_ORDER, make_quiz

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def module_with_quiz(site):
    content_loader.ensure_taxonomy()
    catalogue = content_loader.ensure_catalogue(home=site)
    module = make_module(catalogue, "Rode vlaggen herkennen", lessons=1)
    quiz = make_quiz(module)
    learner = ensure_verified_account(
        email="lotte@example.nl", full_name="Lotte", password=TEST_PASSWORD
    )
    for lesson in lessons_of(module):
        course_services.complete_lesson(user=learner, lesson=lesson)
    return module, quiz


def test_play_wrong_choice_resume_pass_and_complete(browser, page, live_server, module_with_quiz):
    module, quiz = module_with_quiz
    log_in(page, "lotte@example.nl", module.url)
    expect(page.get_by_text("nog niet gehaald")).to_have_count(0)
    page.get_by_role("link", name="Toets").click()
    assert_accessible(page)
    page.get_by_role("button", name="Start de toets").click()

    # A wrong choice: its feedback first, focused; the next step when the learner goes on.
    expect(page.get_by_role("heading", name="Het gesprek")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Ik zie het als een gewone ruzie").check()
    page.get_by_role("button", name="Antwoord versturen").click()
    feedback = page.get_by_role("region", name=re.compile("Feedback op je antwoord"))
    expect(feedback.get_by_text("Hiermee mis je een belangrijke rode vlag.")).to_be_visible()
    expect(feedback).to_be_focused()
    assert_accessible(page)
    feedback.get_by_role("link", name="Verder naar vraag 2").click()
    expect(page.get_by_role("heading", name="Een week later")).to_be_visible()
    assert_accessible(page)

    # The laptop is closed: a new browser session resumes at the same step.
    page.context.close()
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    log_in(page, "lotte@example.nl", quiz.url)
    expect(page.get_by_role("heading", name="Een week later")).to_be_visible()
    page.get_by_label("Ik vraag nu wel door").check()
    page.get_by_role("button", name="Antwoord versturen").click()
    page.get_by_role("link", name="Verder naar vraag 3").click()

    # Mark the signals with the keyboard only.
    expect(page.get_by_role("heading", name="Het verslag")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Hij kneep haar keel dicht.").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Hij leest haar berichten.")).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")  # the neutral sentence stays unmarked
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Antwoord versturen")).to_be_focused()
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Verder naar vraag 4").click()

    # Put the meldcode steps in order with the select boxes.
    expect(page.get_by_role("heading", name="De stappen")).to_be_visible()
    assert_accessible(page)
    put_in_order(page, MELDCODE_ORDER)
    page.get_by_role("button", name="Antwoord versturen").click()
    page.get_by_role("link", name="Naar je uitslag").click()

    # The result: passed, with the path and the wrong choice's feedback one click away.
    result = page.get_by_role("region", name="Je resultaat")
    expect(result.get_by_text("Gehaald", exact=True)).to_be_visible()
    expect(result.get_by_text("6 punten; 5 nodig om te halen.")).to_be_visible()
    result.locator("summary").click()
    expect(result.get_by_text("Hiermee mis je een belangrijke rode vlag.")).to_be_visible()
    expect(result.get_by_text("Sanne krijgt hulp.")).to_be_visible()
    assert_accessible(page)

    result.get_by_role("link", name="Terug naar de module").click()
    expect(page.get_by_text(re.compile(r"^Afgerond op"))).to_be_visible()
    expect(page.get_by_text("gehaald", exact=True)).to_be_visible()
    context.close()
