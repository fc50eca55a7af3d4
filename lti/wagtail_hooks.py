"""Admin: the LMSs registered as LTI platforms (in 'Organisaties' rights: model
permissions, superusers have them) and the tool's signing keys (read only)."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import BooleanColumn
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from .models import Platform, ToolKey


class ReadOnlyPolicy(ModelPermissionPolicy):
    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission([a for a in actions if a == "view"])


register_permission_policy(ToolKey, ReadOnlyPolicy(ToolKey))


class PlatformViewSet(ModelViewSet):
    model = Platform
    icon = "link"
    menu_label = _("LMSs (LTI)")
    add_to_admin_menu = False
    list_display = ["name", "organisation", "issuer", "client_id", BooleanColumn("is_active")]
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


class LtiGroup(ModelViewSetGroup):
    menu_label = _("LMS integration")
    menu_icon = "link"
    items = (PlatformViewSet("lti_platforms"), ToolKeyViewSet("lti_keys"))


@hooks.register("register_admin_viewset")
def register_viewsets():
    return LtiGroup()
