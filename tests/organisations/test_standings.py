"""Stored statuses (MemberStanding): the dashboard adds them up instead of applying the rule
to every member on every view. They must always give what the live computation gives, be
recognised as stale after every kind of change and when the calendar moves a status, and
never swallow a change that arrives while they are being computed."""

import datetime
import threading
import time

import pytest
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from accounts.services import delete_account
from certificates import services as certificate_services
from courses.models import Enrolment, ModuleVersion
from organisations.compliance import statuses
from organisations.compliance.computation import applicable_requirements, compliance
from organisations.compliance.dashboard import dashboard
from organisations.compliance.figures import Figures
from organisations.compliance.people import (
    GROUP_FILTERS,
    MEETS_ALL,
    MEETS_NOT,
    NO_TEAM,
    SORTS,
    people,
)
from organisations.compliance.rule import Status
from organisations.compliance.statuses import (
    refresh_all_standings,
    refresh_standings,
    stored_figures,
)
from organisations.models import (
    MemberRequirementStatus,
    Membership,
    MemberStanding,
    RequirementLevel,
)
from organisations.services.memberships import change_membership, end_membership
from tests.factories import TEST_PASSWORD, UserFactory

from . import small_organisation
from .factories import MembershipFactory, RoleFactory, certificate_for, requirement

pytestmark = pytest.mark.django_db


@pytest.fixture
def small(organisation, modules, coordinator):
    membership = Membership.objects.get(user=coordinator, organisation=organisation)
    return small_organisation.build(organisation, modules, membership)


def stored(organisation, day=None):
    day = day or timezone.localdate()
    requirements = applicable_requirements(organisation)
    return stored_figures(organisation, requirements, day=day)


def live(organisation, day=None):
    return Figures.of(compliance(organisation, day=day))


def same(figures, expected) -> None:
    """Equal counts, read the way the dashboard reads them (empty counters are no counts)."""

    def plain(counters: dict) -> dict:
        return {key: +counter for key, counter in counters.items()}

    assert figures is not None, "the stored statuses are stale"
    assert (figures.member_count, figures.compliant_count) == (
        expected.member_count,
        expected.compliant_count,
    )
    assert +figures.worst == +expected.worst
    assert plain(figures.by_requirement) == plain(expected.by_requirement)
    assert plain(figures.by_team) == plain(expected.by_team)
    assert list(figures.by_team) == list(expected.by_team)  # the teams' order
    assert +figures.team_members == +expected.team_members
    assert +figures.team_compliant == +expected.team_compliant


def refresh_and_compare(organisation) -> None:
    assert refresh_standings(organisation).refreshed > 0
    same(stored(organisation), live(organisation))
    assert refresh_standings(organisation).refreshed == 0  # nothing left stale


def test_stored_statuses_add_up_to_the_live_figures(small):
    assert stored(small.organisation) is None  # never computed: the dashboard computes
    result = refresh_standings(small.organisation)
    assert result.refreshed == 8
    same(stored(small.organisation), live(small.organisation))
    assert MemberRequirementStatus.objects.filter(
        membership__organisation=small.organisation
    ).count() == (8 + 2)  # requirement A for all eight, B for the two aandachtsfunctionarissen


def test_the_dashboard_reads_the_same_from_stored_statuses(small):
    computed = dashboard(small.organisation)
    refresh_standings(small.organisation)
    read = dashboard(small.organisation)
    assert read.figures.stored and not computed.figures.stored
    assert (read.members, read.compliant, read.compliant_percent) == (8, 3, 38)
    assert read.overall == computed.overall
    assert read.requirements == computed.requirements
    assert read.teams == computed.teams
    assert read.trend == computed.trend


