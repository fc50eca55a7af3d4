"""The coordinator's member pages (teams, change or end a membership; invitations:
invitation_views.py; import: import_views.py). Thin: writes go through
organisations.services. Every coordinator page is wrapped in
organisations.access.coordinator_area."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .access import coordinator_area, private
from .membership_forms import (
    ChangeMembershipForm,
    EndMembershipForm,
    RenameTeamForm,
    TeamForm,
)
from .models import Membership, Organisation, Team
from .services import memberships
from .services.memberships import MembershipError
from .services.teams import create_team, delete_team, rename_team

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
