"""A learner with a certificate of an accredited module gives their registration number
from 'Mijn certificaten', by keyboard, sees a wrong number refused with the reason at the
field, and afterwards sees on the certificate that its points will be reported."""

import re

import pytest
from playwright.sync_api import expect

from accounts.services import ensure_verified_account
from certificates.models import AttendanceRecord
from courses import content_loader
from courses import services as course_services
from courses.models import ModuleAccreditation
from quizzes.services import play_best_path
from tests.courses.conftest import lessons_of, make_module
from tests.e2e.conftest import assert_accessible, log_in, look_at
from tests.factories import TEST_PASSWORD, RegisterFactory
from tests.quizzes.conftest import make_quiz

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def certified(site):
    content_loader.ensure_taxonomy()
    catalogue = content_loader.ensure_catalogue(home=site)
    module = make_module(catalogue, "Stalking door een ex-partner", lessons=1)
    quiz = make_quiz(module)
    register = RegisterFactory(
        name="Registerplein",
        slug="registerplein",
        identifier_pattern="[0-9]{6,9}",
        identifier_example="123456789",
    )
    ModuleAccreditation.objects.create(
        module=module, register=register, points=2, course_id="456789"
    )
    learner = ensure_verified_account(
        email="lotte@example.nl", full_name="Lotte de Wit", password=TEST_PASSWORD
    )
    for lesson in lessons_of(module):
        course_services.complete_lesson(user=learner, lesson=lesson)
    play_best_path(user=learner, quiz=quiz)
    return learner


def test_a_learner_gives_a_registration_number_by_keyboard(page, live_server, certified):
    log_in(page, "lotte@example.nl", "/mijn-certificaten/")
    expect(page.get_by_text("2 punten in Registerplein")).to_be_visible()
    expect(page.get_by_text("niet gemeld (geen registratienummer opgegeven")).to_be_visible()
    page.get_by_role("link", name="Je registratienummers in beroepsregisters").click()
    expect(page.get_by_role("heading", name="Registratienummers", level=1)).to_be_visible()

    number = page.get_by_label("Je registratienummer")
    number.focus()
    page.keyboard.type("12-AB")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # the consent checkbox
    page.get_by_role("button", name=re.compile("^Opslaan")).focus()
    page.keyboard.press("Enter")
    expect(
        page.get_by_text("Dit is geen geldig registratienummer voor Registerplein.")
    ).to_be_visible()
    expect(number).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    look_at(page, "registration-number-refused")

    number.fill("123 456 789")
    page.get_by_label("Signaal mag mijn afgeronde modules").check()
    page.get_by_role("button", name=re.compile("^Opslaan")).click()
    expect(page.get_by_text("Opgeslagen.")).to_be_visible()
    expect(page.get_by_text("123456789", exact=True)).to_be_visible()
    assert_accessible(page)
    look_at(page, "registration-number-saved")
    assert AttendanceRecord.objects.get().registration_number == "123456789"

    page.goto(live_server.url + "/mijn-certificaten/")
    expect(page.get_by_text("wordt gemeld")).to_be_visible()