def test_every_kind_of_change_makes_them_stale_until_refreshed(small, modules, django_user_model):
    rode_vlaggen, meldcode = modules
    organisation, members = small.organisation, small.members
    refresh_standings(organisation)

    def changed(change, *, leaves=False) -> None:
        change()
        if leaves:
            # The member drops out of the active ones: the others' rows still add up.
            same(stored(organisation), live(organisation))
            return
        assert stored(organisation) is None, change.__doc__
        refresh_and_compare(organisation)

    def certificate_issued():
        """A certificate for someone overdue."""
        certificate_for(members["cees"].user, rode_vlaggen, issued_on=timezone.localdate())

    def certificate_revoked():
        """A revoked certificate."""
        held = members["anna"].user.certificates.get(module=rode_vlaggen)
        certificate_services.revoke(certificate=held, by=members["coordinator"].user, reason="x")

    def enrolment_started():
        """A member starts the module."""
        Enrolment.objects.create(
            user=members["gijs"].user,
            module=meldcode,
            module_version=ModuleVersion.objects.get(module=meldcode, number=1),
        )

    def role_changed():
        """A member becomes aandachtsfunctionaris: requirement B now applies."""
        change_membership(
            membership=members["anna"],
            actor=members["coordinator"].user,
            team=members["anna"].team,
            role=small.aandacht,
            is_coordinator=False,
        )

    def membership_ended():
        """A member leaves."""
        end_membership(membership=members["eva"], actor=members["coordinator"].user)

    def member_joined():
        """A new member (bulk imports write memberships without signals: no row yet)."""
        Membership.objects.bulk_create(
            [Membership(user=UserFactory(), organisation=organisation, role=small.professional)]
        )

    def requirement_added():
        """A new requirement for every role."""
        requirement(organisation, meldcode, role=small.professional, due_within_days=10)

    def requirement_relaxed():
        """Requirement A becomes recommended."""
        small.a.level = RequirementLevel.RECOMMENDED
        small.a.save()

    def update_required():
        """A new module version that asks holders for an update."""
        ModuleVersion.objects.create(
            module=rode_vlaggen,
            number=2,
            lesson_ids=[],
            update_required=True,
            update_due_on=timezone.localdate() + datetime.timedelta(days=20),
        )

    def framework_dropped():
        """The organisation no longer follows a framework."""
        organisation.framework = None
        organisation.save()

    for change in (
        certificate_issued,
        certificate_revoked,
        enrolment_started,
        role_changed,
        member_joined,
        requirement_added,
        requirement_relaxed,
        update_required,
    ):
        changed(change)
    changed(membership_ended, leaves=True)

    # A removed account: the membership ends, the certificates lose their holder.
    user = members["bram"].user
    user.set_password(TEST_PASSWORD)
    user.save()
    changed(lambda: delete_account(user=django_user_model.objects.get(pk=user.pk)), leaves=True)
    changed(framework_dropped)
    assert stored(organisation).member_count == live(organisation).member_count > 0


def test_the_calendar_makes_them_stale(small):
    refresh_standings(small.organisation)
    today = timezone.localdate()
    first_change = min(
        MemberStanding.objects.filter(valid_until__isnull=False).values_list(
            "valid_until", flat=True
        )
    )
    day_before = first_change - datetime.timedelta(days=1)
    assert first_change > today
    same(stored(small.organisation, day_before), live(small.organisation, day_before))
    assert stored(small.organisation, first_change) is None
    # Another day is computed live by the dashboard, whatever is stored.
    assert not dashboard(small.organisation, day=day_before).figures.stored


def test_a_large_backlog_is_left_to_the_background_task(small, settings):
    nothing = refresh_standings(small.organisation, limit=3, defer=False)
    assert (nothing.refreshed, nothing.pending) == (0, 8)
    assert stored(small.organisation) is None
    # In tests the task backend runs tasks at once: the task stored them all.
    queued = refresh_standings(small.organisation, limit=3)
    assert queued.pending == 8
    same(stored(small.organisation), live(small.organisation))


def test_the_dashboard_view_stores_them_and_the_cron_keeps_them_fresh(small, coordinator_client):
    response = coordinator_client.get(
        reverse("organisations:dashboard", args=[small.organisation.slug])
    )
    assert response.status_code == 200
    assert "3 van 8 leden" in response.content.decode()
    same(stored(small.organisation), live(small.organisation))

    other = MembershipFactory(role=RoleFactory())  # another organisation
    assert refresh_all_standings() == 1
    assert MemberStanding.objects.get(membership=other).computed_changes is not None


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_change_during_a_refresh_is_not_lost(small, modules, monkeypatch):
    """A certificate is issued by another request while the refresh computes (it has already
    read the data): the refresh must leave that person stale, not store the old status."""
    rode_vlaggen = modules[0]
    cees = small.members["cees"].user
    compute = compliance
    other_request: list[threading.Thread] = []

    def issue_certificate_elsewhere():
        try:
            certificate_for(cees, rode_vlaggen, issued_on=timezone.localdate())
        finally:
            connections.close_all()

    def compute_then_race(*args, **kwargs):
        report = compute(*args, **kwargs)  # read before the other request commits
        thread = threading.Thread(target=issue_certificate_elsewhere)
        thread.start()
        other_request.append(thread)
        time.sleep(0.5)  # the other request now waits for the rows this refresh locked
        return report

    monkeypatch.setattr(statuses, "compliance", compute_then_race)
    refresh_standings(small.organisation)
    other_request[0].join(timeout=10)
    monkeypatch.setattr(statuses, "compliance", compute)

    assert stored(small.organisation) is None, "the new certificate was swallowed"
    refresh_and_compare(small.organisation)


