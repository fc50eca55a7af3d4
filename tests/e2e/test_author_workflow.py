"""Authors and reviewers in the admin (issue 21): a quiz submitted under a draft module
cannot be approved into live, and the reviewer is told why; the admin home shows each
their work; an author plays a draft quiz as a learner in the preview panel, and nothing
is recorded."""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from accounts.services import ensure_verified_account
from certificates.models import Certificate
from courses import content_loader, services
from courses.models import Enrolment, LessonCompletion
from quizzes.models import QuizAnswer, QuizAttempt
from tests.auth import TOTP_SECRET, give_totp
from tests.courses.conftest import make_module
from tests.e2e.conftest import assert_accessible, log_in, look_at
from tests.factories import TEST_PASSWORD
from tests.quizzes.conftest import make_quiz

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def account(email: str, name: str, *, group: str = "", superuser: bool = False):
    user = ensure_verified_account(
        email=email, full_name=name, password=TEST_PASSWORD, is_superuser=superuser
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    give_totp(user)
    return user


@pytest.fixture
def content(site):
    content_loader.ensure_taxonomy()
    catalogue = content_loader.ensure_catalogue(home=site)
    services.ensure_review_workflow(catalogue=catalogue)
    module = make_module(catalogue, "Stalking door een ex-partner", lessons=1)
    module.unpublish()  # a new module, never approved
    quiz = make_quiz(module, publish=False)
    return {"module": module, "quiz": quiz}


def sign_in(page, email: str) -> None:
    log_in(page, email, "/beheer/", totp_secret=TOTP_SECRET)
    page.wait_for_url(re.compile(r"/beheer/$"))


def test_a_quiz_under_a_draft_module_is_submitted_but_cannot_be_approved(
    page, browser, live_server, content
):
    account("redacteur@example.nl", "Rena Redacteur", group="Editors")
    account("inhoud@example.nl", "Ine Inhoud", group=services.REVIEWERS_GROUP)
    quiz = content["quiz"]

    sign_in(page, "redacteur@example.nl")
    page.goto(f"/beheer/pages/{quiz.pk}/edit/")
    page.get_by_role("button", name=re.compile("Meer acties|More actions", re.I)).click()
    page.get_by_role("button", name=re.compile("Stuur door naar|Dien in")).click()
    expect(page.get_by_text("Let op: de module 'Stalking door een ex-partner'")).to_be_visible()

    reviewer_context = browser.new_context(base_url=live_server.url, locale="en-US")
    reviewer = reviewer_context.new_page()
    sign_in(reviewer, "inhoud@example.nl")
    panel = reviewer.locator("#signaal-author-content, [id^=signaal-author]").first
    expect(panel.get_by_role("link", name="Toets")).to_be_visible()
    expect(panel.get_by_text(re.compile("Kan nog niet worden goedgekeurd"))).to_be_visible()
    assert_accessible(reviewer)
    look_at(reviewer, "admin-home-reviewer")

    reviewer.goto(f"/beheer/pages/{quiz.pk}/edit/")
    expect(
        reviewer.get_by_text(re.compile("kan nog niet worden goedgekeurd")).first
    ).to_be_visible()
    reviewer.get_by_role("button", name=re.compile("Meer acties|More actions", re.I)).click()
    reviewer.get_by_role("button", name=re.compile("^Goedkeuren en publiceren$")).click()
    reviewer.wait_for_url(re.compile(rf"/beheer/pages/{quiz.pk}/edit/"))
    expect(reviewer.locator(".messages .error, .messages [class*=error]").first).to_contain_text(
        "kan nog niet worden goedgekeurd"
    )
    look_at(reviewer, "admin-approval-refused")
    quiz.refresh_from_db()
    assert not quiz.live
    reviewer_context.close()


def test_an_author_plays_a_draft_quiz_as_a_learner_in_the_preview_panel(page, content):
    account("beheer@example.nl", "Bea Beheer", superuser=True)
    quiz = content["quiz"]
    recorded = (QuizAttempt, QuizAnswer, Enrolment, LessonCompletion, Certificate)
    before = [model.objects.count() for model in recorded]

    sign_in(page, "beheer@example.nl")
    page.goto(f"/beheer/pages/{quiz.pk}/edit/")
    toggle = page.get_by_role("button", name=re.compile("verberg voorvertoning", re.I))
    expect(toggle).to_have_attribute("aria-expanded", re.compile("true|false"))
    if toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    page.get_by_label(re.compile("Voorbeeldmodus|Preview mode")).select_option(
        label="Spelen als deelnemer"
    )
    frame = page.frame_locator("iframe#w-preview-iframe")
    expect(frame.get_by_text("Er wordt niets vastgelegd", exact=False)).to_be_visible(timeout=15000)
    expect(frame.get_by_role("heading", name="Het gesprek")).to_be_visible()
    look_at(page, "admin-play-as-learner")

    # 'An ordinary quarrel': feedback, then on.
    frame.get_by_label("Ik zie het als een gewone ruzie").check()
    frame.get_by_role("button", name="Antwoord versturen").click()
    expect(frame.get_by_text("Hiermee mis je een belangrijke rode vlag.")).to_be_visible()
    frame.get_by_role("link", name=re.compile("Verder naar vraag 2")).click()
    frame.get_by_label("Ik vraag nu wel door").check()
    frame.get_by_role("button", name="Antwoord versturen").click()
    frame.get_by_role("link", name=re.compile("Verder naar vraag 3")).click()
    # No signal marked: two missed, and the branch leads to the escalation.
    expect(frame.get_by_role("heading", name="Het verslag")).to_be_visible()
    frame.get_by_role("button", name="Antwoord versturen").click()
    frame.get_by_role("link", name=re.compile("Verder naar vraag 4")).click()
    expect(frame.get_by_role("heading", name="Het gaat mis")).to_be_visible()
    frame.get_by_label("Ik wacht af").check()
    frame.get_by_role("button", name="Antwoord versturen").click()
    frame.get_by_role("link", name=re.compile("Naar je uitslag")).click()
    expect(frame.get_by_role("heading", name="Je resultaat")).to_be_visible()
    expect(frame.get_by_text("Niet gehaald")).to_be_visible()
    expect(frame.get_by_text("Het patroon blijft.")).to_be_visible()
    look_at(page, "admin-play-as-learner-result")

    assert [model.objects.count() for model in recorded] == before
    assert page.csp_violations == []


def test_the_play_mode_page_itself_is_accessible(page, content):
    """The play page in a tab of its own ('open in new tab'), checked with axe."""
    account("beheer@example.nl", "Bea Beheer", superuser=True)
    quiz = content["quiz"]
    sign_in(page, "beheer@example.nl")
    page.goto(f"/beheer/pages/{quiz.pk}/edit/")
    # The preview needs the editor's form once (the panel posts it when opened).
    toggle = page.get_by_role("button", name=re.compile("verberg voorvertoning", re.I))
    if toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    expect(page.frame_locator("iframe#w-preview-iframe").get_by_text("Toets").first).to_be_visible(
        timeout=15000
    )
    page.goto(f"/beheer/pages/{quiz.pk}/edit/preview/?mode=play")
    expect(page.get_by_role("heading", name="Het gesprek")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Ik vraag door naar wat er gebeurde").check()
    page.get_by_role("button", name="Antwoord versturen").click()
    expect(page.get_by_text("Goed: verwurging is een rode vlag.")).to_be_visible()
    assert_accessible(page)
