"""Who may enter the coordinator area (`coordinated_organisations`, `may_coordinate`): the
organisation's own coordinators (and platform administrators), signed in with a second
factor. Every coordinator view is wrapped here (`coordinator_area`)."""

from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import second_factor
from accounts.models import User
from accounts.second_factor_views import second_factor_page

from .models import Membership, Organisation, active_on


def coordinated_organisations(user: User) -> QuerySet[Organisation]:
    """The organisations whose coordinator area this person may enter (MFA aside)."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.all()
    return Organisation.objects.filter(
        pk__in=Membership.objects.active()
        .filter(user=user, is_coordinator=True)
        .values("organisation_id")
    )


def may_coordinate(user: User, organisation: Organisation) -> bool:
    return coordinated_organisations(user).filter(pk=organisation.pk).exists()


def organisations_left_without_coordinator(user: User) -> list[Organisation]:
    """The organisations where this person is the only active coordinator: deleting the
    account leaves them without one (the deletion page says so)."""
    own = Membership.objects.active().filter(user=user, is_coordinator=True)
    active = active_on(timezone.localdate(), "memberships__")
    return list(
        Organisation.objects.filter(pk__in=own.values("organisation_id"))
        .annotate(
            coordinators=Count("memberships", filter=active & Q(memberships__is_coordinator=True))
        )
        .filter(coordinators=1)
        .order_by("name")
    )


@dataclass(frozen=True)
class CoordinatorEntry:
    label: str
    url: str


def coordinator_entry(user: User) -> CoordinatorEntry | None:
    """The way into the coordinator area (issue 20.1): the organisation's dashboard when the
    person coordinates one, the chooser when several; None for everyone else."""
    first_two = list(coordinated_organisations(user).order_by("name")[:2])
    if not first_two:
        return None
    if len(first_two) == 1:
        return CoordinatorEntry(
            first_two[0].name, reverse("organisations:dashboard", args=[first_two[0].slug])
        )
    return CoordinatorEntry(_("Organisations"), reverse("organisations:index"))


def coordinator_landing(user: User) -> str | None:
    """After signing in, a coordinator lands in the coordinator area (superusers excepted:
    they have the admin)."""
    if user.is_superuser:
        return None
    entry = coordinator_entry(user)
    return entry.url if entry else None


def coordinates_anything(user: User) -> bool:
    """Whether the person is an active coordinator of some organisation."""
    return Membership.objects.active().filter(user=user, is_coordinator=True).exists()


def private(response: HttpResponse) -> HttpResponse:
    """Pages and files with people's data stay out of shared caches and out of the
    back-forward cache of a shared computer."""
    response["Cache-Control"] = "no-store"
    return response


def coordinator_area(view):
    """Wrap a view taking (request, organisation, ...): anonymous visitors go to the login,
    anyone who does not coordinate this organisation gets a 404 (its people stay invisible,
    and so does whether the address exists), and a coordinator without a second factor passed
    recently in this session (accounts.second_factor) is asked to set one up or confirm
    it first."""

    @wraps(view)
    def wrapped(request: HttpRequest, slug: str, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        organisation = get_object_or_404(Organisation, slug=slug)
        if not may_coordinate(request.user, organisation):
            raise Http404
        state = second_factor.enter_privileged_area(request, scope=organisation.pk)
        if state is not second_factor.PrivilegedSession.VALID:
            return second_factor_page(
                request, next_url=request.get_full_path(), area=organisation.name
            )
        return view(request, organisation, *args, **kwargs)

    return wrapped
