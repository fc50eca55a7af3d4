"""Reading a member import file (CSV or XLSX) into checked rows.

The file has a header row naming its columns (in any order; Dutch or English names):

    e-mail;naam;team;rol;coördinator;startdatum

`e-mail` and `rol` are required columns; the others are optional. CSV is read as Dutch
Excel writes it: semicolons (commas or tabs when the header uses them), UTF-8 with or
without a byte order mark, or Windows-1252. Every problem is reported with its line number
(the header is line 1, as in Excel); organisations.services.member_import.import_members
imports nothing when there is any."""

import csv
import datetime
import io
import logging
import unicodedata
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
# An .xlsx is a zip file; what it may unpack to.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024

# Canonical column -> the header names accepted for it (compared without accents, case or
# surrounding spaces).
COLUMNS = {
    "email": ("e-mail", "email", "e-mailadres", "emailadres", "e-mail address", "mail"),
    "name": ("naam", "name", "volledige naam", "full name"),
    "team": ("team",),
    "role": ("rol", "role", "functie"),
    "coordinator": ("coordinator", "coördinator"),
    "start": ("startdatum", "start date", "start", "lid sinds", "datum in dienst"),
}
# Required column -> the name the messages use for it.
REQUIRED_COLUMNS = {"email": "e-mail", "role": "rol"}
# The header row of the template and of the format description.
TEMPLATE_HEADER = ["e-mail", "naam", "team", "rol", "coördinator", "startdatum"]

TRUE_WORDS = {"ja", "j", "yes", "y", "1", "x", "waar", "true", "wel"}
FALSE_WORDS = {"nee", "n", "no", "0", "onwaar", "false", "niet"}
DATE_FORMATS = ("%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d", "%d-%m-%Y %H:%M:%S")
MAX_LENGTHS = {"name": 200, "team": 100, "role": 100}
# The longest address an email field stores (Django's validator allows up to 320).
MAX_EMAIL_LENGTH = 254


@dataclass(frozen=True)
class Problem:
    line: int | None
    message: str

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        return _("Line %(line)s: %(message)s") % {"line": self.line, "message": self.message}


@dataclass(frozen=True)
class ImportRow:
    line: int
    email: str
    full_name: str
    team: str
    role: str
    # None when the cell (or column) is empty: no for a new member, unchanged for a member.
    is_coordinator: bool | None
    started_on: datetime.date | None


@dataclass
class ParsedFile:
    rows: list[ImportRow]
    problems: list[Problem]


def _normalise_header(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", str(text or ""))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(plain.replace("*", " ").lower().split())


HEADER_NAMES = {
    _normalise_header(name): column for column, names in COLUMNS.items() for name in names
}


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return " ".join(str(value).split())


# --- Reading the table ----------------------------------------------------------------------


def _decode(data: bytes) -> str | None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode text" is UTF-16 with a byte order mark.
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return None


def _csv_rows(data: bytes) -> tuple[list[list], list[Problem]]:
    text = _decode(data)
    if text is None:
        message = _(
            "The file's character encoding is not recognised. Save it as 'CSV UTF-8' or as "
            "an Excel workbook (.xlsx)."
        )
        return [], [Problem(None, message)]
    if "\x00" in text:
        return [], [Problem(None, _("This does not look like a CSV file."))]
    first_line = text.lstrip().split("\n", 1)[0]
    delimiter = ";" if ";" in first_line else "\t" if "\t" in first_line else ","
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)), []
    except csv.Error as error:
        return [], [Problem(None, _("The CSV file cannot be read: %(error)s") % {"error": error})]


