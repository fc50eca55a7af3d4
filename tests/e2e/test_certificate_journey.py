"""A learner finishes a module, downloads the certificate PDF and opens the verification
page it points to ('Geldig'); an administrator revokes it and the page says
'Ingetrokken'. A learner whose certificate needs an update sees the deadline and takes the
short update path to a certificate for the new version. axe-core checks the learner and
public pages."""

import datetime
import io
import re

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format
from playwright.sync_api import expect
from pypdf import PdfReader

from accounts.services import ensure_verified_account
from courses import content_loader
from courses import services as course_services
from quizzes import scenario as rules
from quizzes import services as quiz_services
from tests.auth import TOTP_SECRET, give_totp
from tests.courses.conftest import lessons_of, make_module
from tests.e2e.conftest import assert_accessible, log_in, look_at, put_in_order
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
    administrator = ensure_verified_account(
        email="beheer@example.nl", full_name="Bea Beheer", password=TEST_PASSWORD,
        is_superuser=True,
    )  # fmt: skip
    give_totp(administrator)
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
    page.get_by_role("link", name="Naar je uitslag").click()
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
    expect(page.get_by_text("Lotte de Wit")).to_be_visible()
    assert "lotte@example.nl" not in page.content()
    assert_accessible(page)

    admin = browser.new_context(base_url=live_server.url).new_page()
    log_in(admin, "beheer@example.nl", "/beheer/certificaten/", totp_secret=TOTP_SECRET)
    admin.get_by_role("link", name="Intrekken").click()
    admin.get_by_label("Soort reden").select_option(label="uitgegeven door een fout")
    admin.get_by_role("textbox", name=re.compile(r"^Reden")).fill(
        "Uitgegeven aan de verkeerde persoon"
    )
    admin.get_by_role("button", name="Trek dit certificaat in").click()
    expect(admin.get_by_text("Het certificaat is ingetrokken.")).to_be_visible()
    admin.context.close()

    page.reload()
    expect(page.get_by_role("heading", name="Ingetrokken")).to_be_visible()
    # The public page gives the category, never the log's free text.
    expect(page.get_by_text("Reden: uitgegeven door een fout.")).to_be_visible()
    expect(page.get_by_text("verkeerde persoon")).to_have_count(0)
    assert_accessible(page)
    look_at(page, "verification-revoked")
    # The learner's own list says so too, and offers no LinkedIn link for it.
    page.goto("/mijn-certificaten/")
    expect(page.get_by_text("PDF (gemarkeerd als ingetrokken)")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("LinkedIn"))).to_have_count(0)
    assert_accessible(page)
    look_at(page, "my-certificates-revoked")
    page.get_by_role("link", name=re.compile("^Open Badge")).click()
    expect(page.get_by_role("heading", name="Open Badge ingetrokken")).to_be_visible()
    assert_accessible(page)
    look_at(page, "badge-revoked")


@pytest.fixture
def update_due(site):
    """Lotte holds a certificate for version 1; version 2 rewrote one lesson and requires
    holders to update within 30 days."""
    content_loader.ensure_taxonomy()
    catalogue = content_loader.ensure_catalogue(home=site)
    module = make_module(catalogue, "Dwingende controle herkennen", lessons=2)
    quiz = make_quiz(module)
    learner = ensure_verified_account(
        email="lotte@example.nl", full_name="Lotte de Wit", password=TEST_PASSWORD
    )
    for lesson in lessons_of(module):
        course_services.complete_lesson(user=learner, lesson=lesson)
    quiz_services.play_best_path(user=learner, quiz=quiz)
    module.refresh_from_db()
    module.substantive_change = True
    module.update_required = True
    module.update_within_days = 30
    module.change_note = "Les 2 gaat nu ook over digitale controle."
    module.save_revision().publish()
    changed = lessons_of(module)[1]
    changed.title = "Les 2: digitale controle"
    changed.save_revision().publish()
    return module, quiz, learner


def test_a_learner_with_an_update_due_takes_the_short_update_path(page, update_due):
    module, quiz, learner = update_due
    due = timezone.localdate() + datetime.timedelta(days=30)
    with translation.override("nl"):
        due_text = f"Update nodig vóór {date_format(due, 'j F Y')}"

    log_in(page, "lotte@example.nl", "/mijn-certificaten/")
    expect(page.get_by_role("heading", name="Mijn certificaten")).to_be_visible()
    expect(page.get_by_text(due_text)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=re.compile("^Update starten")).click()
    expect(page.get_by_role("heading", name="Wat er veranderd is")).to_be_visible()
    expect(page.get_by_text("Les 2 gaat nu ook over digitale controle.")).to_be_visible()
    expect(page.get_by_text(f"{due_text}.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Update starten").click()
    expect(page.get_by_role("heading", name="Les 2: digitale controle")).to_be_visible()
    expect(page.get_by_text("0 van 1 gewijzigde lessen gedaan")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Markeer als gedaan").click()

    # Every changed lesson is read: the scenario quiz completes the update.
    expect(page.get_by_role("heading", name=quiz.title, exact=True)).to_be_visible()
    attempt = quiz_services.start_attempt(user=learner, quiz=quiz)
    for key in ("start", "signalen"):
        attempt = quiz_services.answer(
            attempt=attempt, step_key=key, choice_ids=rules.best_answer(quiz.scenario.step(key))
        ).attempt
    page.goto(quiz.url)
    put_in_order(page, MELDCODE_ORDER)
    page.get_by_role("button", name="Antwoord versturen").click()
    page.get_by_role("link", name="Naar je uitslag").click()
    expect(
        page.get_by_role("region", name="Je resultaat").get_by_text("Gehaald", exact=True)
    ).to_be_visible()

    page.goto("/mijn-certificaten/")
    expect(page.get_by_text("(versie 2)")).to_be_visible()
    expect(page.get_by_text(due_text)).to_have_count(0)
    assert_accessible(page)
    assert page.csp_violations == []
