"""The admin form of an LRS connection: the secret is write-only (never rendered back;
left empty, the stored one stays)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm


class LrsConfigForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("secret")
        if field is not None:
            field.widget = forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"})
            field.required = False
            if self.instance.pk and self.instance.secret:
                field.help_text = _(
                    "A secret is stored (%(masked)s). Leave empty to keep it; type a new one "
                    "to replace it."
                ) % {"masked": self.instance.masked_secret}

    def clean_secret(self):
        secret = self.cleaned_data.get("secret") or ""
        if not secret and self.instance.pk:
            return self.instance.secret
        return secret

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("actor") == "account" and not cleaned.get("account_home_page"):
            self.add_error(
                "account_home_page",
                _("Give the identity provider's home page to identify learners by account."),
            )
        if cleaned.get("endpoint") and not (cleaned.get("key") and cleaned.get("secret")):
            self.add_error("key", _("An LRS endpoint needs a key and a secret."))
        return cleaned