def _xlsx_rows(data: bytes) -> tuple[list[list], list[Problem]]:
    from openpyxl import load_workbook

    unreadable = [Problem(None, _("The Excel file cannot be read. Save it again as .xlsx."))]
    try:
        unpacked = sum(item.file_size for item in zipfile.ZipFile(io.BytesIO(data)).infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return [], unreadable
    if unpacked > MAX_UNPACKED_BYTES:
        # A workbook that unpacks to far more than any member list would (a zip bomb).
        message = _("The file is too large (at most %(max)s MB).") % {
            "max": MAX_BYTES // (1024 * 1024)
        }
        return [], [Problem(None, message)]
    # Any failure of the parser on this untrusted file (a damaged zip member, broken XML:
    # lxml's XMLSyntaxError, zlib.error, ...) means the same to the coordinator.
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        logger.info("Unreadable workbook uploaded for import", exc_info=True)
        return [], unreadable
    try:
        sheet = workbook.worksheets[0]
        rows: list[list] = []
        filled = 0
        for values in sheet.iter_rows(values_only=True):
            if any(_cell_text(value) for value in values):
                rows.append(list(values))
                filled += 1
                if filled > MAX_ROWS + 1:
                    # Header and more rows than allowed: enough to report it.
                    break
            else:
                # Keep empty rows (as nothing) so line numbers match Excel's row numbers.
                rows.append([])
        return rows, []
    except Exception:
        logger.info("Unreadable workbook uploaded for import", exc_info=True)
        return [], unreadable
    finally:
        workbook.close()


def read_table(data: bytes, filename: str) -> tuple[list[list], list[Problem]]:
    """The file's rows as lists of cells (header first), or the reason it cannot be read."""
    name = (filename or "").lower()
    if name.endswith(".xls"):
        message = _("Old Excel files (.xls) are not supported. Save the file as .xlsx or as CSV.")
        return [], [Problem(None, message)]
    if name.endswith((".xlsx", ".xlsm")) or data.startswith(b"PK\x03\x04"):
        return _xlsx_rows(data)
    return _csv_rows(data)


# --- Checking the rows ----------------------------------------------------------------------


def _parse_bool(text: str) -> bool | None:
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(word)


def _parse_date(value, *, today: datetime.date) -> datetime.date:
    if isinstance(value, datetime.datetime):
        day = value.date()
    elif isinstance(value, datetime.date):
        day = value
    else:
        text = _cell_text(value)
        for pattern in DATE_FORMATS:
            try:
                day = datetime.datetime.strptime(text, pattern).date()
                break
            except ValueError:
                continue
        else:
            raise ValueError(text)
    if day.year < 1950 or day > today + datetime.timedelta(days=366):
        raise ValueError(str(day))
    return day


def parse_table(table: list[list], *, today: datetime.date | None = None) -> ParsedFile:
    """Check the header and every row; collect every problem rather than stopping at the
    first."""
    today = today or timezone.localdate()
    problems: list[Problem] = []
    header_index = next(
        (index for index, row in enumerate(table) if any(_cell_text(c) for c in row)), None
    )
    if header_index is None:
        return ParsedFile([], [Problem(None, _("The file is empty."))])
    header_line = header_index + 1
    columns: dict[str, int] = {}
    for position, cell in enumerate(table[header_index]):
        title = _cell_text(cell)
        if not title:
            continue
        column = HEADER_NAMES.get(_normalise_header(title))
        if column is None:
            problems.append(
                Problem(
                    header_line,
                    _("Unknown column '%(column)s'. Known columns: %(known)s.")
                    % {"column": title, "known": ", ".join(TEMPLATE_HEADER)},
                )
            )
        elif column in columns:
            problems.append(
                Problem(
                    header_line, _("The column '%(column)s' appears twice.") % {"column": title}
                )
            )
        else:
            columns[column] = position
    for column in REQUIRED_COLUMNS:
        if column not in columns:
            problems.append(
                Problem(
                    header_line,
                    _("The required column '%(column)s' is missing.")
                    % {"column": REQUIRED_COLUMNS[column]},
                )
            )
    if problems:
        return ParsedFile([], problems)

    data_rows = [
        (index + 1, row)
        for index, row in enumerate(table[header_index + 1 :], start=header_index + 1)
        if any(_cell_text(cell) for cell in row)
    ]
    if not data_rows:
        return ParsedFile([], [Problem(None, _("The file has no rows below the header."))])
    if len(data_rows) > MAX_ROWS:
        return ParsedFile(
            [],
            [
                Problem(
                    None,
                    _("The file has %(count)s rows; at most %(max)s can be imported at once.")
                    % {"count": len(data_rows), "max": MAX_ROWS},
                )
            ],
        )

    def cell(row: list, column: str):
        position = columns.get(column)
        if position is None or position >= len(row):
            return None
        return row[position]

    rows: list[ImportRow] = []
    first_line_of: dict[str, int] = {}
    for line, row in data_rows:
        email = _cell_text(cell(row, "email")).lower()
        if not email:
            problems.append(Problem(line, _("The email address is missing.")))
        else:
            try:
                if len(email) > MAX_EMAIL_LENGTH:
                    raise ValidationError("too long")
                validate_email(email)
            except ValidationError:
                problems.append(
                    Problem(line, _("'%(email)s' is not a valid email address.") % {"email": email})
                )
            else:
                if email in first_line_of:
                    problems.append(
                        Problem(
                            line,
                            _("%(email)s appears more than once (also on line %(other)s).")
                            % {"email": email, "other": first_line_of[email]},
                        )
                    )
                else:
                    first_line_of[email] = line
        values = {key: _cell_text(cell(row, key)) for key in ("name", "team", "role")}
        if not values["role"]:
            problems.append(Problem(line, _("The role is missing.")))
        for key, limit in MAX_LENGTHS.items():
            if len(values[key]) > limit:
                problems.append(
                    Problem(
                        line,
                        _("'%(value)s…' is longer than %(limit)s characters.")
                        % {"value": values[key][:30], "limit": limit},
                    )
                )
        is_coordinator = None
        coordinator_text = _cell_text(cell(row, "coordinator"))
        if coordinator_text:
            try:
                is_coordinator = _parse_bool(coordinator_text)
            except ValueError:
                problems.append(
                    Problem(
                        line,
                        _("'%(value)s' in the coordinator column is not 'ja' or 'nee'.")
                        % {"value": coordinator_text},
                    )
                )
        started_on = None
        start_value = cell(row, "start")
        if _cell_text(start_value):
            try:
                started_on = _parse_date(start_value, today=today)
            except ValueError:
                problems.append(
                    Problem(
                        line,
                        _(
                            "'%(value)s' is not a valid start date (use dd-mm-yyyy, within a "
                            "year from today)."
                        )
                        % {"value": _cell_text(start_value)},
                    )
                )
        rows.append(
            ImportRow(
                line=line,
                email=email,
                full_name=values["name"],
                team=values["team"],
                role=values["role"],
                is_coordinator=is_coordinator,
                started_on=started_on,
            )
        )
    return ParsedFile(rows, problems)


def parse_upload(uploaded, *, today: datetime.date | None = None) -> ParsedFile:
    """An uploaded file (Django UploadedFile) checked and parsed; nothing is written."""
    if uploaded.size > MAX_BYTES:
        return ParsedFile(
            [],
            [
                Problem(
                    None,
                    _("The file is too large (at most %(max)s MB).")
                    % {"max": MAX_BYTES // (1024 * 1024)},
                )
            ],
        )
    data = uploaded.read(MAX_BYTES + 1)
    table, problems = read_table(data, uploaded.name)
    if problems:
        return ParsedFile([], problems)
    return parse_table(table, today=today)


# --- Checking against the organisation -----------------------------------------------------


def find_role(roles, text: str):
    """A role by its name or slug, ignoring case and accents."""
    wanted = _normalise_header(text)
    for role in roles:
        if wanted in (_normalise_header(role.name), _normalise_header(role.slug)):
            return role
    return None


def find_team(teams, text: str):
    wanted = " ".join(text.split()).casefold()
    for team in teams:
        if team.name.casefold() == wanted:
            return team
    return None


def check_against_organisation(rows: list[ImportRow], *, roles, teams, create_teams: bool):
    """Problems with roles and teams: an unknown role, or an unknown team unless new teams
    may be created."""
    problems = []
    for row in rows:
        if row.role and find_role(roles, row.role) is None:
            problems.append(
                Problem(
                    row.line,
                    _("Unknown role '%(role)s'. Known roles: %(known)s.")
                    % {"role": row.role, "known": ", ".join(role.name for role in roles)},
                )
            )
        if row.team and not create_teams and find_team(teams, row.team) is None:
            problems.append(
                Problem(
                    row.line,
                    _(
                        "Unknown team '%(team)s'. Add it under Teams first, or tick 'Create "
                        "teams that do not exist yet'."
                    )
                    % {"team": row.team},
                )
            )
    return problems