def test_the_people_list_selects_the_same_rows_from_stored_statuses(small):
    """Every filter (alone and combined) selects the same people in the same order from the
    stored statuses as the rule applied to everyone, with the same statuses per cell."""
    organisation = small.organisation
    report = compliance(organisation)
    requirements = [str(r.pk) for r in report.requirements]
    statuses = [s.value for s in Status] + [MEETS_ALL, MEETS_NOT, *GROUP_FILTERS]
    queries = [{}, {"q": "AALDERS"}, {"q": "@voorbeeld"}, {"q": "niemand"}]
    queries += [{"team": team} for team in (str(small.noord.pk), NO_TEAM)]
    queries += [{"role": str(small.aandacht.pk)}]
    queries += [
        {"status": status, **({"requirement": pk} if pk else {})}
        for status in statuses
        for pk in [None, *requirements]
    ]
    queries += [{"team": str(small.noord.pk), "status": MEETS_NOT, "q": "c"}]
    assert people(organisation).stored is False  # never computed: computed live
    refresh_standings(organisation)

    selected_somebody = 0
    # Every order too (issue 20.2): the SQL on the stored statuses and the rule's own.
    queries = [{**query, "sort": sort} for query in queries for sort in SORTS]
    for query in queries:
        listing = people(organisation, query)
        assert listing.stored, query
        filters = listing.filters
        assert not filters.invalid
        expected = [
            (member.membership_id, [member.statuses.get(pk) for pk in map(int, requirements)])
            for member in sorted(report.members, key=filters.sort_key)
            if filters.matches(member)
        ]
        rows = [(row.member.membership_id, row.statuses) for row in listing.rows]
        assert rows == expected, query
        assert len(listing.rows) == len(expected)
        selected_somebody += bool(expected)
    assert selected_somebody > len(queries) // 2  # the filters are not all empty


def test_the_people_list_pages_in_sql_with_a_fixed_number_of_queries(
    small, coordinator_client, django_assert_max_num_queries
):
    refresh_standings(small.organisation)
    url = reverse("organisations:people", args=[small.organisation.slug])
    # 31: one of them is the header's link to the coordinator's organisation (issue 20.1).
    with django_assert_max_num_queries(31) as few:
        coordinator_client.get(url)
    for name in ("Hanna", "Ivo", "Jet", "Kim", "Lot"):
        MembershipFactory(organisation=small.organisation, user__full_name=name)
    refresh_standings(small.organisation)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = coordinator_client.get(url, {"status": MEETS_NOT})
    assert "Hanna" in response.content.decode()


def test_a_refresh_writes_only_the_statuses_that_differ(small):
    """organisations.compliance.status_rows: the stored rows are compared, not rewritten;
    a gone, a changed and a new row are each written, and nothing else."""
    from organisations.compliance.status_rows import replace_statuses

    refresh_standings(small.organisation)
    rows = MemberRequirementStatus.objects.filter(membership__organisation=small.organisation)
    stored_rows = {(r.membership_id, r.requirement_id): r.status for r in rows}
    ids = sorted({membership for membership, _requirement in stored_rows})
    arguments = {"organisation_id": small.organisation.pk, "membership_ids": ids}

    assert replace_statuses(**arguments, wanted=dict(stored_rows)) == 0

    wanted = dict(stored_rows)
    (gone, _), (changed, old_status), *_ = sorted(stored_rows.items())
    del wanted[gone]
    wanted[changed] = "overdue" if old_status != "overdue" else "compliant"
    other_requirement = next(r for _m, r in stored_rows if r != gone[1])
    new = (gone[0], other_requirement)
    if new in wanted:  # that member has the other requirement already: a fresh pair instead
        new = next((m, other_requirement) for m in ids if (m, other_requirement) not in wanted)
    wanted[new] = "not_started"
    assert replace_statuses(**arguments, wanted=wanted) == 3
    after = {(r.membership_id, r.requirement_id): r.status for r in rows.all()}
    assert after == wanted
    assert all(r.organisation_id == small.organisation.pk for r in rows.all())
