"""Which column of the file holds which field: the names HR systems and Excel lists use
(Dutch and English, compared without case, spaces, punctuation, accents or a byte order
mark), and the coordinator's own choice for the columns we do not recognise."""

import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

IGNORE = ""
# The fields a column can hold, in the order the mapping step offers them.
FIELDS = {
    "email": _("Email address"),
    "name": _("Full name"),
    "first_name": _("First name"),
    "name_infix": _("Name prefix (tussenvoegsel)"),
    "last_name": _("Last name"),
    "team": _("Team"),
    "role": _("Role"),
    "coordinator": _("Coordinator (yes/no)"),
    "start": _("Start date"),
}
REQUIRED = ("email", "role")
NAME_PARTS = ("first_name", "name_infix", "last_name")

# Field -> the header names accepted for it, as people write them; compared normalised.
ALIASES = {
    "email": (
        "e-mail", "email", "e-mailadres", "e-mail adres", "email address", "e-mail address",
        "mail", "mailadres", "e-mail werk", "werk e-mail", "zakelijk e-mailadres",
        "zakelijke e-mail", "e-mail zakelijk", "e-mailadres werk", "work email",
        "business email", "emailadres zakelijk",
    ),
    "name": (
        "naam", "name", "volledige naam", "full name", "naam medewerker", "medewerker",
        "medewerkersnaam", "werknemer", "weergavenaam", "display name", "volledige naam medewerker",
    ),
    "first_name": (
        "voornaam", "voornamen", "roepnaam", "first name", "firstname", "given name",
        "voornaam medewerker",
    ),
    "name_infix": (
        "tussenvoegsel", "tussenvoegsels", "voorvoegsel", "voorvoegsels", "tussenv",
        "voorv", "infix", "prefix", "name prefix", "tussenvoegsel achternaam",
    ),
    "last_name": (
        "achternaam", "geslachtsnaam", "last name", "lastname", "surname", "family name",
        "familienaam", "achternaam medewerker",
    ),
    "team": (
        "team", "teamnaam", "afdeling", "afdelingsnaam", "department", "organisatieonderdeel",
        "organisatie-eenheid", "organisatorische eenheid", "unit",
    ),
    "role": ("rol", "role", "functie", "functienaam", "functietitel", "job title", "rol signaal"),
    "coordinator": ("coordinator", "coördinator", "is coordinator"),
    "start": (
        "startdatum", "start date", "start", "lid sinds", "datum in dienst", "in dienst",
        "in dienst sinds", "datum indiensttreding", "indiensttreding", "begindatum",
        "hire date", "employment start",
    ),
}  # fmt: skip


def normalise(text: str) -> str:
    """A header or name compared without case, accents, spaces, punctuation or BOM."""
    decomposed = unicodedata.normalize("NFKD", str(text or "").replace("\ufeff", ""))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return "".join(char for char in plain.casefold() if char.isalnum())


HEADER_FIELDS = {normalise(name): field for field, names in ALIASES.items() for name in names}


@dataclass(frozen=True)
class Column:
    position: int
    header: str
    field: str  # a key of FIELDS, or IGNORE
    recognised: bool  # the header is one of ALIASES (else the coordinator chose, or nobody)
    example: str


def header_row(table: list[list[str]]) -> int | None:
    """The index of the header: the first row with any text."""
    return next((index for index, row in enumerate(table) if any(row)), None)


def automatic_mapping(headers: list[str]) -> list[str]:
    """The field of each header position as recognised: an unknown header, and a second
    column of a field already taken, are ignored until the coordinator says otherwise."""
    mapping: list[str] = []
    for header in headers:
        field = HEADER_FIELDS.get(normalise(header), IGNORE) if header else IGNORE
        mapping.append(IGNORE if field in mapping else field)
    # 'Voornaam; Naam' without 'Achternaam': in Dutch lists 'naam' then is the surname.
    if "name" in mapping and "first_name" in mapping and "last_name" not in mapping:
        mapping[mapping.index("name")] = "last_name"
    return mapping


def columns_of(table: list[list[str]], mapping: list[str] | None) -> list[Column]:
    """The file's columns with their field (the coordinator's mapping, else the automatic
    one) and a first value as example."""
    index = header_row(table)
    if index is None:
        return []
    headers = table[index]
    automatic = automatic_mapping(headers)
    if mapping is None or len(mapping) != len(headers):
        mapping = automatic
    columns = []
    for position, header in enumerate(headers):
        if not header:
            continue
        example = next(
            (row[position] for row in table[index + 1 :] if position < len(row) and row[position]),
            "",
        )
        columns.append(
            Column(
                position=position,
                header=header,
                field=mapping[position],
                recognised=automatic[position] != IGNORE,
                example=example,
            )
        )
    return columns


def check_mapping(headers: list[str], mapping: list[str]) -> list[str]:
    """What is wrong with a mapping the coordinator sent: unknown fields, a field for a
    position without a header, or a field chosen twice. Empty when it can be used."""
    errors = []
    if len(mapping) != len(headers):
        return ["length"]
    seen = set()
    for header, field in zip(headers, mapping, strict=True):
        if field == IGNORE:
            continue
        if field not in FIELDS or not header:
            errors.append("unknown")
        elif field in seen:
            errors.append(field)
        seen.add(field)
    return errors
