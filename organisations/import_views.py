"""The coordinator's import of members, in three steps: upload the file; check it (map the
columns we do not recognise, see every problem at once, or the preview of what the import
will do); send the invitations. Thin: the file is read by organisations.imports, kept
between the steps by organisations.services.import_uploads (never in the browser), and
imported by organisations.services.member_import. Wrapped in coordinator_area."""

import csv
import io

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from . import imports
from .access import coordinator_area, private
from .invitation_views import base_url_of, invitation_allowance
from .membership_forms import ColumnsForm, ConfirmImportForm, ImportForm
from .models import ImportUpload, Organisation, Role, Team
from .services import import_uploads, member_import
from .services.member_import import ImportChanged, ImportRejected, ImportResult

TEMPLATE_ROWS = [
    ["jeroen.brouwer@voorbeeld.nl", "Jeroen Brouwer", "Team Noord", "Uitvoerend professional",
     "nee", "01-03-2026"],
    ["zoe.de.vries@voorbeeld.nl", "Zoë de Vries", "Team Noord", "Aandachtsfunctionaris", "ja",
     ""],
]  # fmt: skip


def _template_download(kind: str) -> HttpResponse:
    if kind == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "Medewerkers"
        sheet.append(imports.TEMPLATE_HEADER)
        for row in TEMPLATE_ROWS:
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="signaal-import.xlsx"'
        return response
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(imports.TEMPLATE_HEADER)
    writer.writerows(TEMPLATE_ROWS)
    # With a byte order mark, so Excel opens it as UTF-8.
    response = HttpResponse(
        buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="signaal-import.csv"'
    return response


def _format_context(organisation: Organisation) -> dict:
    return {
        "organisation": organisation,
        "roles": Role.objects.all(),
        "teams": Team.objects.filter(organisation=organisation),
        "max_rows": imports.MAX_ROWS,
        "max_mb": imports.MAX_BYTES // 2**20,
        **invitation_allowance(organisation),
    }


@coordinator_area
@require_http_methods(["GET", "POST"])
def import_members(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    """Step 1: the file. A file that cannot be read at all is refused here; any other is
    kept and checked in step 2."""
    if request.method == "GET" and request.GET.get("sjabloon") in ("csv", "xlsx"):
        return _template_download(request.GET["sjabloon"])
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[imports.Problem] = []
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        table, problems = imports.read_upload(uploaded)
        if not problems:
            upload = import_uploads.store_upload(
                organisation=organisation,
                user=request.user,
                filename=uploaded.name,
                table=table,
                create_teams=form.cleaned_data["create_teams"],
            )
            return redirect(
                "organisations:import_check", slug=organisation.slug, token=upload.token
            )
    response = TemplateResponse(
        request,
        "organisations/import.html",
        {"form": form, "problems": problems, **_format_context(organisation)},
    )
    if problems:
        response.status_code = 400
    return private(response)


def _check(request, organisation: Organisation, upload: ImportUpload, parsed):
    """The plan of the parsed file (or every problem)."""
    plan = None
    problems = list(parsed.problems)
    if parsed.rows:
        plan = member_import.plan_import(
            organisation=organisation,
            actor=request.user,
            rows=parsed.rows,
            create_teams=upload.create_teams,
        )
        problems += plan.problems
    return plan, sorted(problems, key=lambda problem: problem.line or 0)


@coordinator_area
@require_http_methods(["GET", "POST"])
def import_check(request: HttpRequest, organisation: Organisation, token: str) -> HttpResponse:
    """Step 2 and 3: the columns, the problems or the preview, and sending."""
    upload = import_uploads.find_upload(organisation=organisation, user=request.user, token=token)
    if upload is None:
        # Imported already, expired, or not this coordinator's: nothing to do.
        response = TemplateResponse(
            request, "organisations/import_gone.html", {"organisation": organisation}
        )
        response.status_code = 410
        return private(response)
    parsed = import_uploads.parse(upload)
    columns_form = ColumnsForm(
        initial={"create_teams": upload.create_teams}, columns=parsed.columns
    )
    status = 200
    notice = ""
    if request.method == "POST" and request.POST.get("stap") == "kolommen":
        columns_form = ColumnsForm(request.POST, columns=parsed.columns)
        if columns_form.is_valid():
            headers = import_uploads.headers_of(upload)
            import_uploads.choose_columns(
                upload,
                mapping=columns_form.mapping(headers),
                create_teams=columns_form.cleaned_data["create_teams"],
            )
            return redirect("organisations:import_check", slug=organisation.slug, token=token)
        status = 400
    plan, problems = _check(request, organisation, upload, parsed)
    if request.method == "POST" and request.POST.get("stap") == "versturen":
        confirm = ConfirmImportForm(request.POST)
        if problems or plan is None or not confirm.is_valid():
            status = 400
        else:
            try:
                result = member_import.import_members(
                    organisation=organisation,
                    actor=request.user,
                    rows=parsed.rows,
                    create_teams=upload.create_teams,
                    base_url=base_url_of(request),
                    expected_digest=confirm.cleaned_data["plan"],
                )
            except ImportChanged as changed:
                notice = str(changed.problems[0])
                status = 409
                plan, problems = _check(request, organisation, upload, parsed)
            except ImportRejected as rejected:
                problems, status = rejected.problems, 400
            else:
                import_uploads.discard_upload(upload)
                messages.success(request, _import_summary(result))
                return redirect("organisations:import", slug=organisation.slug)
    if problems and status == 200:
        status = 400
    ignored = [column.header for column in parsed.columns if column.field == imports.IGNORE]
    response = TemplateResponse(
        request,
        "organisations/import_check.html",
        {
            "organisation": organisation,
            "upload": upload,
            "columns_form": columns_form,
            # Open while something is wrong, or columns are unknown and nobody chose yet.
            "columns_need_attention": bool(
                problems
                or columns_form.errors
                or (upload.mapping is None and any(not c.recognised for c in parsed.columns))
            ),
            "preview_rows": _preview_rows(plan) if plan and not problems else [],
            "preview_limit": PREVIEW_ROWS,
            "ignored": ignored,
            "problems": problems,
            "plan": None if problems else plan,
            "confirm_form": ConfirmImportForm(initial={"plan": plan.digest}) if plan else None,
            "notice": notice,
        },
    )
    response.status_code = status
    return private(response)


PREVIEW_ROWS = 500


def _preview_rows(plan: member_import.ImportPlan) -> list[tuple]:
    """(row, what happens to it) in the file's order, the first PREVIEW_ROWS. The same
    words for an invited address with or without an account."""
    what = {}
    for row in plan.new_invitations:
        what[row.line] = _("invitation")
    for row in plan.refreshed_invitations:
        what[row.line] = _("invitation sent again")
    for row, _membership, _new in plan.updates:
        what[row.line] = _("membership updated")
    for row in plan.unchanged:
        what[row.line] = _("unchanged")
    return [(row, what[row.line]) for row in plan.rows[:PREVIEW_ROWS]]


def _import_summary(result: ImportResult) -> str:
    # The same words whether or not an invited address has an account: the import never
    # tells the coordinator who is on Signaal already.
    parts = [
        ngettext("%(count)s membership updated", "%(count)s memberships updated", result.updated)
        % {"count": result.updated},
        ngettext("%(count)s invitation sent", "%(count)s invitations sent", result.invited)
        % {"count": result.invited},
    ]
    if result.unchanged:
        parts.append(
            ngettext("%(count)s unchanged", "%(count)s unchanged", result.unchanged)
            % {"count": result.unchanged}
        )
    if result.teams_created:
        parts.append(
            ngettext("%(count)s team created", "%(count)s teams created", result.teams_created)
            % {"count": result.teams_created}
        )
    return _("Import complete: %(parts)s.") % {"parts": ", ".join(parts)}
