"""Fuzzing the member import (CSV and XLSX) as a coordinator: random files, valid files
with random cells, broken workbooks. The page never answers 500, and an import is all or
nothing: when the page lists problems, no membership, invitation or team has changed."""

import csv
import io
import zipfile

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from organisations.models import Invitation, Membership, Team
from tests.organisations.factories import RoleFactory, TeamFactory
from tests.organisations.importing import import_file

# Fuzzing: many generated examples per test (`make test-fast` leaves it out).
pytestmark = [pytest.mark.django_db, pytest.mark.slow]

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
ROLES = ("Uitvoerend professional", "Aandachtsfunctionaris")


@pytest.fixture
def prepared(organisation):
    for name in ROLES:
        RoleFactory(name=name, slug=name.lower().replace(" ", "-"))
    TeamFactory(organisation=organisation, name="Team Noord")
    return organisation


def state():
    return (
        sorted(
            Membership.objects.values_list(
                "user_id", "organisation_id", "team_id", "role_id", "is_coordinator",
                "started_on", "ended_on",
            )
        ),
        sorted(
            Invitation.objects.values_list(
                "email", "full_name", "team_id", "role_id", "is_coordinator", "expires_at"
            )
        ),
        sorted(Team.objects.values_list("organisation_id", "name")),
    )  # fmt: skip


def post_file(client, organisation, content: bytes, name: str, create_teams: bool):
    data = {"create_teams": "on"} if create_teams else {}
    return import_file(client, organisation, content, name, **data)


def check_all_or_nothing(response, before, emails=None):
    """No 500; problems listed (400, or 200 for a form error such as an empty file) ->
    nothing changed; success (302) -> every row is in."""
    assert response.status_code in (200, 302, 400), response.status_code
    after = state()
    if response.status_code != 302:
        assert after == before, "a refused import changed something"
        event("refused, nothing changed")
        return
    event("imported")
    if emails is not None:
        imported = set(Invitation.objects.values_list("email", flat=True)) | {
            e.lower() for e in Membership.objects.values_list("user__email", flat=True)
        }
        assert set(emails) <= imported, "an import reported success without every row"


def in_a_savepoint(check):
    with transaction.atomic():
        check()
        transaction.set_rollback(True)  # the next example starts from the same state


# --- Cells ------------------------------------------------------------------------------

controls = st.text(st.characters(max_codepoint=0x1F, exclude_characters="\x00"), max_size=5)
cell_text = st.one_of(
    st.text(max_size=40),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=40),
    controls,
    st.sampled_from(
        [
            "=cmd|' /C calc'!A0",
            "+SUM(A1:A9)",
            "-1+1",
            "@IMPORT",
            'a;b "c"',
            "Zoë; Brouwer",
            "\ufeffbom",
            "line\nbreak",
            "x" * 5000,
            "Team Noord",
            "team noord",
            "",
        ]
    ),
)
local_part = st.from_regex(r"[a-z0-9._+-]{1,70}", fullmatch=True)
emails = st.one_of(
    st.builds(lambda local, n: f"{local}.{n}@voorbeeld.nl", local_part, st.integers(0, 10**6)),
    st.builds(lambda n: f"{'l' * n}@voorbeeld.nl", st.integers(200, 330)),  # too long
    st.builds(
        lambda label: f"persoon@{label}.nl", st.from_regex(r"[a-z0-9-]{1,80}", fullmatch=True)
    ),
    cell_text,
)
# Mostly valid rows (so that whole imports go through too), any cell possibly odd.
valid_email = st.builds(lambda n: f"lid.{n}@voorbeeld.nl", st.integers(0, 10**6))
rows = st.lists(
    st.fixed_dictionaries(
        {
            "e-mail": st.one_of(valid_email, valid_email, emails),
            "naam": cell_text,
            "team": st.one_of(st.just(""), st.just("Team Noord"), cell_text),
            "rol": st.one_of(st.sampled_from(ROLES), st.sampled_from(ROLES), cell_text),
            "coördinator": st.one_of(st.sampled_from(["", "ja", "nee", "NEE"]), cell_text),
            "startdatum": st.one_of(
                st.sampled_from(["", "01-03-2026", "2026-03-01", "31-02-2026"]), cell_text
            ),
        }
    ),
    min_size=1,
    max_size=5,
)
HEADER = ["e-mail", "naam", "team", "rol", "coördinator", "startdatum"]


