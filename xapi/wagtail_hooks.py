"""Admin for platform administrators: each organisation's LRS connection, in the menu group
'Organisaties', with the outbox's status per organisation. Access follows Django model
permissions (superusers have them; editors and reviewers have none)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.viewsets.model import ModelViewSet

from .forms import LrsConfigForm
from .models import LrsConfig
from .selectors import status_line

LrsConfig.base_form_class = LrsConfigForm
LrsConfig.panels = [
    FieldPanel("organisation"),
    FieldPanel("enabled"),
    MultiFieldPanel(
        [
            FieldPanel("endpoint"),
            FieldRowPanel([FieldPanel("key"), FieldPanel("secret")]),
            FieldPanel("version"),
        ],
        heading=_("Learning record store"),
    ),
    MultiFieldPanel(
        [FieldPanel("actor"), FieldPanel("account_home_page")],
        heading=_("How learners are identified"),
    ),
]


class LrsConfigViewSet(ModelViewSet):
    model = LrsConfig
    name = "xapi_lrs"
    url_prefix = "organisaties/lrs"
    icon = "link"
    add_to_admin_menu = False
    menu_label = _("LRS connections")
    list_display = [
        "organisation",
        BooleanColumn("enabled", label=_("Enabled")),
        Column("endpoint", label=_("LRS endpoint")),
        Column("actor", label=_("Identify learners by"), accessor="get_actor_display"),
        Column("status", label=_("Statements"), accessor=status_line),
    ]
    search_fields = ["organisation__name"]
    search_backend_name = None
    copy_view_enabled = False
    inspect_view_enabled = False

    def get_queryset(self, request):
        return LrsConfig.objects.select_related("organisation")


lrs_viewset = LrsConfigViewSet()


@hooks.register("register_admin_viewset")
def register_lrs_viewset():
    return lrs_viewset


class LrsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("xapi.change_lrsconfig")


@hooks.register("register_organisations_menu_item")
def register_lrs_menu_item():
    return LrsMenuItem(_("LRS connections"), reverse("xapi_lrs:index"), icon_name="link", order=950)
