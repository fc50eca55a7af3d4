from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "identity"
    verbose_name = _("Sign-in with the organisation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from allauth.account.signals import user_logged_in
        from django.db.models.signals import post_delete, post_save

        from accounts.api import register_personal_data, register_second_factor_assurance

        from . import personal_data, services
        from .models import IdentityProvider

        # The organisation's IdP stands in for our second factor only where the
        # organisation says it enforces MFA, and only for that organisation's area.
        register_second_factor_assurance(services.assures_second_factor)
        register_personal_data(
            "identity",
            title=personal_data.TITLE,
            export=personal_data.export,
            erase=personal_data.erase,
        )
        user_logged_in.connect(services.on_user_logged_in, dispatch_uid="identity_jit")
        post_save.connect(
            services.on_provider_saved, sender=IdentityProvider, dispatch_uid="identity_sync"
        )
        post_delete.connect(
            services.on_provider_deleted, sender=IdentityProvider, dispatch_uid="identity_drop"
        )
