"""The coordinator's member pages (import, teams, change or end a membership; invitations:
invitation_views.py). Thin: writes go through organisations.services, files are read by
organisations.imports. Every coordinator page is wrapped in
organisations.access.coordinator_area."""

import csv
import io

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from . import imports
from .access import coordinator_area, private
from .invitation_views import base_url_of, invitation_allowance
from .membership_forms import (
    ChangeMembershipForm,
    EndMembershipForm,
    ImportForm,
    RenameTeamForm,
    TeamForm,
)
from .models import Membership, Organisation, Role, Team
from .services import member_import, memberships
from .services.member_import import ImportRejected, ImportResult
from .services.memberships import MembershipError
from .services.teams import create_team, delete_team, rename_team

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


@coordinator_area
@require_http_methods(["GET", "POST"])
def import_members(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    if request.method == "GET" and request.GET.get("sjabloon") in ("csv", "xlsx"):
        return _template_download(request.GET["sjabloon"])
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[imports.Problem] = []
    if request.method == "POST" and form.is_valid():
        parsed = imports.parse_upload(form.cleaned_data["file"])
        problems = parsed.problems
        if problems and parsed.rows:
            # List unknown roles and teams too, so one round of corrections is enough.
            problems = problems + imports.check_against_organisation(
                parsed.rows,
                roles=list(Role.objects.all()),
                teams=list(Team.objects.filter(organisation=organisation)),
                create_teams=form.cleaned_data["create_teams"],
            )
        if not problems:
            try:
                result = member_import.import_members(
                    organisation=organisation,
                    actor=request.user,
                    rows=parsed.rows,
                    create_teams=form.cleaned_data["create_teams"],
                    base_url=base_url_of(request),
                )
            except ImportRejected as rejected:
                problems = rejected.problems
            else:
                messages.success(request, _import_summary(result))
                return redirect("organisations:import", slug=organisation.slug)
    response = TemplateResponse(
        request,
        "organisations/import.html",
        {
            "organisation": organisation,
            "form": form,
            "problems": sorted(problems, key=lambda p: p.line or 0),
            "header": imports.TEMPLATE_HEADER,
            "roles": Role.objects.all(),
            "teams": Team.objects.filter(organisation=organisation),
            "max_rows": imports.MAX_ROWS,
            "max_mb": imports.MAX_BYTES // 2**20,
            **invitation_allowance(organisation),
        },
    )
    if problems:
        response.status_code = 400
    return private(response)


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


# --- Teams ----------------------------------------------------------------------------------


def _int_or_none(value: str) -> int | None:
    return int(value) if value.isdigit() else None


@coordinator_area
@require_http_methods(["GET", "POST"])
def teams(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    add_form = TeamForm(prefix="nieuw")
    rename_form = None
    if request.method == "POST":
        if "delete" in request.POST:
            team = get_object_or_404(
                Team, pk=_int_or_none(request.POST["delete"]), organisation=organisation
            )
            try:
                delete_team(team=team)
            except MembershipError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("Team %(name)s deleted.") % {"name": team.name})
            return redirect("organisations:teams", slug=organisation.slug)
        if "nieuw-name" in request.POST:
            add_form = TeamForm(request.POST, prefix="nieuw")
            if add_form.is_valid():
                try:
                    team = create_team(
                        organisation=organisation, name=add_form.cleaned_data["name"]
                    )
                except MembershipError as error:
                    add_form.add_error("name", str(error))
                else:
                    messages.success(request, _("Team %(name)s added.") % {"name": team.name})
                    return redirect("organisations:teams", slug=organisation.slug)
        else:
            rename_form = RenameTeamForm(request.POST)
            if rename_form.is_valid():
                team = get_object_or_404(
                    Team, pk=rename_form.cleaned_data["team"], organisation=organisation
                )
                old = team.name
                try:
                    rename_team(team=team, name=rename_form.cleaned_data["name"])
                except MembershipError as error:
                    rename_form.add_error("name", str(error))
                else:
                    messages.success(
                        request,
                        _("Team %(old)s is now called %(new)s.") % {"old": old, "new": team.name},
                    )
                    return redirect("organisations:teams", slug=organisation.slug)
    today = timezone.localdate()
    active = Membership.objects.active(on=today).filter(organisation=organisation)
    team_rows = [
        (team, active.filter(team=team).count())
        for team in Team.objects.filter(organisation=organisation).order_by("name")
    ]
    response = TemplateResponse(
        request,
        "organisations/teams.html",
        {
            "organisation": organisation,
            "team_rows": team_rows,
            "without_team": active.filter(team__isnull=True).count(),
            "add_form": add_form,
            "rename_form": rename_form,
            "rename_team_id": rename_form["team"].value() if rename_form else None,
        },
    )
    if (rename_form and rename_form.errors) or add_form.errors:
        response.status_code = 400
    return private(response)


# --- Change or end a membership (forms on the person page) -----------------------------------


def _membership_of(organisation: Organisation, membership_id: int) -> Membership:
    # Another organisation's membership is not found here: 404, like any unknown id.
    return get_object_or_404(
        Membership.objects.select_related("user", "team", "role", "organisation"),
        pk=membership_id,
        organisation=organisation,
    )


@coordinator_area
@require_POST
def change_membership(
    request: HttpRequest, organisation: Organisation, membership_id: int
) -> HttpResponse:
    membership = _membership_of(organisation, membership_id)
    form = ChangeMembershipForm(request.POST, organisation=organisation)
    if not form.is_valid():
        messages.error(request, _("Choose a role (and a team of this organisation)."))
    else:
        try:
            memberships.change_membership(
                membership=membership,
                actor=request.user,
                team=form.cleaned_data["team"],
                role=form.cleaned_data["role"],
                is_coordinator=form.cleaned_data["is_coordinator"],
            )
        except MembershipError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("The membership of %(name)s has been changed.")
                % {"name": membership.user.full_name or membership.user.email},
            )
    return redirect("organisations:person", slug=organisation.slug, membership_id=membership.pk)


@coordinator_area
@require_POST
def end_membership(
    request: HttpRequest, organisation: Organisation, membership_id: int
) -> HttpResponse:
    membership = _membership_of(organisation, membership_id)
    form = EndMembershipForm(request.POST)
    person = reverse(
        "organisations:person", kwargs={"slug": organisation.slug, "membership_id": membership.pk}
    )
    if not form.is_valid():
        messages.error(request, _("Tick the box to confirm that the membership should end."))
        return redirect(person)
    try:
        memberships.end_membership(membership=membership, actor=request.user)
    except MembershipError as error:
        messages.error(request, str(error))
        return redirect(person)
    messages.success(
        request,
        _("The membership of %(name)s has ended. Their history stays available.")
        % {"name": membership.user.full_name or membership.user.email},
    )
    return redirect("organisations:people", slug=organisation.slug)


# --- Accepting an invitation ---------------------------------------------------------------
