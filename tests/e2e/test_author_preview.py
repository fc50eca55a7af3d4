"""An author opens Wagtail's live preview panel beside the editor of a module, a lesson
and a scenario quiz, and sees the page rendered in it (issue 21: the panel was blank)."""

import re

import pytest
from playwright.sync_api import expect

from accounts.services import ensure_verified_account
from courses import content_loader
from tests.auth import TOTP_SECRET, give_totp
from tests.courses.conftest import lessons_of, make_module
from tests.e2e.conftest import log_in, look_at
from tests.factories import TEST_PASSWORD
from tests.quizzes.conftest import make_quiz

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pages(site):
    content_loader.ensure_taxonomy()
    catalogue = content_loader.ensure_catalogue(home=site)
    module = make_module(catalogue, "Stalking door een ex-partner", lessons=1)
    quiz = make_quiz(module)
    administrator = ensure_verified_account(
        email="beheer@example.nl", full_name="Bea Beheer", password=TEST_PASSWORD,
        is_superuser=True,
    )  # fmt: skip
    give_totp(administrator)
    return {"module": module, "lesson": lessons_of(module)[0], "quiz": quiz}


def test_the_preview_panel_shows_module_lesson_and_quiz(page, pages):
    log_in(page, "beheer@example.nl", "/beheer/", totp_secret=TOTP_SECRET)
    page.wait_for_url(re.compile(r"/beheer/"))
    for kind, shown in (
        ("module", "Stalking door een ex-partner"),
        ("lesson", "Tekst van Les 1."),
        ("quiz", "Voorbeeld voor auteurs"),
    ):
        edited = pages[kind]
        page.goto(f"/beheer/pages/{edited.pk}/edit/")
        toggle = page.get_by_role("button", name=re.compile("verberg voorvertoning", re.I))
        expect(toggle).to_have_attribute("aria-expanded", re.compile("true|false"))
        # Wagtail reopens the side panel that was open on the previous page.
        if toggle.get_attribute("aria-expanded") != "true":
            toggle.click()
        frame = page.frame_locator("iframe#w-preview-iframe")
        expect(frame.get_by_text(shown).first).to_be_visible(timeout=15000)
        look_at(page, f"admin-preview-{kind}")
    # The quiz's overview names each step's kind as the editor's block menu does.
    expect(frame.get_by_text("Beslissing (één keuze)").first).to_be_visible()
    expect(frame.get_by_text(re.compile(r", decision\)"))).to_have_count(0)


def test_a_lesson_is_not_published_under_a_draft_module(page, pages):
    from tests.courses.conftest import add_lesson

    pages["module"].unpublish()
    lesson = add_lesson(pages["module"], "Nieuwe les", publish=False)
    log_in(page, "beheer@example.nl", "/beheer/", totp_secret=TOTP_SECRET)
    page.wait_for_url(re.compile(r"/beheer/"))
    page.goto(f"/beheer/pages/{lesson.pk}/edit/")
    page.get_by_role("button", name=re.compile("Meer acties|More actions", re.I)).click()
    page.get_by_role("button", name=re.compile("^Publiceren")).click()
    expect(page.get_by_text("is als concept bewaard maar niet gepubliceerd")).to_be_visible()
    lesson.refresh_from_db()
    assert not lesson.live
