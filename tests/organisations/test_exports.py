"""Exports: the people list as CSV for Dutch Excel and as XLSX, the board's PDF without
names, background jobs for large organisations, downloads for the requester only, and an
audit entry for every export."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from organisations.compliance.exports import EXPORT_KEEP_DAYS, delete_old_exports
from organisations.compliance.reports import neutralised, to_xlsx
from organisations.models import (
    AuditAction,
    AuditLogEntry,
    ExportJob,
    ExportStatus,
    Membership,
)
from organisations.tasks import build_export_file
from tests.factories import UserFactory

from . import small_organisation
from .conftest import sign_in_with_mfa
from .factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def small(organisation, modules, coordinator):
    membership = Membership.objects.get(user=coordinator, organisation=organisation)
    return small_organisation.build(organisation, modules, membership)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def export(client, small, fmt, **filters):
    return client.post(
        reverse("organisations:export", args=[small.organisation.slug, fmt]), filters
    )


def test_csv_opens_in_dutch_excel(small, coordinator_client):
    MembershipFactory(
        organisation=small.organisation,
        team=small.noord,
        role=small.professional,
        user=UserFactory(full_name='=HYPERLINK("http://kwaad.example")'),
    )
    response = export(coordinator_client, small, "csv", status="overdue")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="signaal-')
    assert response["Content-Disposition"].endswith(
        "-mensen-" + timezone.localdate().isoformat() + '.csv"'
    )
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    header, *people = rows
    assert header[:6] == [
        "Naam",
        "E-mailadres",
        "Team",
        "Rol",
        "Lid sinds",
        "Voldoet aan alle verplichte eisen",
    ]
    # Per requirement (by module title) its status and date.
    assert header[6:] == [
        "Meldcode (Aandachtsfunctionaris, verplicht): status",
        "Meldcode (Aandachtsfunctionaris, verplicht): datum",
        "Rode vlaggen (alle rollen, verplicht): status",
        "Rode vlaggen (alle rollen, verplicht): datum",
    ]
    names = [row[0] for row in people]
    # Overdue on a mandatory requirement: Dirk, Fien and the new member (joined 10 days ago,
    # so not overdue): only the first two.
    assert names == ["Dirk Dijkstra", "Fien Franssen"]
    dirk = dict(zip(header, people[0], strict=True))
    assert dirk["Team"] == "Noord"
    assert dirk["Voldoet aan alle verplichte eisen"] == "nee"
    assert dirk["Rode vlaggen (alle rollen, verplicht): status"] == "te laat"
    deadline = small.members["dirk"].started_on + datetime.timedelta(days=90)
    assert dirk["Rode vlaggen (alle rollen, verplicht): datum"] == deadline.strftime("%d-%m-%Y")
    assert dirk["Meldcode (Aandachtsfunctionaris, verplicht): status"] == "niet van toepassing"
    # A name that Excel would take for a formula is written as text.
    everyone = export(coordinator_client, small, "csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in everyone
    assert ";=HYPERLINK" not in everyone and "\r\n=HYPERLINK" not in everyone

    entry = AuditLogEntry.objects.filter(action=AuditAction.EXPORTED).order_by("at").first()
    assert entry.detail == {"format": "csv", "filters": {"status": "overdue"}, "rows": 2}
    assert entry.actor == small.members["coordinator"].user


def test_xlsx_opens_with_dates_and_text(small, coordinator_client):
    response = export(coordinator_client, small, "xlsx", team=small.noord.pk)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    assert sheet.title == "Mensen"
    rows = list(sheet.iter_rows(values_only=True))
    header, *people = rows
    assert header[0] == "Naam" and sheet["A1"].font.bold
    assert sheet.freeze_panes == "B2"
    assert [row[0] for row in people] == [
        "Anna Aalders",
        "Bram Bakker",
        "Cees Claassen",
        "Dirk Dijkstra",
        "Gijs Gerritsen",
    ]
    anna = people[0]
    assert isinstance(anna[4], datetime.datetime)  # member since: a real date
    assert anna[4].date() == small.members["anna"].started_on
    assert sheet.cell(row=2, column=5).number_format == "DD-MM-YYYY"
    assert anna[6:8] == ("niet van toepassing", None)
    assert anna[8] == "voldoet" and isinstance(anna[9], datetime.datetime)
    entry = AuditLogEntry.objects.get(action=AuditAction.EXPORTED)
    assert entry.detail == {"format": "xlsx", "filters": {"team": str(small.noord.pk)}, "rows": 5}


def test_board_pdf_has_the_numbers_and_no_names(small, coordinator_client):
    response = export(coordinator_client, small, "pdf", q="Anna")  # filters do not apply
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(response.content)).pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())
    assert small.organisation.name in text
    assert "38%" in text
    assert "3 van 8 leden" in text
    assert "Rode vlaggen" in text and "Noord" in text
    assert "< 5" in text  # Zuid (1), the people without a team (2), and Meldcode (2)
    people = list(Membership.objects.filter(organisation=small.organisation).select_related("user"))
    for membership in people:
        assert membership.user.full_name not in text
        assert membership.user.email not in text
    entry = AuditLogEntry.objects.get(action=AuditAction.EXPORTED)
    assert entry.detail == {"format": "pdf", "filters": {}, "rows": 8}


def test_exports_are_posted_in_a_known_format(small, coordinator_client):
    url = reverse("organisations:export", args=[small.organisation.slug, "csv"])
    assert coordinator_client.get(url).status_code == 405
    assert export(coordinator_client, small, "docx").status_code == 404
    assert not AuditLogEntry.objects.filter(action=AuditAction.EXPORTED).exists()


@pytest.fixture
def queued(settings):
    """Large organisations: everything above 3 members goes to a queue that runs nothing."""
    settings.ORGANISATION_EXPORT_IMMEDIATE_LIMIT = 3
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def test_a_large_export_runs_as_a_background_job(small, coordinator_client, queued):
    response = export(coordinator_client, small, "csv", status="overdue")
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "organisations:export_job", args=[small.organisation.slug, job.pk]
    )
    assert (job.status, job.progress, job.filters) == ("queued", 0, {"status": "overdue"})
    assert job.requested_by == small.members["coordinator"].user
    # Asking again while it waits gives the same job.
    export(coordinator_client, small, "csv", status="overdue")
    assert ExportJob.objects.count() == 1

    page = coordinator_client.get(response["Location"])
    body = page.content.decode()
    assert "In de wachtrij" in body and "Vernieuwen" in body
    assert "export-job.js" in body and 'aria-live="polite"' in body
    status = coordinator_client.get(response["Location"], HTTP_ACCEPT="application/json").json()
    assert status == {
        "status": "queued",
        "status_label": "in de wachtrij",
        "progress": 0,
        "download_url": "",
    }
    download = reverse("organisations:export_download", args=[small.organisation.slug, job.pk])
    assert coordinator_client.get(download).status_code == 404
    assert not AuditLogEntry.objects.filter(action=AuditAction.EXPORTED).exists()

    build_export_file.call(job.pk)  # what the worker does
    job.refresh_from_db()
    assert (job.status, job.progress) == (ExportStatus.DONE, 100)
    assert job.file.name.startswith("exports/") and job.file.name.endswith(".csv")
    status = coordinator_client.get(response["Location"], HTTP_ACCEPT="application/json").json()
    assert status["status"] == "done" and status["download_url"] == download
    assert "Bestand downloaden" in coordinator_client.get(response["Location"]).content.decode()
    built = AuditLogEntry.objects.get(action=AuditAction.EXPORTED)
    assert built.detail == {
        "format": "csv",
        "filters": {"status": "overdue"},
        "rows": 2,
        "job": job.pk,
    }

    file = coordinator_client.get(download)
    assert file.status_code == 200
    content = b"".join(file.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf") and b"Dirk Dijkstra" in content
    assert "attachment" in file["Content-Disposition"]
    assert "signaal-" in file["Content-Disposition"]
    assert "no-store" in file["Cache-Control"]
    assert AuditLogEntry.objects.filter(action=AuditAction.EXPORTED).count() == 2


def test_only_the_requester_downloads_the_file(small, client, queued):
    sign_in_with_mfa(client, small.members["coordinator"].user)
    export(client, small, "xlsx")
    job = ExportJob.objects.get()
    build_export_file.call(job.pk)
    urls = [
        reverse("organisations:export_job", args=[small.organisation.slug, job.pk]),
        reverse("organisations:export_download", args=[small.organisation.slug, job.pk]),
    ]
    colleague = MembershipFactory(organisation=small.organisation, is_coordinator=True)
    sign_in_with_mfa(client, colleague.user)
    for url in urls:
        assert client.get(url).status_code == 404
    elsewhere = MembershipFactory(organisation=OrganisationFactory(), is_coordinator=True)
    sign_in_with_mfa(client, elsewhere.user)
    for url in urls:
        assert client.get(url).status_code == 404
        # Not through the other organisation's address either.
        other = url.replace(small.organisation.slug, elsewhere.organisation.slug)
        assert client.get(other).status_code == 404
    member = small.members["anna"]
    sign_in_with_mfa(client, member.user)
    for url in urls:
        assert client.get(url).status_code == 404
    assert AuditLogEntry.objects.filter(action=AuditAction.EXPORTED).count() == 1


def test_with_the_immediate_backend_the_job_is_done_at_once(small, coordinator_client, settings):
    settings.ORGANISATION_EXPORT_IMMEDIATE_LIMIT = 3
    response = export(coordinator_client, small, "pdf")
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert job.status == ExportStatus.DONE and job.file.name.endswith(".pdf")
    assert job.filters == {}


def test_a_requester_who_is_no_longer_coordinator_gets_nothing(small, coordinator_client, queued):
    export(coordinator_client, small, "csv")
    job = ExportJob.objects.get()
    Membership.objects.filter(pk=small.members["coordinator"].pk).update(is_coordinator=False)
    build_export_file.call(job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and not job.file
    assert not AuditLogEntry.objects.filter(action=AuditAction.EXPORTED).exists()


def test_old_export_files_are_deleted(small, coordinator_client, queued, media):
    export(coordinator_client, small, "csv")
    job = ExportJob.objects.get()
    build_export_file.call(job.pk)
    job.refresh_from_db()
    path = media / job.file.name
    assert path.exists()
    assert delete_old_exports(now=timezone.now()) == 0
    later = timezone.now() + datetime.timedelta(days=EXPORT_KEEP_DAYS + 1)
    assert delete_old_exports(now=later) == 1
    assert not path.exists() and not ExportJob.objects.exists()


def test_neutralised_cells():
    assert neutralised("=1+1") == "'=1+1"
    assert neutralised("@SUM(A1)") == "'@SUM(A1)"
    assert neutralised("-2") == "'-2"
    assert neutralised("Jan de Vries") == "Jan de Vries"


def test_xlsx_never_writes_a_formula():
    content = to_xlsx(
        ["Naam", "Datum", "Aantal"],
        [['=HYPERLINK("http://kwaad.example")', datetime.date(2026, 3, 1), 3], ["#N/A", None, 0]],
        title="Mensen",
    )
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet["A2"].data_type == "s" and sheet["A2"].value.startswith("=HYPERLINK")
    assert sheet["A3"].data_type == "s" and sheet["A3"].value == "#N/A"
    assert sheet["B2"].value == datetime.datetime(2026, 3, 1) and sheet["C2"].value == 3
