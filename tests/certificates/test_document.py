"""The certificate as a document outside Signaal (issue 22): the PDF states what an
employer needs (study load, points per register, learning objectives, issuer), is tagged
for accessibility, and says so when it is revoked; a JSON verification API for other
systems; LinkedIn's certification form pre-filled."""

import io
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.cache import cache
from pypdf import PdfReader

from certificates import codes, selectors, services
from certificates.models import Certificate
from courses.models import ModuleAccreditation
from tests.certificates.test_issuing import complete
from tests.factories import RegisterFactory, UserFactory
from tests.quizzes.conftest import catalogue, make_quiz, module, quiz  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    cache.clear()


@pytest.fixture
def certificate(module, quiz):  # noqa: F811
    ModuleAccreditation.objects.create(
        module=module,
        register=RegisterFactory(name="Registerplein", slug="registerplein"),
        points=2,
    )
    ModuleAccreditation.objects.create(
        module=module,
        register=RegisterFactory(name="Kwaliteitsregister V&V", slug="kwaliteitsregister-vv"),
        points=1.5,
    )
    learner = UserFactory(full_name="Sem de Boer", email="sem@example.nl")
    complete(module, quiz, learner)
    return Certificate.objects.get(user=learner)


def pdf_of(client, certificate) -> tuple[PdfReader, str]:
    client.force_login(certificate.user)
    response = client.get(f"/certificaten/{certificate.code}/pdf/")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    return reader, " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_the_pdf_says_what_an_employer_needs_and_is_tagged(client, certificate, module):  # noqa: F811
    reader, text = pdf_of(client, certificate)
    assert "Sem de Boer" in text and module.title in text
    assert "Studiebelasting 45 minuten" in text  # the module is estimated at 45 minutes
    assert "Registerplein: 2 punten" in text and "Kwaliteitsregister V&V: 1,5 punten" in text
    assert "Leerdoelen van de module" in text and "Je kunt signalen herkennen." in text
    assert "Uitgegeven door Signaal" in text
    assert "INGETROKKEN" not in text
    assert len(reader.pages) == 1  # it fills one page, and no more
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "nl"
    assert "Certificaat" in reader.metadata.title and "Sem de Boer" in reader.metadata.title


def test_study_load_reads_as_words():
    from django.utils import translation

    from certificates.pdf import study_load

    with translation.override("nl"):
        assert study_load(45) == "45 minuten"
        assert study_load(60) == "ongeveer 1 uur"
        assert study_load(100) == "ongeveer 1,5 uur"
        assert study_load(None) == ""


def test_a_revoked_certificates_pdf_is_rendered_again_and_says_so(client, certificate):
    pdf_of(client, certificate)
    certificate.refresh_from_db()
    stored = certificate.pdf.name
    assert stored and certificate.pdf.storage.exists(stored)

    services.revoke(
        certificate=certificate,
        by=UserFactory(is_superuser=True),
        reason="Met andermans account behaald",
        category="not_earned",
    )
    certificate.refresh_from_db()
    assert not certificate.pdf
    _reader, text = pdf_of(client, certificate)
    assert "INGETROKKEN op" in text
    assert "Reden: niet door de houder zelf behaald." in text
    assert "Dit certificaat is niet meer geldig." in text
    assert "ingetrokken, niet geldig" in text
    assert "andermans account" not in text  # the log's free text stays in the log

    page = client.get(f"/certificaten/verifieer/{certificate.code}/").content.decode()
    assert "Reden: niet door de houder zelf behaald." in page
    cards = client.get("/mijn-certificaten/").content.decode()
    assert "gemarkeerd als ingetrokken" in cards
    assert "linkedin.com" not in cards


