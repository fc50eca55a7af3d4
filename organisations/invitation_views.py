"""Invitations from the coordinator's side (invite one address, withdraw) and the invited
person's (accept, from the link). Thin: writes go through organisations.services.invitations.
Every coordinator page is wrapped in organisations.access.coordinator_area."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import api as accounts

from .access import coordinator_area, private
from .membership_forms import (
    InviteForm,
)
from .models import Invitation, Organisation
from .selectors.invitations import invitations_left_today
from .services import invitations
from .services.invitations import (
    InvitationError,
    InvitationLimitReached,
    invitation_problem,
    open_invitation,
)
from .services.memberships import MembershipError


def base_url_of(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


# --- Invite ---------------------------------------------------------------------------------


def invitation_allowance(organisation: Organisation) -> dict:
    return {
        "invitations_left": invitations_left_today(organisation),
        "invitation_limit": settings.INVITATIONS_PER_ORGANISATION_PER_DAY,
    }


@coordinator_area
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    form = InviteForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation = invitations.invite(
                organisation=organisation,
                email=data["email"],
                full_name=data["full_name"],
                team=data["team"],
                role=data["role"],
                is_coordinator=data["is_coordinator"],
                invited_by=request.user,
                base_url=base_url_of(request),
            )
        except InvitationLimitReached as error:
            form.add_error(None, str(error))
        except MembershipError as error:
            form.add_error("email", str(error))
        else:
            messages.success(
                request,
                _("The invitation has been sent to %(email)s. It is valid until %(date)s.")
                % {
                    "email": invitation.email,
                    "date": date_format(timezone.localtime(invitation.expires_at), "j F Y"),
                },
            )
            return redirect("organisations:invite", slug=organisation.slug)
    pending = (
        Invitation.objects.filter(organisation=organisation, accepted_at__isnull=True)
        .select_related("team", "role")
        .order_by("email")
    )
    return private(
        TemplateResponse(
            request,
            "organisations/invite.html",
            {
                "organisation": organisation,
                "form": form,
                "pending": pending,
                "now": timezone.now(),
                **invitation_allowance(organisation),
            },
        )
    )


@coordinator_area
@require_POST
def withdraw_invitation(
    request: HttpRequest, organisation: Organisation, invitation_id: int
) -> HttpResponse:
    invitation = get_object_or_404(Invitation, pk=invitation_id, organisation=organisation)
    try:
        invitations.withdraw_invitation(invitation=invitation, actor=request.user)
    except MembershipError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("The invitation to %(email)s has been withdrawn: its link no longer works.")
            % {"email": invitation.email},
        )
    return redirect("organisations:invite", slug=organisation.slug)


# --- Import ---------------------------------------------------------------------------------


def _masked(email: str) -> str:
    local, _at, domain = email.partition("@")
    return f"{local[:1]}{'•' * max(len(local) - 1, 1)}@{domain}"


@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Anyone with the link sees the organisation, team and role; the invited address
    accepts (POST), once it is verified. A visitor logs in or signs up and comes back here
    through ?next=. The link was sent only to the invited address, so signing up with that
    same address from here needs no verification email (accounts.api.vouch_for_address);
    any other address does. Someone who verifies by email later finds the open invitation
    on 'Mijn leren' (the page after login)."""
    invitation = open_invitation(token)
    if invitation is None:
        response = TemplateResponse(
            request, "organisations/accept_invitation.html", {"state": "invalid"}
        )
        response.status_code = 404
        return private(response)
    user = request.user if request.user.is_authenticated else None
    state = invitation_problem(invitation, user=user)
    if state is None and user is None:
        state = "login"
        accounts.vouch_for_address(request, invitation.email)
    if state is None and request.method == "POST":
        try:
            membership = invitations.accept_invitation(invitation=invitation, user=user)
        except InvitationError as error:
            state = error.reason
        else:
            messages.success(
                request,
                _("Welcome to %(organisation)s. Below you see what it asks of you.")
                % {"organisation": membership.organisation.name},
            )
            return redirect("my_learning")
    context = {
        "state": state or "ready",
        "invitation": invitation,
        "organisation": invitation.organisation,
        "masked_email": _masked(invitation.email),
        "next": request.path,
    }
    response = TemplateResponse(request, "organisations/accept_invitation.html", context)
    if state in ("used", "expired"):
        response.status_code = 410
    elif state in ("wrong_account", "unverified"):
        response.status_code = 403
    return private(response)
