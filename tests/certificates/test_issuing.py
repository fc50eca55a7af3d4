"""Issuing: on module completion, exactly once per person, module and cycle; a snapshot
of what was certified; codes that cannot be guessed and catch typing errors."""

import datetime
import io
import threading

import pytest
from django.db import connections
from django.utils import timezone
from pypdf import PdfReader

from certificates import codes, selectors, services
from certificates.models import Certificate
from courses import services as course_services
from courses.models import Enrolment, ModuleAccreditation
from quizzes.services import play_best_path
from tests.auth import sign_in_with_mfa
from tests.courses.conftest import lessons_of
from tests.factories import RegisterFactory, UserFactory
from tests.quizzes.conftest import catalogue, make_quiz, module, quiz  # noqa: F401

pytestmark = pytest.mark.django_db


def complete(module, quiz, user):  # noqa: F811
    for lesson in lessons_of(module):
        course_services.complete_lesson(user=user, lesson=lesson)
    play_best_path(user=user, quiz=quiz)
    return Enrolment.objects.get(user=user, module=module)


def test_completing_a_module_issues_one_certificate_with_a_snapshot(module, quiz):  # noqa: F811
    ModuleAccreditation.objects.create(
        module=module,
        register=RegisterFactory(name="Registerplein", slug="registerplein"),
        points=2,
    )
    learner = UserFactory(full_name="Fatima el Amrani")
    enrolment = complete(module, quiz, learner)
    certificate = Certificate.objects.get(user=learner)
    assert certificate.enrolment == enrolment
    assert certificate.holder_name == "Fatima el Amrani"
    assert certificate.module_title == module.title
    assert certificate.module_version == 1
    assert certificate.accreditations == [{"register": "Registerplein", "points": "2.0"}]
    assert certificate.issuer == "Signaal"
    assert certificate.cycle == 1
    assert certificate.expires_on == services.certificate_expiry(
        timezone.localdate(certificate.issued_at), module.certificate_validity_months
    )  # the local date: between 23:00 and midnight UTC it is already tomorrow here
    # Idempotent, and later changes do not touch the snapshot.
    assert services.issue_for(enrolment=enrolment) == certificate
    learner.full_name = "F. el Amrani"
    learner.save()
    module.title = "Nieuwe titel"
    module.save_revision().publish()
    certificate.refresh_from_db()
    assert (certificate.holder_name, certificate.module_title) == (
        "Fatima el Amrani",
        "Rode vlaggen",
    )
    assert Certificate.objects.count() == 1


def test_no_certificate_before_completion(module, quiz):  # noqa: F811
    learner = UserFactory()
    for lesson in lessons_of(module):
        course_services.complete_lesson(user=learner, lesson=lesson)
    assert not Certificate.objects.exists()
    enrolment = Enrolment.objects.get(user=learner)
    with pytest.raises(ValueError):
        services.issue_for(enrolment=enrolment)


def test_codes_have_80_random_bits_and_catch_typing_errors():
    code = codes.new_code()
    assert len(code) == 17 and len({codes.new_code() for _ in range(200)}) == 200
    assert codes.normalise(codes.formatted(code).lower()) == code
    assert codes.normalise(" ".join(code)) == code
    # Every single substitution and neighbour swap fails the check (tests/certificates/
    # test_codes.py proves it for generated codes); as typed text it is refused or, when
    # it passes only the old check, reported as a typo by the lookup.
    for position in range(len(code) - 1):
        swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
        if swapped != code:
            assert not codes.has_current_check(swapped)
    # Crockford reading: O is 0, I and L are 1.
    ambiguous = code.replace("0", "O").replace("1", "I")
    assert codes.normalise(ambiguous) == code


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_issues_give_one_certificate(module, quiz):  # noqa: F811
    learner = UserFactory()
    for lesson in lessons_of(module):
        course_services.complete_lesson(user=learner, lesson=lesson)
    enrolment = Enrolment.objects.get(user=learner)
    # Complete without the signal, then let two requests issue at the same moment.
    Enrolment.objects.filter(pk=enrolment.pk).update(
        completed_at=datetime.datetime.now(datetime.UTC)
    )
    enrolment.refresh_from_db()
    barrier = threading.Barrier(2)
    issued = []

    def issue():
        try:
            barrier.wait()
            issued.append(services.issue_for(enrolment=enrolment).pk)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(issued) == 2 and issued[0] == issued[1]
    assert Certificate.objects.filter(user=learner).count() == 1


