"""Importing members from CSV (as Dutch Excel writes it) and XLSX: all or nothing, every
problem with its line number."""

import datetime
import io

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from organisations import imports
from organisations.models import AuditAction, AuditLogEntry, Invitation, Membership, Team
from organisations.services.invitations import accept_invitation
from organisations.services.member_import import import_members
from tests.factories import UserFactory

from .factories import MembershipFactory, RoleFactory, TeamFactory
from .importing import import_file

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 23)


def parse(content: bytes, name: str = "leden.csv") -> imports.ParsedFile:
    return imports.parse_upload(SimpleUploadedFile(name, content), today=TODAY)


def xlsx(rows: list[list]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Reading files (no database needed, but cheap with it) --------------------------------


def test_csv_with_bom_and_semicolons():
    content = (
        "e-mail;naam;team;rol;coördinator;startdatum\r\n"
        "Jeroen.Brouwer@Voorbeeld.nl;Jeroen Brouwer — Zoë;Team Noord;Uitvoerend professional;"
        "nee;01-03-2026\r\n"
    ).encode("utf-8-sig")
    parsed = parse(content)
    assert parsed.problems == []
    [row] = parsed.rows
    assert row.email == "jeroen.brouwer@voorbeeld.nl"
    assert row.full_name == "Jeroen Brouwer — Zoë"
    assert row.team == "Team Noord"
    assert row.role == "Uitvoerend professional"
    assert row.is_coordinator is False
    assert row.started_on == datetime.date(2026, 3, 1)
    assert row.line == 2


def test_csv_in_windows_1252():
    content = (
        "E-mail;Naam;Rol;Coördinator\r\nzoe@voorbeeld.nl;Jeroen Brouwer — Zoë;rol;ja\r\n"
    ).encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    parsed = parse(content)
    assert parsed.problems == []
    assert parsed.rows[0].full_name == "Jeroen Brouwer — Zoë"
    assert parsed.rows[0].is_coordinator is True


def test_csv_with_commas_when_the_header_uses_them():
    parsed = parse(b'email,name,role\nann@voorbeeld.nl,"Ann, van Dijk",rol\n')
    assert parsed.problems == []
    assert parsed.rows[0].full_name == "Ann, van Dijk"


def test_xlsx_with_dates_and_numbers():
    content = xlsx(
        [
            ["E-mail", "Naam", "Team", "Rol", "Coördinator", "Startdatum"],
            [
                "kim@voorbeeld.nl",
                "Kim Zoë Öztürk",
                "Team Zuid",
                "rol",
                1,
                datetime.datetime(2026, 2, 1),
            ],
            [None, None, None, None, None, None],
            ["lex@voorbeeld.nl", None, None, "rol", None, "15-01-2026"],
        ]
    )
    parsed = parse(content, "leden.xlsx")
    assert parsed.problems == []
    assert [(r.line, r.email, r.is_coordinator, r.started_on) for r in parsed.rows] == [
        (2, "kim@voorbeeld.nl", True, datetime.date(2026, 2, 1)),
        (4, "lex@voorbeeld.nl", None, datetime.date(2026, 1, 15)),
    ]
    assert parsed.rows[0].full_name == "Kim Zoë Öztürk"


def test_every_bad_row_is_reported_with_its_line_number():
    content = (
        "e-mail;naam;team;rol;coördinator;startdatum\n"
        "goed@voorbeeld.nl;Goed;;rol;nee;\n"
        "geen-adres;Fout;;rol;nee;\n"  # line 3: invalid email
        "goed@voorbeeld.nl;Dubbel;;rol;;\n"  # line 4: duplicate
        ";Leeg;;rol;;\n"  # line 5: no email
        "b@voorbeeld.nl;B;;;;\n"  # line 6: no role
        "c@voorbeeld.nl;C;;rol;misschien;\n"  # line 7: not ja/nee
        "d@voorbeeld.nl;D;;rol;;31-02-2026\n"  # line 8: no such date
        "e@voorbeeld.nl;E;;rol;;01-01-2099\n"  # line 9: far in the future
    ).encode()
    parsed = parse(content)
    assert sorted({p.line for p in parsed.problems}) == [3, 4, 5, 6, 7, 8, 9]
    messages = [str(problem) for problem in parsed.problems]
    assert any("Regel 4" in m and "regel 2" in m for m in messages), messages


def test_header_problems():
    missing = parse(b"naam;team\nA;B\n").problems
    assert [problem.line for problem in missing] == [1, 1]
    assert "e-mailadres" in str(missing[0]) and "rol" in str(missing[1])
    # An unknown column is not imported (the coordinator may map it), and no problem.
    unknown = parse(b"e-mail;rol;personeelsnummer\na@voorbeeld.nl;rol;X\n")
    assert unknown.problems == []
    assert [(c.header, c.field) for c in unknown.columns][-1] == ("personeelsnummer", "")
    assert parse(b"").problems and parse(b"e-mail;rol\n").problems


def test_too_many_rows_and_too_large(monkeypatch):
    monkeypatch.setattr("organisations.imports.rows.MAX_ROWS", 3)
    content = b"e-mail;rol\n" + b"".join(f"p{n}@voorbeeld.nl;rol\n".encode() for n in range(4))
    [problem] = parse(content).problems
    assert "4" in str(problem) and "3" in str(problem)
    monkeypatch.setattr("organisations.imports.reading.MAX_BYTES", 10)
    assert "te groot" in str(parse(b"e-mail;rol\na@b.nl;rol\n").problems[0])


def test_a_workbook_that_unpacks_too_large_is_refused(monkeypatch):
    monkeypatch.setattr("organisations.imports.reading.MAX_UNPACKED_BYTES", 1000)
    content = xlsx([["e-mail", "rol"], ["kim@voorbeeld.nl", "rol"]])
    [problem] = parse(content, "leden.xlsx").problems
    assert "te groot" in str(problem)


def test_old_excel_and_garbage_are_refused():
    assert ".xls" in str(parse(b"\xd0\xcf\x11\xe0", "oud.xls").problems[0])
    assert parse(b"PK\x03\x04rommel", "leden.xlsx").problems


# --- Importing ------------------------------------------------------------------------------


@pytest.fixture
def roles():
    return {
        "professional": RoleFactory(name="Uitvoerend professional", slug="uitvoerend-professional"),
        "af": RoleFactory(name="Aandachtsfunctionaris", slug="aandachtsfunctionaris"),
    }


upload = import_file


def state():
    return (
        sorted(Membership.objects.values_list("user_id", "team_id", "role_id", "ended_on")),
        Invitation.objects.count(),
        Team.objects.count(),
    )


def test_a_file_with_bad_rows_imports_nothing_and_lists_every_line(
    coordinator_client, organisation, roles
):
    TeamFactory(organisation=organisation, name="Team Noord")
    UserFactory(email="bekend@voorbeeld.nl")
    before = state()
    content = (
        "e-mail;naam;team;rol\n"
        "bekend@voorbeeld.nl;Bekend;Team Noord;Uitvoerend professional\n"
        "nieuw@voorbeeld.nl;Nieuw;Team Noord;Uitvoerend professional\n"
        "x@voorbeeld.nl;X;Team Onbekend;Uitvoerend professional\n"  # line 4: unknown team
        "y@voorbeeld.nl;Y;;Directeur\n"  # line 5: unknown role
        "fout;Z;;Uitvoerend professional\n"  # line 6: invalid email
    ).encode("utf-8-sig")
    response = upload(coordinator_client, organisation, content)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Er is niets geïmporteerd" in page
    for line in (4, 5, 6):
        assert f"Regel {line}:" in page
    assert "Regel 2:" not in page and "Regel 3:" not in page
    assert state() == before
    assert not AuditLogEntry.objects.filter(action=AuditAction.IMPORTED).exists()
    assert mail.outbox == []


def test_a_good_file_updates_current_members_and_invites_everyone_else(
    coordinator_client, organisation, roles, coordinator, django_capture_on_commit_callbacks
):
    team = TeamFactory(organisation=organisation, name="Team Noord")
    known = UserFactory(email="bekend@voorbeeld.nl", full_name="Bekende Naam")
    member = MembershipFactory(organisation=organisation, role=roles["professional"])
    content = (
        "e-mail;naam;team;rol;coördinator;startdatum\n"
        "BEKEND@voorbeeld.nl;Andere Naam;team noord;aandachtsfunctionaris;nee;01-09-2026\n"
        f"{member.user.email};;Team Zuid;Aandachtsfunctionaris;;\n"
        "zoe@voorbeeld.nl;Zoë de Vries;Team Zuid;Uitvoerend professional;ja;\n"
    ).encode("cp1252")
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(coordinator_client, organisation, content, create_teams="on")
    assert response.status_code == 302
    assert Team.objects.filter(organisation=organisation, name="Team Zuid").exists()
    # Someone with an account who is not a member here is invited like anyone else.
    assert not Membership.objects.filter(user=known, organisation=organisation).exists()
    invited = Invitation.objects.get(organisation=organisation, email="bekend@voorbeeld.nl")
    assert (invited.team, invited.role, invited.is_coordinator) == (team, roles["af"], False)
    assert invited.started_on == datetime.date(2026, 9, 1)
    known.refresh_from_db()
    assert known.full_name == "Bekende Naam"  # people keep the name they gave themselves
    member.refresh_from_db()
    assert (member.team.name, member.role) == ("Team Zuid", roles["af"])
    invitation = Invitation.objects.get(organisation=organisation, email="zoe@voorbeeld.nl")
    assert (invitation.full_name, invitation.is_coordinator) == ("Zoë de Vries", True)
    assert sorted(message.to[0] for message in mail.outbox) == [
        "bekend@voorbeeld.nl",
        "zoe@voorbeeld.nl",
    ]
    entry = AuditLogEntry.objects.get(action=AuditAction.IMPORTED)
    assert entry.actor == coordinator
    assert entry.detail == {
        "rows": 3,
        "updated": 1,
        "unchanged": 0,
        "invited": 2,
        "teams_created": 1,
    }
    follow = coordinator_client.get(response.url)
    assert "Import voltooid" in follow.content.decode()


def test_another_organisations_member_is_invited_and_the_reply_does_not_tell(
    client, roles, modules, django_capture_on_commit_callbacks
):
    """Issue 16, finding 3: a row with the address of someone who has an account (here
    another organisation's coordinator, with a certificate) makes nobody a member. They get
    the same invitation as an unknown address, and nothing the importing coordinator sees
    (the reply, the message, the audit log, the people list) tells the two apart."""
    from tests.factories import CertificateFactory

    from .conftest import sign_in_with_mfa
    from .factories import OrganisationFactory

    elsewhere = MembershipFactory(organisation=OrganisationFactory(), is_coordinator=True)
    staff = elsewhere.user
    assert EmailAddress.objects.get(user=staff).verified
    certificate = CertificateFactory(user=staff, module=modules[0])
    replies = {}
    for kind, address in (("known", staff.email), ("unknown", "niemand@voorbeeld.nl")):
        organisation = OrganisationFactory()
        importer = MembershipFactory(organisation=organisation, is_coordinator=True).user
        sign_in_with_mfa(client, importer)
        mail.outbox.clear()
        content = (
            "e-mail;naam;rol;coördinator;startdatum\n"
            f"{address};Iemand;Aandachtsfunctionaris;ja;01-01-2020\n"
        ).encode()
        with django_capture_on_commit_callbacks(execute=True):
            response = upload(client, organisation, content)
        followed = client.get(response.url)
        people = client.get(reverse("organisations:people", args=[organisation.slug]))
        imported = AuditLogEntry.objects.get(organisation=organisation, action=AuditAction.IMPORTED)
        [invited] = AuditLogEntry.objects.filter(
            organisation=organisation, action=AuditAction.INVITED
        )
        invitation = Invitation.objects.get(organisation=organisation)
        replies[kind] = {
            "status": response.status_code,
            "messages": [str(m) for m in followed.context["messages"]],
            "imported": imported.detail,
            "invited": {key: type(value) for key, value in invited.detail.items()},
            "members": Membership.objects.filter(organisation=organisation).count(),
            "invitation": (invitation.email, invitation.is_coordinator, invitation.started_on),
            "mails": [message.to for message in mail.outbox],
            "people": people.content.decode(),
        }
        assert invited.detail["email"] == address
        assert response.status_code == 302
    known, unknown = replies["known"], replies["unknown"]
    assert not Membership.objects.filter(user=staff).exclude(pk=elsewhere.pk).exists()
    assert known["members"] == unknown["members"] == 1  # the importing coordinator only
    assert known["mails"] == [[staff.email]] and unknown["mails"] == [["niemand@voorbeeld.nl"]]
    assert known["invitation"][1:] == (True, datetime.date(2020, 1, 1))
    for key in ("status", "messages", "imported", "invited"):
        assert known[key] == unknown[key], key
    assert staff.full_name not in known["people"] and staff.email not in known["people"]
    assert certificate.formatted_code not in known["people"]


def test_unknown_team_without_the_tick_is_a_problem(coordinator_client, organisation, roles):
    response = upload(
        coordinator_client,
        organisation,
        b"e-mail;team;rol\na@voorbeeld.nl;Nieuw;Aandachtsfunctionaris\n",
    )
    assert response.status_code == 400
    assert "Onbekend team" in response.content.decode()
    assert not Team.objects.filter(name="Nieuw").exists()


def test_xlsx_upload_through_the_page(coordinator_client, organisation, roles):
    content = xlsx([["e-mail", "rol"], ["kim@voorbeeld.nl", "Aandachtsfunctionaris"]])
    response = upload(coordinator_client, organisation, content, name="leden.xlsx")
    assert response.status_code == 302
    assert Invitation.objects.filter(email="kim@voorbeeld.nl", role=roles["af"]).exists()


def test_the_last_coordinator_cannot_import_themselves_away(
    coordinator_client, organisation, roles, coordinator
):
    content = f"e-mail;rol;coördinator\n{coordinator.email};Aandachtsfunctionaris;nee\n".encode()
    before = state()
    response = upload(coordinator_client, organisation, content)
    assert response.status_code == 400
    assert "geen coördinator" in response.content.decode()
    assert state() == before


def test_importing_again_refreshes_invitations_and_changes_nothing_else(organisation, roles):
    actor = MembershipFactory(organisation=organisation, is_coordinator=True).user
    rows = parse(b"e-mail;rol\nnieuw@voorbeeld.nl;aandachtsfunctionaris\n").rows
    import_members(organisation=organisation, actor=actor, rows=rows)
    first = Invitation.objects.get()
    result = import_members(organisation=organisation, actor=actor, rows=rows)
    assert result.invited == 1
    again = Invitation.objects.get()
    assert again.pk == first.pk and again.expires_at >= first.expires_at


def test_an_invited_persons_start_date_counts_from_the_import(organisation, roles):
    """'startdatum' for someone without an account: the membership they accept starts
    then (deadlines count from it), not on the day they accept."""
    actor = MembershipFactory(organisation=organisation, is_coordinator=True).user
    rows = parse(b"e-mail;rol;startdatum\nnieuw@voorbeeld.nl;aandachtsfunctionaris;01-09-2026\n")
    import_members(organisation=organisation, actor=actor, rows=rows.rows)
    invitation = Invitation.objects.get()
    assert invitation.started_on == datetime.date(2026, 9, 1)
    # Importing again without a date keeps it.
    rows = parse(b"e-mail;rol\nnieuw@voorbeeld.nl;aandachtsfunctionaris\n").rows
    import_members(organisation=organisation, actor=actor, rows=rows)
    invitation.refresh_from_db()
    assert invitation.started_on == datetime.date(2026, 9, 1)

    person = UserFactory(email="nieuw@voorbeeld.nl")
    membership = accept_invitation(invitation=invitation, user=person)
    assert membership.started_on == datetime.date(2026, 9, 1)


def test_an_invitation_without_a_start_date_starts_on_acceptance(organisation, roles):
    actor = MembershipFactory(organisation=organisation, is_coordinator=True).user
    rows = parse(b"e-mail;rol\nnieuw@voorbeeld.nl;aandachtsfunctionaris\n").rows
    import_members(organisation=organisation, actor=actor, rows=rows)
    person = UserFactory(email="nieuw@voorbeeld.nl")
    membership = accept_invitation(invitation=Invitation.objects.get(), user=person)
    assert membership.started_on == timezone.localdate()


def test_the_template_downloads(coordinator_client, organisation):
    url = reverse("organisations:import", args=[organisation.slug])
    page = coordinator_client.get(url)
    assert page.status_code == 200
    assert "coördinator" in page.content.decode()
    csv_file = coordinator_client.get(url, {"sjabloon": "csv"})
    assert csv_file.content.startswith(b"\xef\xbb\xbfe-mail;naam;team;rol;co")
    parsed = parse(csv_file.content)
    assert [row.email for row in parsed.rows] and not parsed.problems
    xlsx_file = coordinator_client.get(url, {"sjabloon": "xlsx"})
    parsed = parse(xlsx_file.content, "sjabloon.xlsx")
    assert not parsed.problems and len(parsed.rows) == 2
