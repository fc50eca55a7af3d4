"""The coordinator's pages: the list of one's organisations, the dashboard, the people list
and person page, and exports. Thin: reads and writes through organisations.compliance and
organisations.services (the audit log). Every page about an organisation is
wrapped in organisations.access.coordinator_area."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from .access import coordinated_organisations, coordinator_area, private
from .compliance.dashboard import dashboard as dashboard_of
from .compliance.dashboard import figures_of, needs_action, teams_needing_attention
from .compliance.exports import export as start_export
from .compliance.exports import export_download_name, exports_in_background
from .compliance.figures import DISPLAY_ORDER, MINIMUM_GROUP, team_rows
from .compliance.groups import Group
from .compliance.people import (
    GROUP_FILTERS,
    MEETS_ALL,
    MEETS_NOT,
    NEEDS_ACTION,
    NO_TEAM,
    SORT_DEADLINE,
    SORT_NAME,
    SORT_URGENCY,
    PeopleFilters,
)
from .compliance.people import people as people_list
from .compliance.people import person as person_detail
from .compliance.reminder_rules import rules_for
from .compliance.reports import FORMATS, PEOPLE_FORMATS
from .compliance.rule import Status
from .compliance.statuses import REFRESH_INLINE_LIMIT, refresh_standings
from .models import AuditAction, ExportJob, ExportStatus, Membership, Role, Team
from .services.audit import record_audit

PEOPLE_PER_PAGE = 50
# The dashboard draws a bar and a table row per team: beyond this many neither a coordinator
# nor the server reads them quickly, so it shows the teams needing attention most and links
# to the full table (team_figures).
DASHBOARD_TEAMS = 20


def _refresh(organisation):
    """Stale stored statuses are brought up to date when found (a few members after a
    change or on a new day); a large backlog goes to a background task and the page is
    computed meanwhile."""
    return lambda: refresh_standings(organisation, limit=REFRESH_INLINE_LIMIT)


@login_required
@require_GET
def index(request):
    organisations = coordinated_organisations(request.user).select_related("sector")
    return TemplateResponse(
        request, "organisations/index.html", {"organisations": organisations.order_by("name")}
    )


@coordinator_area
@require_GET
def dashboard(request, organisation):
    data = dashboard_of(organisation, refresh=_refresh(organisation))
    action = needs_action(organisation, refresh=_refresh(organisation))
    # The 'Actie nodig' list names people: whom the coordinator saw is recorded.
    record_audit(
        actor=request.user,
        organisation=organisation,
        action=AuditAction.VIEWED_DASHBOARD,
        subjects=[person.user_id for person in action.people],
    )
    return private(
        TemplateResponse(
            request,
            "organisations/dashboard.html",
            {
                "organisation": organisation,
                "framework": organisation.framework,
                "dashboard": data,
                "teams": teams_needing_attention(data.teams, DASHBOARD_TEAMS),
                "statuses": DISPLAY_ORDER,
                "background_exports": exports_in_background(organisation),
                "minimum_group": MINIMUM_GROUP,
                "action": action,
                "needs_action": NEEDS_ACTION,
                "reminder_rules": rules_for(organisation),
            },
        )
    )


@coordinator_area
@require_GET
def team_figures(request, organisation):
    """Every team's figures in one table, by name: the dashboard shows only the
    DASHBOARD_TEAMS needing attention most."""
    figures, _requirements = figures_of(organisation, refresh=_refresh(organisation))
    record_audit(
        actor=request.user,
        organisation=organisation,
        action=AuditAction.VIEWED_DASHBOARD,
        detail={"page": "teams"},
    )
    return private(
        TemplateResponse(
            request,
            "organisations/team_figures.html",
            {
                "organisation": organisation,
                "day": timezone.localdate(),
                "teams": team_rows(figures=figures),
                "statuses": DISPLAY_ORDER,
            },
        )
    )


@coordinator_area
@require_GET
def people(request, organisation):
    listing = people_list(organisation, request.GET, refresh=_refresh(organisation))
    page = Paginator(listing.rows, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    record_audit(
        actor=request.user,
        organisation=organisation,
        action=AuditAction.VIEWED_PEOPLE,
        detail={
            "filters": listing.filters.as_dict(),
            "page": page.number,
            "results": len(listing.rows),
        },
        subjects=[row.member.user_id for row in page.object_list],
    )
    return private(
        TemplateResponse(
            request,
            "organisations/people.html",
            {
                "organisation": organisation,
                "listing": listing,
                "filters": listing.filters,
                "page": page,
                "status_choices": [(status.value, status.label) for status in Status],
                "group_choices": [
                    (group.value, group.label) for group in Group if group.value in GROUP_FILTERS
                ],
                "needs_action": NEEDS_ACTION,
                "sorts": [
                    (SORT_URGENCY, _("Most urgent first")),
                    (SORT_DEADLINE, _("Earliest date first")),
                    (SORT_NAME, _("Name (A-Z)")),
                ],
                "meets_all": MEETS_ALL,
                "meets_not": MEETS_NOT,
                "no_team": NO_TEAM,
                "formats": [(key, FORMATS[key]) for key in PEOPLE_FORMATS],
                "background_exports": exports_in_background(organisation),
            },
        )
    )


@coordinator_area
@require_GET
def person(request, organisation, membership_id: int):
    try:
        detail = person_detail(organisation, membership_id)
    except Membership.DoesNotExist:
        raise Http404 from None
    record_audit(
        actor=request.user,
        organisation=organisation,
        action=AuditAction.VIEWED_PERSON,
        detail={"membership": detail.membership.pk, "user": detail.membership.user_id},
        subjects=[detail.membership.user_id],
    )
    return private(
        TemplateResponse(
            request,
            "organisations/person.html",
            {
                "organisation": organisation,
                "detail": detail,
                "membership": detail.membership,
                # for the membership forms (organisations/includes/membership_actions.html)
                "teams": Team.objects.filter(organisation=organisation).order_by("name"),
                "roles": Role.objects.order_by("name"),
            },
        )
    )


@coordinator_area
@require_POST
def export(request, organisation, fmt: str):
    """The people list (csv, xlsx; the filters come with the form) or the board's summary
    (pdf): the file at once, or for a large organisation a job page to wait on."""
    if fmt not in FORMATS:
        raise Http404
    filters = {name: request.POST.get(name, "") for name in PeopleFilters.FIELDS}
    result = start_export(organisation=organisation, actor=request.user, fmt=fmt, filters=filters)
    if isinstance(result, ExportJob):
        return redirect("organisations:export_job", slug=organisation.slug, job_id=result.pk)
    response = HttpResponse(result.content, content_type=result.content_type)
    response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    return private(response)


def _own_job(request, organisation, job_id: int) -> ExportJob:
    """Export files are for the coordinator who asked for them (they carry that person's
    filters and are recorded under their name); other coordinators get a 404."""
    return get_object_or_404(
        ExportJob, pk=job_id, organisation=organisation, requested_by=request.user
    )


@coordinator_area
@require_GET
def export_job(request, organisation, job_id: int):
    job = _own_job(request, organisation, job_id)
    download_url = (
        reverse("organisations:export_download", args=[organisation.slug, job.pk])
        if job.status == ExportStatus.DONE
        else ""
    )
    if "application/json" in request.headers.get("Accept", ""):
        return private(
            JsonResponse(
                {
                    "status": job.status,
                    "status_label": str(job.get_status_display()),
                    "progress": job.progress,
                    "download_url": download_url,
                }
            )
        )
    return private(
        TemplateResponse(
            request,
            "organisations/export_job.html",
            {
                "organisation": organisation,
                "job": job,
                "format": FORMATS.get(job.format),
                "download_url": download_url,
                "finished": job.status in (ExportStatus.DONE, ExportStatus.FAILED),
            },
        )
    )


@coordinator_area
@require_GET
def export_download(request, organisation, job_id: int):
    job = _own_job(request, organisation, job_id)
    if (
        job.status != ExportStatus.DONE
        or not job.file
        or not job.file.storage.exists(job.file.name)
    ):
        raise Http404
    record_audit(
        actor=request.user,
        organisation=organisation,
        action=AuditAction.EXPORTED,
        detail={"format": job.format, "filters": job.filters, "job": job.pk, "downloaded": True},
    )
    response = FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=export_download_name(job),
        content_type=FORMATS[job.format].content_type,
    )
    return private(response)