def test_verification_shows_status_and_never_an_email(client, module, quiz):  # noqa: F811
    learner = UserFactory(full_name="Noor Jansen", email="noor.jansen@example.nl")
    complete(module, quiz, learner)
    certificate = Certificate.objects.get(user=learner)
    response = client.get(f"/certificaten/verifieer/{certificate.code}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Geldig" in page and "Noor Jansen" in page and module.title in page
    assert "noor.jansen" not in page and "@example.nl" not in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"

    services.revoke(certificate=certificate, by=UserFactory(is_superuser=True), reason="Fraude")
    page = client.get(f"/certificaten/verifieer/{certificate.code}/").content.decode()
    assert "Ingetrokken" in page

    # A wrong check character that neither the current nor the old (Luhn) check accepts:
    # one the old check accepts is looked up first, and reported as a typo there.
    body = certificate.code[:-1]
    wrong = next(
        c
        for c in codes.ALPHABET
        if c not in (certificate.code[-1], codes.legacy_check_character(body))
    )
    typo = body + wrong
    response = client.get("/certificaten/verifieer/", {"code": typo})
    assert response.status_code == 404 and "typefout" in response.content.decode()
    response = client.get("/certificaten/verifieer/", {"code": codes.formatted(certificate.code)})
    assert response.status_code == 302


def test_verification_is_rate_limited(client):
    for _ in range(selectors.VERIFY_LIMIT):
        assert client.get("/certificaten/verifieer/ONBEKEND/").status_code == 404
    assert client.get("/certificaten/verifieer/ONBEKEND/").status_code == 429


def test_the_pdf_names_holder_module_and_code_and_is_kept(client, module, quiz):  # noqa: F811
    learner = UserFactory(full_name="Sem de Boer")
    complete(module, quiz, learner)
    certificate = Certificate.objects.get(user=learner)
    client.force_login(learner)
    response = client.get(f"/certificaten/{certificate.code}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Sem de Boer" in text
    assert module.title in text
    assert certificate.formatted_code in text
    certificate.refresh_from_db()
    assert certificate.pdf.name.endswith(f"{certificate.code}.pdf")
    # Someone else cannot download it.
    client.force_login(UserFactory())
    assert client.get(f"/certificaten/{certificate.code}/pdf/").status_code == 404


def test_my_certificates_lists_the_learners_own(client, module, quiz):  # noqa: F811
    learner = UserFactory()
    complete(module, quiz, learner)
    complete(module, quiz, other := UserFactory(full_name="Iemand Anders"))
    client.force_login(learner)
    page = client.get("/mijn-certificaten/").content.decode()
    mine = Certificate.objects.get(user=learner)
    assert mine.formatted_code in page
    assert Certificate.objects.get(user=other).formatted_code not in page


def test_an_administrator_revokes_with_a_reason_and_it_is_logged(client, module, quiz):  # noqa: F811
    learner = UserFactory()
    complete(module, quiz, learner)
    certificate = Certificate.objects.get(user=learner)
    url = f"/beheer/certificaten/{certificate.pk}/intrekken/"

    client.force_login(UserFactory())  # not an administrator: sent to log in as one
    refused = client.post(url, {"reason": "x", "category": "other"})
    assert refused.status_code == 302
    assert refused["Location"] == f"/account/login/?next={url}"
    certificate.refresh_from_db()
    assert certificate.revoked_at is None

    admin = UserFactory(is_superuser=True, full_name="Beheerder Bea")
    sign_in_with_mfa(client, admin)
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200  # the form asks for a reason; nothing changed
    certificate.refresh_from_db()
    assert certificate.revoked_at is None

    response = client.post(
        url, {"reason": "Behaald met andermans account", "category": "not_earned"}
    )
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None
    log = certificate.revocation
    assert (log.revoked_by, log.reason) == (admin, "Behaald met andermans account")
    listing = client.get("/beheer/certificaten/", {"q": certificate.code}).content.decode()
    assert "Behaald met andermans account" in listing and "Beheerder Bea" in listing
