"""Issue 20.5: the import takes an ordinary HR export. Dutch and English column names and
their variants (case, spaces, punctuation, accents, a byte order mark), the name in
voornaam / tussenvoegsel / achternaam, the coordinator's own mapping of other columns, and
every problem of the file reported in one round."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from organisations import imports

TODAY = datetime.date(2026, 11, 23)

HR_HEADER = (
    "Personeelsnummer;Voornaam;Tussenvoegsel;Achternaam;E-mailadres;Functie;Afdeling;"
    "Datum in dienst"
)


def parse(content: bytes, name: str = "hr-export.csv", mapping=None) -> imports.ParsedFile:
    table, problems = imports.read_upload(SimpleUploadedFile(name, content))
    assert problems == []
    return imports.parse_table(table, mapping=mapping, today=TODAY)


def xlsx(rows: list[list]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_dutch_hr_export_in_windows_1252():
    content = (
        f"{HR_HEADER}\r\n"
        "10234;Jan;van der;Berg;J.vanderBerg@Voorbeeld.nl;Aandachtsfunctionaris;Team Noord;"
        "01-03-2025\r\n"
        "10235;Zoë;;Öztürk;zoe@voorbeeld.nl;Uitvoerend professional;Team Zuid;\r\n"
    ).encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    parsed = parse(content)
    assert parsed.problems == []
    assert [(c.header, c.field) for c in parsed.columns] == [
        ("Personeelsnummer", ""),
        ("Voornaam", "first_name"),
        ("Tussenvoegsel", "name_infix"),
        ("Achternaam", "last_name"),
        ("E-mailadres", "email"),
        ("Functie", "role"),
        ("Afdeling", "team"),
        ("Datum in dienst", "start"),
    ]
    jan, zoe = parsed.rows
    assert (jan.full_name, jan.email, jan.role, jan.team) == (
        "Jan van der Berg",
        "j.vanderberg@voorbeeld.nl",
        "Aandachtsfunctionaris",
        "Team Noord",
    )
    assert jan.started_on == datetime.date(2025, 3, 1)
    assert (zoe.full_name, zoe.started_on) == ("Zoë Öztürk", None)


def test_utf8_with_a_byte_order_mark_and_semicolons():
    content = (
        "Roepnaam;Voorvoegsel;Geslachtsnaam;E-mail;Rol\n"
        "Fatima;el;Amrani;fatima@voorbeeld.nl;Aandachtsfunctionaris\n"
    ).encode("utf-8-sig")
    assert content.startswith(b"\xef\xbb\xbf")
    parsed = parse(content)
    assert parsed.problems == []
    assert parsed.rows[0].full_name == "Fatima el Amrani"
    assert parsed.columns[0].field == "first_name"  # the BOM is not part of the name


def test_an_xlsx_made_with_openpyxl():
    content = xlsx(
        [
            ["Voornaam", "Tussenvoegsel", "Achternaam", "E-mail adres", "Rol", "Startdatum"],
            ["Jan", "van der", "Berg", "jan@voorbeeld.nl", "Aandachtsfunctionaris",
             datetime.datetime(2026, 2, 1)],
        ]
    )  # fmt: skip
    parsed = parse(content, "hr-export.xlsx")
    assert parsed.problems == []
    [row] = parsed.rows
    assert (row.full_name, row.email, row.started_on) == (
        "Jan van der Berg",
        "jan@voorbeeld.nl",
        datetime.date(2026, 2, 1),
    )


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("E-mail", "email"),
        ("  E-MAIL  ", "email"),
        ("\ufeffe-mail", "email"),
        ("e_mail", "email"),
        ("E-mailadres", "email"),
        ("Email", "email"),
        ("Mail", "email"),
        ("Zakelijk e-mailadres", "email"),
        ("Naam", "name"),
        ("Volledige naam", "name"),
        ("Full name", "name"),
        ("voornaam", "first_name"),
        ("First Name", "first_name"),
        ("Tussenvoegsel(s)", "name_infix"),
        ("ACHTERNAAM", "last_name"),
        ("Last name", "last_name"),
        ("Functie", "role"),
        ("Rol*", "role"),
        ("role", "role"),
        ("Team", "team"),
        ("Afdeling", "team"),
        ("Department", "team"),
        ("Coördinator", "coordinator"),
        ("COORDINATOR", "coordinator"),
        ("Startdatum", "start"),
        ("Datum in dienst", "start"),
        ("Personeelsnummer", ""),
        ("Geboortedatum", ""),
    ],
)
def test_header_names_and_their_variants(header, field):
    assert imports.automatic_mapping([header]) == [field]


def test_voornaam_and_naam_means_naam_is_the_surname():
    parsed = parse(b"Voornaam;Naam;e-mail;rol\nJan;Jansen;jan@voorbeeld.nl;rol\n")
    assert parsed.rows[0].full_name == "Jan Jansen"


def test_a_filled_name_column_wins_over_the_parts():
    parsed = parse(
        b"naam;voornaam;achternaam;e-mail;rol\n"
        b"Jan van der Berg-Smit;Jan;Berg;jan@voorbeeld.nl;rol\n"
        b";Kim;Kok;kim@voorbeeld.nl;rol\n"
    )
    assert [row.full_name for row in parsed.rows] == ["Jan van der Berg-Smit", "Kim Kok"]


def test_a_second_column_for_the_same_field_is_left_out_until_chosen():
    parsed = parse(b"e-mail;rol;e-mailadres prive\na@voorbeeld.nl;rol;a@thuis.nl\n")
    assert [column.field for column in parsed.columns] == ["email", "role", ""]
    assert parsed.rows[0].email == "a@voorbeeld.nl"


def test_the_coordinator_maps_an_unknown_column():
    content = b"E-mail;Werkplek;Functiegroep\na@voorbeeld.nl;Noord;Aandachtsfunctionaris\n"
    automatic = parse(content)
    assert [column.field for column in automatic.columns] == ["email", "", ""]
    assert [str(p) for p in automatic.problems] == [
        "Regel 1: Geen kolom bevat de rol. Kies hieronder welke kolom die bevat, of voeg de "
        "kolom toe aan het bestand."
    ]
    mapped = parse(content, mapping=["email", "team", "role"])
    assert mapped.problems == []
    assert (mapped.rows[0].team, mapped.rows[0].role) == ("Noord", "Aandachtsfunctionaris")


def test_a_mapping_from_the_browser_is_checked():
    headers = ["E-mail", "Werkplek", ""]
    assert imports.check_mapping(headers, ["email", "team", ""]) == []
    assert imports.check_mapping(headers, ["email", "team"])  # wrong length
    assert imports.check_mapping(headers, ["email", "password", ""])  # no such field
    assert imports.check_mapping(headers, ["email", "email", ""])  # twice
    assert imports.check_mapping(headers, ["email", "", "role"])  # a column without header


def test_five_bad_rows_are_all_named_and_nothing_is_kept():
    content = (
        "Voornaam;Achternaam;E-mail;Functie;Coördinator;Datum in dienst\n"
        "Anna;Aalders;anna@voorbeeld.nl;rol;nee;01-01-2026\n"
        "Bert;Bos;bert@voorbeeld;rol;;\n"  # line 3: invalid email
        "Cas;Claes;;rol;;\n"  # line 4: no email
        "Dirk;Dijk;dirk@voorbeeld.nl;;;\n"  # line 5: no role
        "Els;Eck;els@voorbeeld.nl;rol;misschien;\n"  # line 6: not ja/nee
        "Fien;Fok;fien@voorbeeld.nl;rol;;31-02-2026\n"  # line 7: no such date
        "Gijs;Gans;gijs@voorbeeld.nl;rol;;\n"
    ).encode("utf-8-sig")
    parsed = parse(content)
    assert [problem.line for problem in parsed.problems] == [3, 4, 5, 6, 7]
    messages = "\n".join(str(problem) for problem in parsed.problems)
    for expected in ("bert@voorbeeld", "e-mailadres ontbreekt", "rol ontbreekt", "misschien",
                     "31-02-2026"):  # fmt: skip
        assert expected in messages, messages


def test_header_problems_and_row_problems_come_in_one_round():
    content = b"naam;rol;startdatum\nA;rol;gisteren\nB;;\n"
    problems = [(p.line, str(p)) for p in parse(content).problems]
    assert [line for line, _text in problems] == [1, 2, 3]
    assert "e-mailadres" in problems[0][1]
