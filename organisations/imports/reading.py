"""Reading an import file (CSV or XLSX) into a table: a list of rows of cell texts.

CSV is read as Dutch Excel writes it: semicolons (commas or tabs when the header uses
them), UTF-8 with or without a byte order mark, UTF-16 with one, or Windows-1252."""

import csv
import datetime
import io
import logging
import zipfile

from django.utils.translation import gettext as _

from .problems import Problem

logger = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
# An .xlsx is a zip file; what it may unpack to.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024


def cell_text(value) -> str:
    """A cell as the text the import works with (dates as ISO, whole numbers without .0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return " ".join(str(value).split())


def too_large() -> Problem:
    return Problem(
        None, _("The file is too large (at most %(max)s MB).") % {"max": MAX_BYTES // 2**20}
    )


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
        return [], [too_large()]
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
            if any(cell_text(value) for value in values):
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


def read_table(data: bytes, filename: str) -> tuple[list[list[str]], list[Problem]]:
    """The file's rows as lists of cell texts (header first), or the reason it cannot be
    read. Texts, so that the table can be kept between the import's steps as JSON."""
    name = (filename or "").lower()
    if len(data) > MAX_BYTES:
        return [], [too_large()]
    if name.endswith(".xls"):
        message = _("Old Excel files (.xls) are not supported. Save the file as .xlsx or as CSV.")
        return [], [Problem(None, message)]
    if name.endswith((".xlsx", ".xlsm")) or data.startswith(b"PK\x03\x04"):
        table, problems = _xlsx_rows(data)
    else:
        table, problems = _csv_rows(data)
    return [[cell_text(value) for value in row] for row in table], problems


def read_upload(uploaded) -> tuple[list[list[str]], list[Problem]]:
    """An uploaded file (Django UploadedFile) as a table; nothing is written."""
    if uploaded.size > MAX_BYTES:
        return [], [too_large()]
    return read_table(uploaded.read(MAX_BYTES + 1), uploaded.name)
