"""Forms: the 'sign in with your organisation' address form, and allauth's login, sign-up
and password reset forms refusing a password for domains whose organisation requires its
IdP (login would refuse that password anyway, so none is set or mailed for)."""

from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.account.forms import ResetPasswordKeyForm as AllauthResetPasswordKeyForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import selectors


def refuse_password_for(email: str) -> None:
    """Raise the form error that sends a person to their organisation's sign-in service
    when their address is of a domain whose organisation requires it; else nothing."""
    provider = selectors.required_provider_for_email(email) if "@" in email else None
    if provider is None:
        return
    message = format_html(
        gettext(
            "{organisation} signs its staff in through its own sign-in service, not with a "
            'password. <a href="{url}">Sign in with your organisation</a>.'
        ),
        organisation=provider.organisation.name,
        url=reverse("identity_sign_in"),
    )
    raise forms.ValidationError(message, code="idp_required")


class OrganisationSignInForm(forms.Form):
    email = forms.EmailField(
        label=_("Your work email address"),
        help_text=_("We send you to your organisation's sign-in page."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        self.identity_provider = selectors.provider_for_email(email)
        if self.identity_provider is None:
            raise forms.ValidationError(
                gettext(
                    "There is no organisation sign-in for addresses ending in @%(domain)s. "
                    "Sign in with your email address and password instead."
                )
                % {"domain": selectors.domain_of(email)},
                code="unknown_domain",
            )
        return email


class LoginForm(AllauthLoginForm):
    def clean(self):
        refuse_password_for((self.data.get("login") or "").strip())
        return super().clean()


class SignupForm(AllauthSignupForm):
    def clean_email(self):
        email = super().clean_email()
        refuse_password_for(email)
        return email


class ResetPasswordForm(AllauthResetPasswordForm):
    def clean_email(self):
        email = super().clean_email()
        refuse_password_for(email)
        return email


class ResetPasswordKeyForm(AllauthResetPasswordKeyForm):
    """A link mailed before the domain became required sets no password either."""

    def clean(self):
        if self.user is not None:
            refuse_password_for(self.user.email)
        return super().clean()
