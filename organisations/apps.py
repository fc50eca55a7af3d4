from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "organisations"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        from cms.accounts.second_factor import register_privilege_check
        from organisations.access import coordinates_anything

        from . import signals

        signals.connect()
        # Coordinators see their staff's data: their accounts need a second factor, which
        # they enrol only after proving they read their verified address.
        register_privilege_check(coordinates_anything)
