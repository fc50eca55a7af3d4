from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.core.internal import ratelimit
from django.contrib import messages
from django.contrib.sites.shortcuts import get_current_site
from django.utils.translation import get_language
from django.utils.translation import gettext as _


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit: bool = True):
        # The sign-up form asks for the name printed on certificates; the language the
        # person signed up in becomes their preferred language.
        user.full_name = form.cleaned_data["full_name"]
        user.preferred_language = get_language() or user.preferred_language
        return super().save_user(request, user, form, commit=commit)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth sends its mails (verification, password reset) inside the request. When
        the mail server fails, the email is queued and sent again by `send_queued_email`
        (cron) instead of failing the request: the person is told it will follow. The rate
        limit on verification mails is reset, so logging in again tries at once; the newer
        email replaces the queued one, so it never arrives twice."""
        from core.mail import send_or_queue

        request = getattr(allauth_context, "request", None)
        ctx = {"email": email, "request": request}
        if request is not None:
            ctx["current_site"] = get_current_site(request)
        ctx.update(context)
        message = self.render_mail(template_prefix, email, ctx)
        # The sign-up verification email and a later one replace each other in the queue.
        purpose = template_prefix.removesuffix("_signup")
        sent = send_or_queue(message, kind=template_prefix, key=f"{purpose}:{email.lower()}")
        if sent or request is None:
            return
        ratelimit.clear(request, app="allauth.account", action="confirm_email", key=email.lower())
        messages.warning(
            request,
            _(
                "The email could not be sent right now. It will be sent automatically as soon "
                "as the mail server takes it again, usually within a few minutes."
            ),
        )

    def is_email_verified(self, request, email: str) -> bool:
        """Asked once per address at sign-up: an address the visitor was vouched for
        (accounts.services.vouch_for_address) is verified; the vouching is used up by the
        first sign-up, whatever its address."""
        from .services import VOUCHED_ADDRESS_SESSION_KEY

        vouched = request.session.pop(VOUCHED_ADDRESS_SESSION_KEY, None)
        return bool(vouched) and vouched == email.strip().lower()

    def get_login_redirect_url(self, request) -> str:
        # A page named by the sign-in link (?next=) wins before this is asked.
        from .landing import landing_for

        return landing_for(request.user) or super().get_login_redirect_url(request)

    def get_reauthentication_methods(self, user) -> list[dict]:
        """An account with a second factor confirms sensitive actions (recovery codes,
        switching the app off, its email addresses) with that factor only: a password or an
        emailed code alone must not reach what the second factor protects."""
        from allauth.mfa.utils import is_mfa_enabled

        methods = super().get_reauthentication_methods(user)
        if user.is_authenticated and is_mfa_enabled(user):
            return [method for method in methods if method["id"].startswith("mfa_")]
        return methods

    def get_client_ip(self, request) -> str:
        # One rule for every rate limit: the address behind our trusted proxies.
        from core.client_address import client_address

        return client_address(request)
