"""Checking every row of an import table against the column mapping. Every problem is
collected (header and rows, with line numbers) rather than stopping at the first, so one
round of corrections is enough; organisations.services.member_import imports nothing
when there is any."""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from . import columns as cols
from .problems import Problem
from .reading import MAX_ROWS, read_upload

TRUE_WORDS = {"ja", "j", "yes", "y", "1", "x", "waar", "true", "wel"}
FALSE_WORDS = {"nee", "n", "no", "0", "onwaar", "false", "niet"}
DATE_FORMATS = ("%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d", "%d-%m-%Y %H:%M:%S")
MAX_LENGTHS = {"name": 200, "team": 100, "role": 100}
# The longest address an email field stores (Django's validator allows up to 320).
MAX_EMAIL_LENGTH = 254


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
    columns: list[cols.Column] = field(default_factory=list)


def _parse_bool(text: str) -> bool:
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(word)


def _parse_date(text: str, *, today: datetime.date) -> datetime.date:
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


def full_name(values: dict[str, str]) -> str:
    """The name column when filled, else first name, prefix and last name in Dutch order:
    'Jan', 'van der', 'Berg' -> 'Jan van der Berg'."""
    if values.get("name"):
        return values["name"]
    return " ".join(values[part] for part in cols.NAME_PARTS if values.get(part))


def _header_problems(columns: list[cols.Column], line: int) -> list[Problem]:
    present = {column.field for column in columns}
    return [
        Problem(
            line,
            _(
                "No column holds the %(field)s. Choose below which column holds it, or add "
                "the column to the file."
            )
            % {"field": str(cols.FIELDS[required]).lower()},
        )
        for required in cols.REQUIRED
        if required not in present
    ]


def _email_problem(email: str, line: int, first_line_of: dict[str, int]) -> Problem | None:
    if not email:
        return Problem(line, _("The email address is missing."))
    try:
        if len(email) > MAX_EMAIL_LENGTH:
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError:
        return Problem(line, _("'%(email)s' is not a valid email address.") % {"email": email})
    if email in first_line_of:
        return Problem(
            line,
            _("%(email)s appears more than once (also on line %(other)s).")
            % {"email": email, "other": first_line_of[email]},
        )
    first_line_of[email] = line
    return None


def _row(line: int, values: dict[str, str], *, present: set, today, first_line_of) -> tuple:
    problems = []
    email = values.get("email", "").lower()
    if "email" in present and (problem := _email_problem(email, line, first_line_of)):
        problems.append(problem)
    name = full_name(values)
    texts = {"name": name, "team": values.get("team", ""), "role": values.get("role", "")}
    if "role" in present and not texts["role"]:
        problems.append(Problem(line, _("The role is missing.")))
    for key, limit in MAX_LENGTHS.items():
        if len(texts[key]) > limit:
            problems.append(
                Problem(
                    line,
                    _("'%(value)s…' is longer than %(limit)s characters.")
                    % {"value": texts[key][:30], "limit": limit},
                )
            )
    is_coordinator = None
    if coordinator_text := values.get("coordinator"):
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
    if start_text := values.get("start"):
        try:
            started_on = _parse_date(start_text, today=today)
        except ValueError:
            problems.append(
                Problem(
                    line,
                    _(
                        "'%(value)s' is not a valid start date (use dd-mm-yyyy, within a "
                        "year from today)."
                    )
                    % {"value": start_text},
                )
            )
    row = ImportRow(
        line=line,
        email=email,
        full_name=name,
        team=texts["team"],
        role=texts["role"],
        is_coordinator=is_coordinator,
        started_on=started_on,
    )
    return row, problems


def parse_table(
    table: list[list[str]],
    *,
    mapping: list[str] | None = None,
    today: datetime.date | None = None,
) -> ParsedFile:
    """Check the header and every row against the mapping (the coordinator's, else the
    automatic one, see columns.automatic_mapping); nothing is written."""
    today = today or timezone.localdate()
    header_index = cols.header_row(table)
    if header_index is None:
        return ParsedFile([], [Problem(None, _("The file is empty."))])
    columns = cols.columns_of(table, mapping)
    problems = _header_problems(columns, header_index + 1)
    data_rows = [
        (index + 1, row)
        for index, row in enumerate(table[header_index + 1 :], start=header_index + 1)
        if any(row)
    ]
    if not data_rows:
        problems.append(Problem(None, _("The file has no rows below the header.")))
        return ParsedFile([], problems, columns)
    if len(data_rows) > MAX_ROWS:
        message = _("The file has %(count)s rows; at most %(max)s can be imported at once.") % {
            "count": len(data_rows),
            "max": MAX_ROWS,
        }
        return ParsedFile([], [Problem(None, message)], columns)
    chosen = [column for column in columns if column.field != cols.IGNORE]
    present = {column.field for column in chosen}
    rows: list[ImportRow] = []
    first_line_of: dict[str, int] = {}
    for line, cells in data_rows:
        values = {
            column.field: cells[column.position] if column.position < len(cells) else ""
            for column in chosen
        }
        row, row_problems = _row(
            line, values, present=present, today=today, first_line_of=first_line_of
        )
        rows.append(row)
        problems.extend(row_problems)
    return ParsedFile(rows, problems, columns)


def parse_upload(uploaded, *, today: datetime.date | None = None) -> ParsedFile:
    """An uploaded file (Django UploadedFile) read with the automatic mapping, checked and
    parsed; nothing is written."""
    table, problems = read_upload(uploaded)
    if problems:
        return ParsedFile([], problems)
    return parse_table(table, today=today)
