"""The admin's place for organisation sign-in services. Access follows Django model
permissions: superusers (platform administrators) have them; no group is given them."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet

from .models import IdentityProvider


class IdentityProviderViewSet(ModelViewSet):
    model = IdentityProvider
    icon = "key"
    menu_label = _("Organisation sign-in")
    add_to_admin_menu = True
    menu_order = 410
    url_prefix = "organisatie-inloggen"
    list_display = ["name", "organisation", "protocol", "email_domains", "required", "active"]
    list_filter = ["protocol", "required", "active"]
    search_fields = ["name", "email_domains"]


@hooks.register("register_admin_viewset")
def register_viewset():
    return IdentityProviderViewSet("identity_providers")
