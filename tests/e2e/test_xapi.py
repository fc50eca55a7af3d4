"""Learning records in the browser: a learner reads on 'Mijn gegevens' which organisation
receives their records; the organisation's coordinator (password and authenticator code)
downloads them as JSON lines after a period they got wrong first. Axe-core, the
Content-Security-Policy and the screenshots' checks find nothing on the way."""

import json
import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.utils import timezone
from playwright.sync_api import expect

from quizzes.services import play_best_path
from tests.courses.conftest import make_module
from tests.organisations.factories import MembershipFactory, OrganisationFactory
from tests.quizzes.conftest import make_quiz
from xapi.models import LrsConfig, Statement

from .conftest import assert_accessible, log_in, look_at

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105


def test_the_learner_is_told_and_the_coordinator_downloads_the_records(
    page, live_server, site, tmp_path
):
    from courses import content_loader

    content_loader.ensure_taxonomy()
    catalogue = content_loader.ensure_catalogue(home=site)
    quiz = make_quiz(make_module(catalogue, "Rode vlaggen", lessons=1))
    organisation = OrganisationFactory(name="Veilig Thuis Proefregio")
    LrsConfig.objects.create(organisation=organisation, enabled=True, actor="pseudonym")
    learner = MembershipFactory(organisation=organisation).user
    attempt = play_best_path(user=learner, quiz=quiz)
    recorded = Statement.objects.filter(organisation=organisation).count()
    # launched, initialized, answered (each), passed, terminated
    assert recorded == attempt.answers.count() + 4

    log_in(page, learner.email, "/mijn-gegevens/")
    page.wait_for_url(re.compile(r"/mijn-gegevens/$"))
    notice = page.get_by_role("region", name="Wie je gegevens nog meer ontvangt")
    expect(notice).to_contain_text("Veilig Thuis Proefregio, als download voor haar")
    expect(notice).to_contain_text("een code die alleen deze organisatie voor jou krijgt")
    expect(notice).to_contain_text("reflectievragen en je naam worden nooit verstuurd")
    assert_accessible(page)
    look_at(page, "xapi-my-data")
    page.context.clear_cookies()

    coordinator = MembershipFactory(organisation=organisation, is_coordinator=True).user
    TOTP.activate(coordinator, SECRET)
    url = f"/organisaties/{organisation.slug}/leerregistraties/"
    log_in(page, coordinator.email, url, totp_secret=SECRET)
    page.wait_for_url(re.compile(url))
    expect(page.get_by_role("heading", level=1)).to_have_text("Leerregistraties (xAPI)")
    assert_accessible(page)
    look_at(page, "xapi-export")

    today = timezone.localdate()
    page.get_by_label("Van", exact=True).fill(today.isoformat())
    page.get_by_label("Tot en met").fill(today.replace(year=today.year - 1).isoformat())
    page.get_by_role("button", name="Registraties downloaden (JSON lines)").click()
    expect(page.get_by_role("alert")).to_contain_text("De einddatum ligt voor de begindatum.")
    assert_accessible(page)

    page.get_by_label("Tot en met").fill(today.isoformat())
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Registraties downloaden (JSON lines)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".jsonl")
    with open(download.path(), encoding="utf-8") as file:
        lines = [json.loads(line) for line in file]
    assert len(lines) == recorded
    assert {line["verb"]["id"].rsplit("/", 1)[1] for line in lines} == {
        "launched",
        "initialized",
        "answered",
        "passed",
        "terminated",
    }
