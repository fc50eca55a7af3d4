"""Evidence for an inspection (issue 20.11): the audit trail for a period as CSV, and a
dated compliance statement per requirement as a PDF signed by the platform, checked on a
public page by its code. Only the organisation's coordinators export; every export is in the
audit trail; a bad period gets a clear message and exports nothing."""

import csv
import datetime
import hashlib
import io

import jwt
import pytest
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from certificates import keys
from organisations.compliance.statement import TYP, issue_statement, verify_statement
from organisations.models import AuditAction, AuditLogEntry, ComplianceStatement, Membership
from organisations.selectors.audit_trail import audit_trail
from organisations.services.audit import record_audit

from . import small_organisation
from .conftest import sign_in_with_mfa
from .factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def small(organisation, modules, coordinator):
    membership = Membership.objects.get(user=coordinator, organisation=organisation)
    return small_organisation.build(organisation, modules, membership)


def read_csv(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def pdf_text(content: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split()
    )


# --- The audit trail ----------------------------------------------------------------------


def test_the_audit_trail_lists_who_did_what_to_whom_in_the_period(small, coordinator):
    organisation = small.organisation
    anna, bram = small.members["anna"].user, small.members["bram"].user
    now = timezone.now()
    before = record_audit(
        actor=coordinator, organisation=organisation, action=AuditAction.VIEWED_PERSON,
        subjects=[bram.pk],
    )  # fmt: skip
    before.at = now - datetime.timedelta(days=40)
    before.save()
    record_audit(
        actor=coordinator, organisation=organisation, action=AuditAction.VIEWED_PERSON,
        detail={"membership": 1, "user": anna.pk}, subjects=[anna.pk],
    )  # fmt: skip
    record_audit(
        actor=coordinator, organisation=organisation, action=AuditAction.VIEWED_PEOPLE,
        detail={"filters": {"q": "Geheime zoekterm"}, "page": 1, "results": 2},
        subjects=[anna.pk, bram.pk],
    )  # fmt: skip
    record_audit(
        actor=coordinator, organisation=organisation, action=AuditAction.INVITED,
        detail={"invitation": 3, "email": "nieuw@voorbeeld.nl"},
    )  # fmt: skip
    other = OrganisationFactory()
    record_audit(
        actor=coordinator, organisation=other, action=AuditAction.VIEWED_PERSON,
        subjects=[anna.pk],
    )  # fmt: skip

    today = timezone.localdate()
    with translation.override("nl"):
        rows = list(audit_trail(organisation, today - datetime.timedelta(days=7), today))
    assert [row.action for row in rows] == [
        "bekeek een persoon",
        "bekeek de lijst met mensen",
        "nodigde uit",
    ]
    assert rows[0].actor_name == coordinator.full_name
    assert rows[0].actor_email == coordinator.email
    assert rows[0].about == "Anna Aalders" and rows[0].about_count == 1
    assert rows[1].about == "Anna Aalders; Bram Bakker"
    assert "Geheime zoekterm" not in rows[1].details  # search terms may name others
    assert rows[1].details == "results: 2; page: 1"
    assert rows[2].details == "email: nieuw@voorbeeld.nl"
    assert rows[0].at < rows[1].at < rows[2].at


def test_the_coordinator_downloads_the_audit_trail_and_the_export_is_audited(
    small, coordinator_client, coordinator
):
    record_audit(
        actor=coordinator, organisation=small.organisation, action=AuditAction.VIEWED_PERSON,
        subjects=[small.members["anna"].user.pk],
    )  # fmt: skip
    today = timezone.localdate()
    url = reverse("organisations:audit_trail_export", args=[small.organisation.slug])
    start = today - datetime.timedelta(days=30)
    response = coordinator_client.post(url, {"start": start.isoformat(), "end": today.isoformat()})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "no-store" in response["Cache-Control"]
    rows = read_csv(response.content)
    assert rows[0][:4] == ["Datum en tijd", "Wie", "E-mailadres", "Wat"]
    assert any("Anna Aalders" in row for row in rows[1:])
    entry = AuditLogEntry.objects.filter(action=AuditAction.EXPORTED).get()
    assert entry.actor == coordinator
    assert entry.detail["report"] == "audit_trail"
    assert entry.detail["period"] == f"{start.isoformat()}/{today.isoformat()}"
    # The people it names find the export in their own data download.
    assert list(entry.subjects.values_list("user_id", flat=True)) == [small.members["anna"].user.pk]


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("", "", "Vul de eerste dag van de periode in."),
        ("gisteren", "2026-01-01", "Vul de eerste dag in als datum"),
        ("2026-03-01", "2026-02-01", "De eerste dag ligt na de laatste dag."),
        ("2020-01-01", "2026-01-01", "Kies een periode van hoogstens 366 dagen."),
        ("2026-01-01", "2999-01-01", "De laatste dag ligt in de toekomst."),
    ],
)
def test_a_bad_period_gets_a_clear_message_and_exports_nothing(
    small, coordinator_client, start, end, message
):
    url = reverse("organisations:audit_trail_export", args=[small.organisation.slug])
    with translation.override("nl"):
        response = coordinator_client.post(url, {"start": start, "end": end})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert message in response.content.decode()
    assert not AuditLogEntry.objects.filter(action=AuditAction.EXPORTED).exists()


