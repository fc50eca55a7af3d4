"""Admin for platform administrators, in the menu group 'Organisaties': roles, expertise
frameworks with their requirements, organisations, teams, memberships, invitations and the
audit log (read only). Sectors are courses' snippet; the group links to them. Views of
memberships, invitations and the audit log are audited (core.admin_audit).

Access follows Django model permissions (superusers have them all): the Editors and
Inhoudsdeskundigen groups have none of these, so they see neither the menu nor the pages,
and never people's data. Other parts of the group (engineer B's national overview report)
add a MenuItem through the hook named in `OrganisationsGroup.submenu_hook`."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.admin.ui.tables import BooleanColumn, TitleColumn
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from accounts.selectors import owners_of_addresses
from core.admin_audit import AuditedViewSetMixin
from courses.models import Sector
from organisations.compliance.computation import learner_requirements, still_required
from organisations.selectors.personal_data import people_in_audit_entries

from .models import (
    AuditLogEntry,
    ExpertiseFramework,
    Invitation,
    Membership,
    Organisation,
    Role,
    Team,
)

SUBMENU_HOOK = "register_organisations_menu_item"


class LimitedPermissionPolicy(ModelPermissionPolicy):
    """Model permissions, but only for the given actions: the audit log can be read and
    never changed; invitations can be read and withdrawn (deleted), and are only made by
    coordinators, so that the invitee gets the email."""

    def __init__(self, model, *, actions: tuple[str, ...]):
        super().__init__(model)
        self.actions = actions

    def user_has_permission(self, user, action):
        return action in self.actions and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission([a for a in actions if a in self.actions])


# Registered before any viewset asks for a policy (Wagtail 8).
register_permission_policy(AuditLogEntry, LimitedPermissionPolicy(AuditLogEntry, actions=("view",)))
register_permission_policy(
    Invitation, LimitedPermissionPolicy(Invitation, actions=("view", "delete"))
)


def _filtered(viewset_name: str, organisation: Organisation) -> str:
    return reverse(f"{viewset_name}:index") + f"?organisation={organisation.pk}"


class RoleViewSet(ModelViewSet):
    model = Role
    name = "organisations_roles"
    url_prefix = "organisaties/rollen"
    icon = "user"
    menu_label = _("Roles")
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    search_backend_name = None
    copy_view_enabled = False


class ExpertiseFrameworkViewSet(ModelViewSet):
    model = ExpertiseFramework
    name = "organisations_frameworks"
    url_prefix = "organisaties/kaders"
    icon = "list-ul"
    menu_label = _("Expertise frameworks")
    list_display = [
        "name",
        "version",
        "effective_from",
        BooleanColumn("is_example", label=_("example")),
    ]
    list_filter = ["is_example"]
    search_fields = ["name", "version"]
    search_backend_name = None
    inspect_view_enabled = True
    inspect_view_fields = ["name", "version", "effective_from", "is_example", "source"]


class OrganisationViewSet(ModelViewSet):
    model = Organisation
    name = "organisations_organisations"
    url_prefix = "organisaties/organisaties"
    icon = "group"
    menu_label = _("Organisations")
    list_display = [
        "name",
        "sector",
        "region",
        "framework",
        TitleColumn(
            "teams",
            label=_("Teams"),
            accessor=lambda organisation: _("Teams"),
            get_url=lambda organisation: _filtered("organisations_teams", organisation),
        ),
        TitleColumn(
            "memberships",
            label=_("Memberships"),
            accessor=lambda organisation: _("Memberships"),
            get_url=lambda organisation: _filtered("organisations_memberships", organisation),
        ),
    ]
    list_filter = ["sector", "framework"]
    search_fields = ["name", "region", "slug"]
    search_backend_name = None
    copy_view_enabled = False

    def get_queryset(self, request):
        return Organisation.objects.select_related("sector", "framework")


class TeamViewSet(ModelViewSet):
    model = Team
    name = "organisations_teams"
    url_prefix = "organisaties/teams"
    icon = "group"
    menu_label = _("Teams")
    list_display = ["name", "organisation"]
    list_filter = ["organisation"]
    search_fields = ["name", "organisation__name"]
    search_backend_name = None
    panels = [FieldPanel("organisation"), FieldPanel("name")]
    copy_view_enabled = False

    def get_queryset(self, request):
        return Team.objects.select_related("organisation")


class MembershipViewSet(AuditedViewSetMixin, ModelViewSet):
    model = Membership
    name = "organisations_memberships"
    url_prefix = "organisaties/lidmaatschappen"
    icon = "user"
    menu_label = _("Memberships")
    list_display = [
        "user",
        "organisation",
        "team",
        "role",
        BooleanColumn("is_coordinator", label=_("coordinator")),
        "started_on",
        "ended_on",
    ]
    list_filter = ["organisation", "role", "is_coordinator"]
    search_fields = ["user__full_name", "user__email", "organisation__name"]
    search_backend_name = None
    panels = [
        FieldPanel("user"),
        FieldPanel("organisation"),
        FieldRowPanel([FieldPanel("team"), FieldPanel("role")]),
        FieldPanel("is_coordinator"),
        FieldRowPanel([FieldPanel("started_on"), FieldPanel("ended_on")]),
    ]
    copy_view_enabled = False

    def get_queryset(self, request):
        return Membership.objects.select_related("user", "organisation", "team", "role")

    def audit_subjects(self, objects):
        return [membership.user_id for membership in objects]

    def audit_organisation(self, obj):
        return obj.organisation


class InvitationViewSet(AuditedViewSetMixin, ModelViewSet):
    model = Invitation
    name = "organisations_invitations"
    url_prefix = "organisaties/uitnodigingen"
    icon = "mail"
    menu_label = _("Invitations")
    list_display = ["email", "organisation", "role", "expires_at", "accepted_at"]
    list_filter = ["organisation"]
    search_fields = ["email", "full_name", "organisation__name"]
    search_backend_name = None
    form_fields = ["email"]  # never used: invitations are made by coordinators
    inspect_view_enabled = True
    inspect_view_fields = [
        "organisation",
        "email",
        "full_name",
        "team",
        "role",
        "is_coordinator",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
    ]
    copy_view_enabled = False

    def get_queryset(self, request):
        return Invitation.objects.select_related("organisation", "role")

    def audit_subjects(self, objects):
        # About whoever owns the invited address (verified), if anyone does yet.
        return owners_of_addresses(invitation.email for invitation in objects).values()

    def audit_organisation(self, obj):
        return obj.organisation


class AuditLogViewSet(AuditedViewSetMixin, ModelViewSet):
    model = AuditLogEntry
    name = "organisations_audit_log"
    url_prefix = "organisaties/auditlog"
    icon = "history"
    menu_label = _("Audit log")
    list_display = ["at", "actor_email", "organisation", "action"]
    list_filter = ["organisation", "action"]
    search_fields = ["actor_email", "organisation__name"]
    search_backend_name = None
    form_fields = ["action"]  # never used: read only
    inspect_view_enabled = True
    inspect_view_fields = ["at", "actor_email", "organisation", "action", "detail"]
    copy_view_enabled = False

    def get_queryset(self, request):
        return AuditLogEntry.objects.select_related("organisation")

    def audit_subjects(self, objects):
        return people_in_audit_entries(objects)

    def audit_organisation(self, obj):
        return obj.organisation


class OrganisationsGroup(ModelViewSetGroup):
    menu_label = _("Organisations")
    menu_icon = "group"
    menu_order = 850
    submenu_hook = SUBMENU_HOOK
    items = (
        OrganisationViewSet,
        TeamViewSet,
        MembershipViewSet,
        InvitationViewSet,
        RoleViewSet,
        ExpertiseFrameworkViewSet,
        AuditLogViewSet,
    )


@hooks.register("register_admin_viewset")
def register_organisations_viewsets():
    return OrganisationsGroup()


class SectorsMenuItem(MenuItem):
    """Sectors (courses' snippet) in this group, for those who maintain organisations."""

    def is_shown(self, request):
        user = request.user
        return user.has_perm("organisations.change_organisation") and user.has_perm(
            f"{Sector._meta.app_label}.change_{Sector._meta.model_name}"
        )


@hooks.register(SUBMENU_HOOK)
def register_sectors_menu_item():
    return SectorsMenuItem(
        _("Sectors"),
        reverse("wagtailsnippets_courses_sector:list"),
        icon_name="tag",
        order=900,
    )


# --- The national overview report (organisations/admin_views.py), superusers only ---------


@hooks.register("register_admin_urls")
def register_national_overview_url():
    from django.urls import path

    from .admin_views import NationalOverviewView

    return [
        path(
            "reports/national-overview/",
            NationalOverviewView.as_view(),
            name="organisations_national_overview",
        )
    ]


class NationalOverviewMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser


@hooks.register("register_reports_menu_item")
def register_national_overview_menu_item():
    return NationalOverviewMenuItem(
        _("National overview"),
        reverse("organisations_national_overview"),
        icon_name="table",
        order=70,
    )


# How many open requirements the finish line and the home page list before 'and N more'.
NEXT_UP_SHOWN = 3


@hooks.register("signaal_completion_panels", order=20)
def what_the_organisation_asks_next(request, enrolment) -> str:
    """On a module's finish line: what the learner's organisations still ask of them
    (nothing for someone without an organisation). courses shows it through its hook."""
    from django.template.loader import render_to_string

    requirements = learner_requirements(request.user)
    if not requirements:
        return ""
    items = still_required(request.user, requirements=requirements)
    return render_to_string(
        "organisations/includes/still_required.html",
        {"items": items[:NEXT_UP_SHOWN], "more": max(0, len(items) - NEXT_UP_SHOWN)},
        request=request,
    )
