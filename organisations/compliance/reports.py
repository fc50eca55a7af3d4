"""Export builders: the (filtered) people list as CSV for Dutch Excel and as XLSX, the
board's PDF summary, and the national overview as CSV and XLSX.

Builders read through organisations.compliance (dashboard, people, national) and return
bytes; they record and store nothing (organisations.compliance.exports does, and decides
between now and the background)."""

import csv
import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from organisations.compliance.dashboard import dashboard
from organisations.compliance.figures import DISPLAY_ORDER, MINIMUM_GROUP
from organisations.compliance.national import NationalOverview, OverviewCell
from organisations.compliance.people import SORT_NAME, PeopleList, people

from ..models import Organisation, Requirement

Progress = Callable[[float], None]


@dataclass(frozen=True)
class Format:
    extension: str
    content_type: str
    label: str


FORMATS = {
    "csv": Format("csv", "text/csv; charset=utf-8", "CSV"),
    "xlsx": Format(
        "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel"
    ),
    "pdf": Format("pdf", "application/pdf", "PDF"),
}
# The people list's formats; the PDF is the board's summary of the whole organisation.
PEOPLE_FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content_type: str
    content: bytes
    rows: int  # people in the file (the PDF: people summarised)
    filters: dict  # the filters applied, as validated
    # The ids of the people named in the file (none in the PDF), for the audit log.
    people: tuple[int, ...] = ()


def _no_progress(_fraction: float) -> None:
    pass


# --- Cells -------------------------------------------------------------------------------

# A cell starting with one of these is a formula to Excel and LibreOffice ("CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(text: str) -> str:
    """Text that a spreadsheet shows as text, never runs as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def requirement_label(requirement: Requirement) -> str:
    role = requirement.role.name if requirement.role_id else _("all roles")
    return f"{requirement.module.title} ({role}, {requirement.get_level_display()})"


# --- The people list -----------------------------------------------------------------------


def people_table(
    people: PeopleList, *, progress: Progress = _no_progress
) -> tuple[list[str], list[list]]:
    """Headers and rows (str, date or None per cell) of the people list: one row a person,
    per requirement its status and the date that goes with it (deadline, valid until, or
    expired on); 'not applicable' where the requirement is for another role."""
    headers = [
        _("Name"),
        _("Email address"),
        _("Team"),
        _("Role"),
        _("Member since"),
        _("Meets all mandatory requirements"),
    ]
    for requirement in people.requirements:
        label = requirement_label(requirement)
        headers += [f"{label}: {_('status')}", f"{label}: {_('date')}"]
    rows = []
    total = len(people.rows) or 1
    yes, no, not_applicable = _("yes"), _("no"), _("not applicable")
    for index, row in enumerate(people.rows, start=1):
        member = row.member
        cells = [
            member.full_name,
            member.email,
            member.team_name,
            member.role_name,
            member.member_since,
            yes if member.meets_mandatory else no,
        ]
        for status in row.statuses:
            if status is None:
                cells += [not_applicable, None]
            else:
                cells += [str(status.status.label), status.deadline]
        rows.append(cells)
        if index % 250 == 0:
            progress(index / total)
    progress(1.0)
    return headers, rows


def to_csv(headers: list[str], rows: list[list]) -> bytes:
    """CSV the way Dutch Excel opens it by double-clicking: UTF-8 with a byte order mark,
    semicolons, CRLF line ends, dates as dd-mm-jjjj, no formulas."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralised(str(header)) for header in headers])
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.strftime("%d-%m-%Y")
    return neutralised(str(value))


