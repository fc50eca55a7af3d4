"""Admin: the LMSs registered as LTI platforms (in 'Organisaties' rights: model
permissions, superusers have them) and the tool's signing keys (read only)."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import BooleanColumn
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from .models import Platform, RosterSync, ScormPackage, ToolKey


class ReadOnlyPolicy(ModelPermissionPolicy):
    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission([a for a in actions if a == "view"])


register_permission_policy(ToolKey, ReadOnlyPolicy(ToolKey))
register_permission_policy(RosterSync, ReadOnlyPolicy(RosterSync))


class PlatformViewSet(ModelViewSet):
    model = Platform
    icon = "link"
    menu_label = _("LMSs (LTI)")
    add_to_admin_menu = False
    list_display = [
        "name",
        "organisation",
        "issuer",
        "client_id",
        BooleanColumn("sync_members"),
        BooleanColumn("is_active"),
    ]
    list_filter = ["organisation", "is_active"]
    search_fields = ["name", "issuer", "client_id"]


class ToolKeyViewSet(ModelViewSet):
    model = ToolKey
    icon = "key"
    menu_label = _("LTI signing keys")
    add_to_admin_menu = False
    list_display = ["kid", "created_at", BooleanColumn("is_active")]
    form_fields = ["is_active"]
    inspect_view_enabled = True


class RosterSyncViewSet(ModelViewSet):
    """The course member lists synced (read only): when, and how many people each added;
    the lists themselves are not kept."""

    model = RosterSync
    icon = "group"
    menu_label = _("Course member lists")
    add_to_admin_menu = False
    list_display = ["platform", "context_title", "status", "synced_at", "counts"]
    list_filter = ["platform", "status"]
    form_fields = ["status"]
    inspect_view_enabled = True


class ScormPackageViewSet(ModelViewSet):
    """SCORM 1.2 dispatch packages (for LMSs without LTI): made, capped and revoked here;
    the list links each package's download."""

    model = ScormPackage
    icon = "download"
    menu_label = _("SCORM packages")
    add_to_admin_menu = False
    list_display = [
        "module",
        "organisation",
        "max_learners",
        BooleanColumn("is_revoked"),
        "download",
    ]
    list_filter = ["organisation", "is_revoked"]
    form_fields = ["organisation", "module", "member_role", "max_learners", "is_revoked"]


class LtiGroup(ModelViewSetGroup):
    menu_label = _("LMS integration")
    menu_icon = "link"
    items = (
        PlatformViewSet("lti_platforms"),
        RosterSyncViewSet("lti_roster_syncs"),
        ScormPackageViewSet("lti_scorm_packages"),
        ToolKeyViewSet("lti_keys"),
    )


@hooks.register("register_admin_viewset")
def register_viewsets():
    return LtiGroup()