def csv_bytes(table, *, delimiter: str, encoding: str, empty_lines: list[int]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(HEADER)
    for number, row in enumerate(table):
        if number in empty_lines:
            buffer.write("\r\n")
        writer.writerow([row[column] for column in HEADER])
    return buffer.getvalue().encode(encoding, errors="replace")


# --- Tests ------------------------------------------------------------------------------


@FUZZ
@given(
    content=st.one_of(
        st.binary(max_size=3000), st.binary(max_size=200).map(lambda b: b"PK\x03\x04" + b)
    ),
    name=st.sampled_from(
        ["leden.csv", "leden.xlsx", "leden.xlsm", "leden.txt", "leden", "leden.xls"]
    ),
    create_teams=st.booleans(),
)
def test_random_bytes_as_the_file(coordinator_client, prepared, content, name, create_teams):
    def check():
        before = state()
        response = post_file(coordinator_client, prepared, content, name, create_teams)
        check_all_or_nothing(response, before)

    in_a_savepoint(check)


@FUZZ
@given(
    table=rows,
    delimiter=st.sampled_from([";", ",", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1", "utf-32"]),
    empty_lines=st.lists(st.integers(0, 6), max_size=3),
    create_teams=st.booleans(),
)
def test_random_cells_in_a_csv(
    coordinator_client, prepared, table, delimiter, encoding, empty_lines, create_teams
):
    content = csv_bytes(table, delimiter=delimiter, encoding=encoding, empty_lines=empty_lines)

    def check():
        before = state()
        response = post_file(coordinator_client, prepared, content, "leden.csv", create_teams)
        check_all_or_nothing(response, before, [row["e-mail"].strip().lower() for row in table])

    in_a_savepoint(check)


def xlsx_bytes(table) -> bytes:
    workbook = Workbook()
    workbook.active.append(HEADER)
    for row in table:
        workbook.active.append([row[column] for column in HEADER])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def without_illegal_xml(text: str) -> str:
    # openpyxl refuses to write control characters (XML 1.0 forbids them).
    return "".join(char for char in text if char in "\t\n\r" or ord(char) >= 0x20)


@FUZZ
@given(table=rows, create_teams=st.booleans())
def test_random_cells_in_an_xlsx(coordinator_client, prepared, table, create_teams):
    table = [{key: without_illegal_xml(value) for key, value in row.items()} for row in table]
    content = xlsx_bytes(table)

    def check():
        before = state()
        response = post_file(coordinator_client, prepared, content, "leden.xlsx", create_teams)
        check_all_or_nothing(response, before, [row["e-mail"].strip().lower() for row in table])

    in_a_savepoint(check)


def damaged(content: bytes, member: str, position: int, garbage: bytes) -> bytes:
    """The workbook with part of one of its XML files overwritten."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == member:
                at = position % (len(data) + 1)
                data = data[:at] + garbage + data[at + len(garbage) :]
            target.writestr(info, data)
    return buffer.getvalue()


VALID_XLSX = xlsx_bytes(
    [
        {
            "e-mail": "nieuw@voorbeeld.nl",
            "naam": "Nieuw",
            "team": "Team Noord",
            "rol": ROLES[0],
            "coördinator": "nee",
            "startdatum": "01-03-2026",
        }
    ]
)


@FUZZ
@given(
    member=st.sampled_from(sorted(zipfile.ZipFile(io.BytesIO(VALID_XLSX)).namelist())),
    position=st.integers(0, 5000),
    garbage=st.binary(min_size=1, max_size=40),
)
def test_a_damaged_workbook(coordinator_client, prepared, member, position, garbage):
    content = damaged(VALID_XLSX, member, position, garbage)

    def check():
        before = state()
        response = post_file(coordinator_client, prepared, content, "leden.xlsx", False)
        check_all_or_nothing(response, before)

    in_a_savepoint(check)
