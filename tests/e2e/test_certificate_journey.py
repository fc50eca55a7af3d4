"""A learner finishes a module, downloads the certificate PDF and opens the verification
page it points to ('Geldig'); an administrator revokes it and the page says
'Ingetrokken'. axe-core checks the learner and public pages."""

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from cms.accounts.services import ensure_verified_account
from courses import content_loader
from courses import services as course_services
from quizzes import scenario as rules
from quizzes import services as quiz_services
from tests.courses.conftest import lessons_of, make_module
from tests.e2e.conftest import assert_accessible, log_in, put_in_order
from tests.factories import TEST_PASSWORD
from tests.quizzes.conftest import MELDCODE_ORDER, make_quiz

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def almost_done(site):
    """The learner has read every lesson and answered all but the quiz's last step."""
    content_loader.ensure_taxonomy()
    catalogue = content_loader.ensure_catalogue(home=site)
    module = make_module(catalogue, "Stalking door een ex-partner", lessons=1)
    quiz = make_quiz(module)
    learner = ensure_verified_account(
        email="lotte@example.nl", full_name="Lotte de Wit", password=TEST_PASSWORD
    )
    ensure_verified_account(
        email="beheer@example.nl", full_name="Bea Beheer", password=TEST_PASSWORD,
        is_superuser=True,
    )  # fmt: skip
    for lesson in lessons_of(module):
        course_services.complete_lesson(user=learner, lesson=lesson)
    attempt = quiz_services.start_attempt(user=learner, quiz=quiz)
    for key in ("start", "signalen"):
        step = quiz.scenario.step(key)
        attempt = quiz_services.answer(
            attempt=attempt, step_key=key, choice_ids=rules.best_answer(step)
        ).attempt
    return module, quiz


def test_finish_download_verify_revoke(browser, page, live_server, almost_done):
    module, quiz = almost_done
    log_in(page, "lotte@example.nl", quiz.url)
    put_in_order(page, MELDCODE_ORDER)
    page.get_by_role("button", name="Antwoord versturen").click()
    expect(
        page.get_by_role("region", name="Je resultaat").get_by_text("Gehaald", exact=True)
    ).to_be_visible()

    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Mijn certificaten"
    ).click()
    expect(page.get_by_role("heading", name="Mijn certificaten")).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("^PDF")).click()
    pdf = PdfReader(io.BytesIO(open(download_info.value.path(), "rb").read()))  # noqa: SIM115
    text = "".join(p.extract_text() for p in pdf.pages)
    assert "Lotte de Wit" in text and module.title in text
    url = re.search(r"(http://\S+/certificaten/verifieer/[0-9A-Z]+/)", text.replace("\n", ""))
    assert url, text

    page.goto(url.group(1))
    expect(page.get_by_role("heading", name="Geldig")).to_be_visible()
    assert page.get_by_text("Lotte de Wit").is_visible()
    assert "lotte@example.nl" not in page.content()
    assert_accessible(page)

    admin = browser.new_context(base_url=live_server.url).new_page()
    log_in(admin, "beheer@example.nl", "/beheer/certificaten/")
    admin.get_by_role("link", name="Intrekken").click()
    admin.get_by_label("Reden").fill("Uitgegeven aan de verkeerde persoon")
    admin.get_by_role("button", name="Trek dit certificaat in").click()
    expect(admin.get_by_text("Het certificaat is ingetrokken.")).to_be_visible()
    admin.context.close()

    page.reload()
    expect(page.get_by_role("heading", name="Ingetrokken")).to_be_visible()
    assert_accessible(page)