def to_xlsx(headers: list[str], rows: list[list], *, title: str) -> bytes:
    """An Excel workbook: bold frozen header row with a filter, real dates, text that is
    never taken for a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.freeze_panes = "B2"
    for column, header in enumerate(headers, start=1):
        width = min(max(len(str(header)), 12) + 2, 50)
        sheet.column_dimensions[get_column_letter(column)].width = width
    bold = Font(bold=True)

    def cell(value, **style):
        result = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            result.data_type = "s"  # never a formula
        elif isinstance(value, datetime.date):
            result.number_format = "DD-MM-YYYY"
        for name, setting in style.items():
            setattr(result, name, setting)
        return result

    def plain(value):
        # Only dates and text openpyxl would write as a formula or an error value need a
        # cell object; the rest goes in as it is (much faster for large lists).
        if isinstance(value, datetime.date) or (
            isinstance(value, str) and value.startswith(("=", "#"))
        ):
            return cell(value)
        return value

    sheet.append([cell(str(header), font=bold) for header in headers])
    for row in rows:
        sheet.append([plain(value) for value in row])
    if rows:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"
    workbook.properties.creator = "Signaal"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _filename(organisation: Organisation, kind: str, extension: str) -> str:
    today = timezone.localdate().isoformat()
    return f"signaal-{slugify(organisation.slug)}-{kind}-{today}.{extension}"


def people_export(
    organisation: Organisation, fmt: str, filters: dict, *, progress: Progress = _no_progress
) -> ExportFile:
    """The people list with these filters (see PeopleFilters) as CSV or XLSX, by name
    (a file to sort further in Excel) unless the filters ask for another order."""
    listing = people(organisation, {"sort": SORT_NAME, **filters})
    progress(0.3)
    listed = list(listing.rows)  # StoredPeople computes every row once, here
    listing.rows = listed
    headers, rows = people_table(listing, progress=lambda done: progress(0.3 + 0.6 * done))
    content = to_csv(headers, rows) if fmt == "csv" else to_xlsx(headers, rows, title=_("People"))
    progress(1.0)
    return ExportFile(
        filename=_filename(organisation, slugify(_("people")), FORMATS[fmt].extension),
        content_type=FORMATS[fmt].content_type,
        content=content,
        rows=len(rows),
        filters=listing.filters.as_dict(),
        people=tuple(row.member.user_id for row in listed),
    )


# --- The board's PDF -----------------------------------------------------------------------


def board_html(organisation: Organisation, data=None) -> str:
    """The board's summary as HTML, ready for WeasyPrint."""
    data = data or dashboard(organisation)
    return render_to_string(
        "organisations/board_report_pdf.html",
        {
            "dashboard": data,
            "organisation": organisation,
            "framework": organisation.framework,
            "minimum_group": MINIMUM_GROUP,
            "statuses": DISPLAY_ORDER,
            "generated_at": timezone.localtime(),
        },
    )


def board_pdf(organisation: Organisation, *, progress: Progress = _no_progress) -> ExportFile:
    """A summary for the board: compliant share, per requirement and per team the counts,
    and the trend. No names; a requirement, team or month about fewer than MINIMUM_GROUP
    people shows no figures, so no one can be recognised in it."""
    from weasyprint import HTML

    data = dashboard(organisation)
    progress(0.5)
    # Tagged (PDF/UA-1) with the document language, as the certificates are.
    content = HTML(string=board_html(organisation, data)).write_pdf(pdf_variant="pdf/ua-1")
    progress(1.0)
    return ExportFile(
        filename=_filename(organisation, slugify(_("report")), "pdf"),
        content_type=FORMATS["pdf"].content_type,
        content=content,
        rows=data.members,
        filters={},
    )


def build(
    organisation: Organisation, fmt: str, filters: dict, *, progress: Progress = _no_progress
) -> ExportFile:
    if fmt == "pdf":
        return board_pdf(organisation, progress=progress)
    if fmt in PEOPLE_FORMATS:
        return people_export(organisation, fmt, filters, progress=progress)
    raise ValueError(f"unknown export format {fmt!r}")


# --- The national overview -----------------------------------------------------------------


def national_overview_table(overview: NationalOverview) -> tuple[list[str], list[list]]:
    """The overview as it shows in the admin, hidden cells as '< 5' (no figures)."""
    headers = [
        _("Sector"),
        _("Region"),
        _("Organisations"),
        _("Members"),
        _("Compliant"),
        _("Compliant share (%)"),
    ]
    hidden = f"< {overview.minimum_group}"

    def line(sector: str, region: str, cell: OverviewCell) -> list:
        if cell.hidden:
            return [sector, region, cell.organisations, hidden, hidden, hidden]
        percent = cell.compliant_percent
        return [
            sector,
            region,
            cell.organisations,
            cell.members,
            cell.compliant,
            "" if percent is None else percent,
        ]

    rows = []
    for sector in overview.sectors:
        for region, cell in sector.regions:
            rows.append(line(sector.name, region or _("(no region)"), cell))
        rows.append(line(sector.name, _("All regions"), sector.total))
    rows.append(line(_("All sectors"), _("All regions"), overview.total))
    return headers, rows


def national_overview_file(overview: NationalOverview, fmt: str) -> ExportFile:
    headers, rows = national_overview_table(overview)
    month = overview.month.strftime("%Y-%m") if overview.month else "geen"
    content = (
        to_csv(headers, rows)
        if fmt == "csv"
        else to_xlsx(headers, rows, title=_("National overview"))
    )
    return ExportFile(
        filename=f"signaal-landelijk-overzicht-{month}.{FORMATS[fmt].extension}",
        content_type=FORMATS[fmt].content_type,
        content=content,
        rows=len(rows),
        filters={"month": month},
    )
