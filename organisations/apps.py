import functools

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "organisations"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        from accounts.api import register_landing, register_personal_data, register_privilege_check
        from core.admin_audit import register_audit_recorder

        from . import personal_data, signals
        from .access import coordinates_anything, coordinator_landing
        from .models import AuditAction
        from .selectors.personal_data import personal_data as download
        from .services.audit import record_audit

        signals.connect()
        register_personal_data(
            "organisations",
            title=_("Organisations"),
            export=download,
            erase=personal_data.erase,
            deletion_warning=personal_data.deletion_warning,
        )
        # Administrators' views of people's data in the admin go into the audit log.
        register_audit_recorder(functools.partial(record_audit, action=AuditAction.VIEWED_IN_ADMIN))
        # Coordinators see their staff's data: their accounts need a second factor, which
        # they enrol only after proving they read their verified address.
        register_privilege_check(coordinates_anything)
        # ... and land on their dashboard after signing in (issue 20.1).
        register_landing(coordinator_landing)