def test_the_verification_api_gives_the_pages_facts_as_json(client, certificate):
    response = client.get(f"/certificaten/api/verificatie/{certificate.code}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    document = response.json()
    assert document == {
        "status": "valid",
        "code": certificate.formatted_code,
        "holder": {"name": "Sem de Boer", "removed": False},
        "module": {
            "title": certificate.module_title,
            "version": 1,
            "newer_version": None,
        },
        "issued_on": certificate.issued_at.date().isoformat(),
        "valid_until": certificate.expires_on.isoformat(),
        "revoked_on": None,
        "revocation_reason": None,
        "issuer": "Signaal",
        "verification_url": f"http://testserver/certificaten/verifieer/{certificate.code}/",
    }
    assert "sem@example.nl" not in response.content.decode()

    # Any spelling the page accepts.
    pretty = codes.formatted(certificate.code).lower()
    assert client.get(f"/certificaten/api/verificatie/{pretty}/").json()["status"] == "valid"

    services.revoke(
        certificate=certificate, by=UserFactory(is_superuser=True), reason="x",
        category="issued_in_error",
    )  # fmt: skip
    document = client.get(f"/certificaten/api/verificatie/{certificate.code}/").json()
    assert document["status"] == "revoked"
    assert document["revocation_reason"] == "issued_in_error"
    assert document["revoked_on"] is not None


def test_the_api_says_unknown_and_typo_and_shares_the_pages_limit(client, certificate):
    body = certificate.code[:-1]
    wrong_check = next(c for c in codes.ALPHABET if c != certificate.code[-1])
    response = client.get(f"/certificaten/api/verificatie/{body}{wrong_check}/")
    assert (response.status_code, response.json()) == (404, {"status": "typo"})
    unknown_body = "0" * 16
    unknown = unknown_body + codes.check_character(unknown_body)
    response = client.get(f"/certificaten/api/verificatie/{unknown}/")
    assert (response.status_code, response.json()) == (404, {"status": "unknown"})

    for _ in range(selectors.VERIFY_LIMIT - 2):
        client.get(f"/certificaten/verifieer/{certificate.code}/")
    response = client.get(f"/certificaten/api/verificatie/{certificate.code}/")
    assert response.status_code == 429
    assert response.json() == {"error": "rate_limited"}
    assert response["Retry-After"] == str(selectors.VERIFY_WINDOW_SECONDS)


def test_linkedin_form_is_prefilled_from_the_finish_line_and_my_certificates(
    client,
    certificate,
    module,  # noqa: F811
):
    client.force_login(certificate.user)
    for url in (module.url, "/mijn-certificaten/"):
        page = client.get(url).content.decode()
        start = page.index("https://www.linkedin.com/profile/add?")
        link = page[start : page.index('"', start)].replace("&amp;", "&")
        fields = {key: values[0] for key, values in parse_qs(urlparse(link).query).items()}
        assert fields == {
            "startTask": "CERTIFICATION_NAME",
            "name": f"{certificate.module_title} (versie 1)",
            "organizationName": "Signaal",
            "issueYear": str(certificate.issued_at.year),
            "issueMonth": str(certificate.issued_at.month),
            "expirationYear": str(certificate.expires_on.year),
            "expirationMonth": str(certificate.expires_on.month),
            "certUrl": f"http://testserver/certificaten/verifieer/{certificate.code}/",
            "certId": certificate.formatted_code,
        }, url
        # The same fields to copy by hand when LinkedIn does not take them.
        assert "Of vul het formulier van LinkedIn zelf in" in page
        assert f'value="{certificate.formatted_code}" readonly' in page


def test_a_revoked_certificates_badge_is_not_handed_out_again(client, certificate):
    client.force_login(certificate.user)
    assert client.get(f"/certificaten/{certificate.code}/open-badge.jwt").status_code == 200
    services.revoke(
        certificate=certificate, by=UserFactory(is_superuser=True), reason="x",
        category="holders_request",
    )  # fmt: skip
    for suffix in ("open-badge.jwt", "open-badge.svg"):
        response = client.get(f"/certificaten/{certificate.code}/{suffix}")
        page = response.content.decode()
        assert response.status_code == 410, suffix
        assert "Open Badge ingetrokken" in page and "Reden: op verzoek van de houder." in page
