import logging
import smtplib

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.core.internal import ratelimit
from django.contrib import messages
from django.utils.translation import get_language
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit: bool = True):
        # The sign-up form asks for the name printed on certificates; the language the
        # person signed up in becomes their preferred language.
        user.full_name = form.cleaned_data["full_name"]
        user.preferred_language = get_language() or user.preferred_language
        return super().save_user(request, user, form, commit=commit)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth sends its mails (verification, password reset) inside the request. When
        the mail server fails, the request goes on instead of failing: the failure is
        logged, the person is told the mail can be asked for again, and the rate limit on
        verification mails is reset, so logging in (which sends an unverified address a
        new verification mail) works at once. Nothing is stored about a mail that was not
        sent: verification links are signed, not saved."""
        try:
            super().send_mail(template_prefix, email, context)
        except (smtplib.SMTPException, OSError):
            logger.warning(
                "Email %s to an account could not be sent", template_prefix, exc_info=True
            )
            request = getattr(allauth_context, "request", None)
            if request is None:
                return
            ratelimit.clear(
                request, app="allauth.account", action="confirm_email", key=email.lower()
            )
            messages.warning(
                request,
                _(
                    "The email could not be sent right now. Please log in again in a few "
                    "minutes to have it sent again."
                ),
            )