@pytest.mark.parametrize("who", ["learner", "other_coordinator"])
@pytest.mark.parametrize("name", ["evidence", "audit_trail_export", "statement_export"])
def test_only_the_organisations_coordinators_export(small, client, who, name):
    if who == "learner":
        user = small.members["anna"].user
    else:
        user = MembershipFactory(organisation=OrganisationFactory(), is_coordinator=True).user
    sign_in_with_mfa(client, user)
    url = reverse(f"organisations:{name}", args=[small.organisation.slug])
    today = timezone.localdate().isoformat()
    response = (
        client.get(url) if name == "evidence" else client.post(url, {"start": today, "end": today})
    )
    assert response.status_code == 404
    assert not AuditLogEntry.objects.filter(action=AuditAction.EXPORTED).exists()
    assert not ComplianceStatement.objects.exists()


def test_the_evidence_page_is_linked_from_the_dashboard_and_every_coordinator_page(
    small, coordinator_client
):
    url = reverse("organisations:evidence", args=[small.organisation.slug])
    for name in ("dashboard", "people", "teams", "invite"):
        other = coordinator_client.get(
            reverse(f"organisations:{name}", args=[small.organisation.slug])
        )
        assert f'href="{url}"' in other.content.decode(), name
    page = coordinator_client.get(url)
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]


# --- The signed statement -----------------------------------------------------------------


def test_the_statement_states_the_figures_per_requirement_and_is_signed(small, coordinator):
    with translation.override("nl"):
        issued = issue_statement(
            small.organisation, actor=coordinator, base_url="https://signaal.example"
        )
    statement = issued.statement
    claims = statement.claims
    assert claims["day"] == timezone.localdate().isoformat()
    assert (claims["members"], claims["compliant"]) == (8, 3)
    lines = {line["module"]: line for line in claims["requirements"]}
    assert lines["Rode vlaggen"] == {
        "module": "Rode vlaggen", "role": None, "level": "mandatory",
        "applies_to": 8, "meeting": 3,
    }  # fmt: skip
    # Meldcode applies to 2 people: fewer than 5, so no figures.
    assert lines["Meldcode"]["applies_to"] is None and lines["Meldcode"]["meeting"] is None
    # No one's name or address in what is stated.
    for membership in small.members.values():
        assert membership.user.full_name not in str(claims)
        assert membership.user.email not in str(claims)

    # The PDF says it and carries the code and the page to check it.
    text = pdf_text(issued.pdf)
    assert "3 van 8 leden" in text and "Rode vlaggen" in text
    assert "-".join(statement.code[i : i + 4] for i in range(0, 17, 4)) in text
    assert f"https://signaal.example/verklaringen/{statement.code}/" in text
    assert PdfReader(io.BytesIO(issued.pdf)).trailer["/Root"]["/Lang"] == "nl"

    # The JWS verifies with the platform's public key (as an outside verifier would) and
    # binds the figures to this very PDF.
    header = jwt.get_unverified_header(statement.jws)
    assert header["typ"] == TYP
    assert header["kid"].endswith(f"/{keys.key_id()}.json")
    public = keys.signing_key().public_key()
    verified = jwt.decode(statement.jws, public, algorithms=[keys.algorithm()])
    assert verified["pdf_sha256"] == hashlib.sha256(issued.pdf).hexdigest()
    assert {key: verified[key] for key in claims} == claims

    entry = AuditLogEntry.objects.get(action=AuditAction.EXPORTED)
    assert entry.detail == {
        "format": "pdf", "report": "compliance_statement", "statement": statement.code
    }  # fmt: skip


def test_the_verification_page_shows_the_signed_figures(small, coordinator_client, client):
    response = coordinator_client.post(
        reverse("organisations:statement_export", args=[small.organisation.slug])
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    statement = ComplianceStatement.objects.get()
    digest = hashlib.sha256(response.content).hexdigest()
    assert statement.pdf_sha256 == digest

    # Anyone (an inspector) checks it by the code, in any spelling.
    spelled = " ".join(statement.code[i : i + 4] for i in range(0, 17, 4)).lower()
    with translation.override("nl"):
        page = client.get(reverse("organisations:verify_statement", args=[spelled]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Echt" in body and small.organisation.name in body and "Stand op" in body
    assert "3 van 8 leden" in body and "Rode vlaggen" in body
    assert " ".join(digest[i : i + 8] for i in range(0, 64, 8)) in body
    jws = client.get(reverse("organisations:statement_jws", args=[statement.code]))
    assert jws["Content-Type"] == "application/jwt"
    assert jws.content.decode() == statement.jws


def test_a_changed_statement_is_not_genuine(small, coordinator):
    issued = issue_statement(small.organisation, actor=coordinator, base_url="http://testserver")
    statement = issued.statement
    header, payload, signature = statement.jws.split(".")
    forged = jwt.utils.base64url_decode(payload).replace(b'"compliant":3', b'"compliant":8')
    statement.jws = ".".join([header, jwt.utils.base64url_encode(forged).decode(), signature])
    statement.save()
    assert verify_statement(statement.code).claims is None

    other_key = jwt.encode({"code": statement.code}, "secret", algorithm="HS256")
    statement.jws = other_key
    statement.save()
    assert verify_statement(statement.code).claims is None


def test_an_unknown_code_is_a_404_that_says_so(client, db):
    with translation.override("nl"):
        response = client.get(reverse("organisations:verify_statement", args=["ABCD-EFGH"]))
    assert response.status_code == 404
    assert "Onbekende code" in response.content.decode()
    assert client.get(reverse("organisations:statement_jws", args=["ABCD"])).status_code == 404


def test_the_period_form_shows_its_dates_as_a_date_field_reads_them(small, coordinator_client):
    """A date field (type=date) shows only an ISO date, whatever the language."""
    with translation.override("nl"):
        page = coordinator_client.get(
            reverse("organisations:evidence", args=[small.organisation.slug])
        ).content.decode()
    today = timezone.localdate().isoformat()
    assert f'type="date" name="end" value="{today}"' in page
