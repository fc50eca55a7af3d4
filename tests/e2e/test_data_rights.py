"""A learner downloads their data from 'Mijn account' and then deletes their account; the
certificate they earned stays verifiable, issued to a removed account. axe-core checks both
pages."""

import json
import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from accounts.services import ensure_verified_account
from certificates.models import Certificate
from courses import content_loader
from courses.services import complete_lesson
from tests.courses.conftest import lessons_of, make_module
from tests.e2e.conftest import assert_accessible, log_in, look_at
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_learner_downloads_their_data_and_deletes_the_account(page, live_server, site):
    content_loader.ensure_taxonomy()
    catalogue = content_loader.ensure_catalogue(home=site)
    module = make_module(catalogue, "Rode vlaggen herkennen", lessons=1)
    learner = ensure_verified_account(
        email="noor@example.nl", full_name="Noor Jansen", password=TEST_PASSWORD
    )
    complete_lesson(user=learner, lesson=lessons_of(module)[0])  # issues the certificate
    certificate = Certificate.objects.get(user=learner, module=module)

    log_in(page, "noor@example.nl")
    page.wait_for_url(re.compile(r"/mijn-leren/"))
    menu = page.get_by_role("navigation", name="Hoofdmenu")
    menu.get_by_role("link", name="Mijn account").click()
    page.get_by_role("navigation", name="Accountinstellingen").get_by_role(
        "link", name="Mijn gegevens"
    ).click()
    page.wait_for_url(re.compile(r"/mijn-gegevens/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn gegevens")
    assert_accessible(page)
    # The download button was unreadable (its text the colour of its background).
    look_at(page, "my-data")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Mijn gegevens downloaden (JSON)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".json")
    with open(download.path(), encoding="utf-8") as file:
        data = json.load(file)
    assert data["account"]["full_name"] == "Noor Jansen"
    assert data["certificates"]["certificates"][0]["code"] == certificate.formatted_code
    assert data["courses"]["enrolments"][0]["module"] == "Rode vlaggen herkennen"

    page.get_by_role("link", name="Mijn account verwijderen").click()
    page.wait_for_url(re.compile(r"/mijn-gegevens/account-verwijderen/$"))
    assert_accessible(page)
    page.get_by_label("Je wachtwoord").fill(TEST_PASSWORD)
    page.get_by_label("Ik begrijp dat mijn account").check()
    page.get_by_role("button", name="Mijn account definitief verwijderen").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_text("Je account en persoonsgegevens zijn verwijderd.")).to_be_visible()
    menu = page.get_by_role("navigation", name="Hoofdmenu")
    expect(menu.get_by_role("link", name="Inloggen")).to_be_visible()
    assert User.objects.get(pk=learner.pk).is_removed

    page.goto(f"/certificaten/verifieer/{certificate.code}/")
    holder = page.locator("dt", has_text="Houder").locator("xpath=following-sibling::dd")
    expect(holder).to_have_text("verwijderd account")
    assert "Noor" not in page.content()

    log_in(page, "noor@example.nl")
    assert "/account/login/" in page.url
    assert page.csp_violations == []
