from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from wagtail.users.apps import WagtailUsersAppConfig


class AccountsConfig(AppConfig):
    default = True
    name = "accounts"
    label = "accounts"
    verbose_name = _("Accounts")


class SignaalUsersAppConfig(WagtailUsersAppConfig):
    """Wagtail's user admin, with forms for our user model (email, full name, no username)."""

    user_viewset = "accounts.viewsets.UserViewSet"
