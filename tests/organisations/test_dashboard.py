"""The coordinator's dashboard, people list and person page: the counts, the filters, the
audit log, what is never shown, and a query count that does not grow with the members."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.dates import month_end, shift_month
from courses.models import ReflectionAnswer
from organisations.compliance.computation import compliance
from organisations.compliance.dashboard import (
    compliance_trend,
    dashboard,
    knowledge_gaps,
)
from organisations.compliance.rule import Status
from organisations.compliance.snapshots import record_compliance_snapshots
from organisations.models import AuditAction, AuditLogEntry, ComplianceSnapshot, Membership
from quizzes.models import QuizAttempt
from tests.factories import UserFactory
from tests.quizzes.conftest import make_quiz, play_to_poor_end

from . import small_organisation
from .conftest import sign_in_with_mfa
from .factories import MembershipFactory, OrganisationFactory, certificate_for, requirement

pytestmark = pytest.mark.django_db


@pytest.fixture
def small(organisation, modules, coordinator):
    membership = Membership.objects.get(user=coordinator, organisation=organisation)
    return small_organisation.build(organisation, modules, membership)


def counts(row) -> dict:
    return {status: count for status, count in row.counts.cells if count}


def test_the_dashboard_counts(small):
    data = dashboard(small.organisation)
    assert (data.members, data.compliant, data.compliant_percent) == (8, 3, 38)

    rows = {row.requirement.pk: row for row in data.requirements}
    a, b = rows[small.a.pk], rows[small.b.pk]
    assert (a.people, a.meeting) == (8, 3)
    assert counts(a) == {
        Status.COMPLIANT: 3,
        Status.EXPIRED: 1,
        Status.OVERDUE: 1,
        Status.IN_PROGRESS: 1,
        Status.DUE: 1,
        Status.NOT_STARTED: 1,
    }
    assert (b.people, b.meeting) == (2, 1)
    assert counts(b) == {Status.EXPIRING: 1, Status.OVERDUE: 1}
    # Bars: segments add up to the whole, in display order.
    assert sum(segment.share for segment in a.counts.segments) == pytest.approx(100)
    assert a.counts.segments[0].status == Status.COMPLIANT
    assert a.counts.segments[0].width == "37.50"

    teams = [(row.name, row.members, row.compliant) for row in data.teams]
    assert teams == [("Noord", 5, 3), ("Zuid", 1, 0), ("", 2, 0)]
    noord = data.teams[0]
    assert counts(noord) == {
        Status.COMPLIANT: 3,
        Status.EXPIRING: 1,
        Status.EXPIRED: 1,
        Status.OVERDUE: 1,
    }
    assert counts(data.teams[2]) == {Status.NOT_STARTED: 1, Status.DUE: 1, Status.OVERDUE: 1}


def test_the_dashboard_page(small, coordinator_client):
    response = coordinator_client.get(
        reverse("organisations:dashboard", args=[small.organisation.slug])
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "38%" in body
    assert "3 van 8 leden" in body
    assert "Voorbeeldkader" in body  # the framework is an example
    for heading in ("Per eis", "Per team", "Kennishiaten", "Trend over de afgelopen 12 maanden"):
        assert heading in body
    # Charts: inline SVG with patterns, a table for each, no inline styles or scripts (CSP).
    assert 'fill="url(#signaal-pattern-overdue)"' in body
    assert "<caption" in body
    assert not re.search(r"\sstyle=", body)
    assert not re.search(r"<script(?![^>]*\bsrc=)", body)
    # Names only in 'Actie nodig' (issue 20.2): everything else is totals.
    before, action = body.split('id="actie-titel"')
    action, after = action.split("</section>", 1)
    for name in small_organisation.NAMES:
        assert name not in before and name not in after
    assert "Dirk Dijkstra" in action and "Anna Aalders" not in action
    assert "no-store" in response["Cache-Control"]
    entry = AuditLogEntry.objects.get(action=AuditAction.VIEWED_DASHBOARD)
    assert entry.actor == small.members["coordinator"].user
    assert entry.organisation == small.organisation


def test_months_without_a_snapshot_show_no_data(small):
    today = timezone.localdate()
    this_month = today.replace(day=1)
    last_month = shift_month(this_month, -1)
    ComplianceSnapshot.objects.create(
        organisation=small.organisation, month=last_month, members=10, compliant=4
    )
    trend = compliance_trend(small.organisation, current=compliance(small.organisation))
    assert len(trend) == 13
    assert trend[0].month == shift_month(this_month, -12)
    assert [point.has_data for point in trend[:11]] == [False] * 11
    assert (trend[11].month, trend[11].percent) == (last_month, 40)
    assert trend[12].is_current and trend[12].percent == 38


def test_snapshots_fill_the_last_twelve_months_once(small):
    other = OrganisationFactory()
    today = datetime.date(2026, 3, 15)
    assert record_compliance_snapshots(today=today) == 24
    snapshots = ComplianceSnapshot.objects.filter(organisation=small.organisation)
    assert sorted(snapshots.values_list("month", flat=True)) == [
        datetime.date(2025, month, 1) for month in range(3, 13)
    ] + [datetime.date(2026, 1, 1), datetime.date(2026, 2, 1)]
    assert ComplianceSnapshot.objects.filter(organisation=other).count() == 12
    # Every hour again: nothing new. A missing month is filled.
    assert record_compliance_snapshots(today=today) == 0
    snapshots.filter(month=datetime.date(2025, 7, 1)).delete()
    assert record_compliance_snapshots(today=today) == 1
    # The snapshot holds what compliance reconstructs for the month's last day.
    february = snapshots.get(month=datetime.date(2026, 2, 1))
    report = compliance(small.organisation, day=datetime.date(2026, 2, 28))
    assert (february.members, february.compliant) == (
        len(report.members),
        report.compliant_count,
    )


def test_snapshot_of_the_previous_month_counts_the_members_of_then(small):
    today = timezone.localdate()
    last_month = shift_month(today.replace(day=1), -1)
    record_compliance_snapshots(today=today)
    snapshot = ComplianceSnapshot.objects.get(organisation=small.organisation, month=last_month)
    end = month_end(last_month)
    expected = Membership.objects.active(on=end).filter(organisation=small.organisation).count()
    assert snapshot.members == expected


def test_knowledge_gaps_are_aggregated_over_the_organisations_members(small, modules):
    quiz = make_quiz(modules[0])
    staff = [small.members[key].user for key in ("anna", "bram", "cees", "dirk", "gijs")]
    for user in staff:
        play_to_poor_end(quiz, user)
    outsider = UserFactory(full_name="Buiten Staander")
    play_to_poor_end(quiz, outsider)

    gaps = knowledge_gaps(small.organisation)
    by_slug = {gap.signal.slug: gap for gap in gaps}
    assert by_slug["poging-tot-verwurging"].learners == 5
    assert by_slug["poging-tot-verwurging"].missed == 5
    # Ended members no longer count.
    Membership.objects.filter(pk=small.members["anna"].pk).update(
        ended_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert knowledge_gaps(small.organisation) == []
    assert QuizAttempt.objects.filter(user=outsider).exists()


def test_knowledge_gaps_on_the_page_show_signals_not_people(small, modules, coordinator_client):
    quiz = make_quiz(modules[0])
    for key in ("anna", "bram", "cees", "dirk", "gijs"):
        play_to_poor_end(quiz, small.members[key].user)
    body = coordinator_client.get(
        reverse("organisations:dashboard", args=[small.organisation.slug])
    ).content.decode()
    section = body.split('id="kennis-titel"')[1].split("</section>")[0]
    assert "Poging tot verwurging" in section
    for name in small_organisation.NAMES:
        assert name not in section


def _dashboard_queries(client, organisation) -> int:
    url = reverse("organisations:dashboard", args=[organisation.slug])
    client.get(url)  # warm up caches (site settings, session)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _add_members(organisation, module, how_many: int) -> None:
    for index in range(how_many):
        membership = MembershipFactory(organisation=organisation)
        if index % 2:
            certificate_for(membership.user, module, issued_on=timezone.localdate())


def test_the_dashboard_query_count_does_not_grow_with_members(client, modules):
    small_org, large_org = OrganisationFactory(), OrganisationFactory()
    coordinators = []
    for organisation in (small_org, large_org):
        requirement(organisation, modules[0])
        coordinators.append(MembershipFactory(organisation=organisation, is_coordinator=True))
    _add_members(small_org, modules[0], 5)
    _add_members(large_org, modules[0], 25)
    sign_in_with_mfa(client, coordinators[0].user)
    few = _dashboard_queries(client, small_org)
    sign_in_with_mfa(client, coordinators[1].user)
    many = _dashboard_queries(client, large_org)
    assert few == many


# --- People list ---------------------------------------------------------------------------


def people_names(response) -> list[str]:
    body = response.content.decode()
    return re.findall(
        r'<th class="utrecht-table__header-cell signaal-sticky" scope="row">.*?'
        r"<a [^>]*>([^<]+)</a>",
        body,
    )


def get_people(client, small, **query):
    """The people list, by name unless another order is asked for (the default is by
    urgency: test_the_people_list_filters)."""
    query.setdefault("sort", "name")
    return client.get(reverse("organisations:people", args=[small.organisation.slug]), query)


def test_the_people_list_filters(small, coordinator_client):
    url = reverse("organisations:people", args=[small.organisation.slug])
    everyone = people_names(coordinator_client.get(url))  # no order asked: by urgency
    assert len(everyone) == 8
    known = [name for name in everyone if name in small_organisation.NAMES]
    # Most urgent first (issue 20.2): late (the longest first), needed soon, on track, meets.
    assert known == [
        "Dirk Dijkstra",
        "Cees Claassen",
        "Fien Franssen",
        "Bram Bakker",
        "Eva Evers",
        "Anna Aalders",
        "Gijs Gerritsen",
    ]
    by_name = people_names(get_people(coordinator_client, small, sort="name"))
    assert [name for name in by_name if name in small_organisation.NAMES] == sorted(
        small_organisation.NAMES
    )

    overdue = people_names(get_people(coordinator_client, small, status="overdue"))
    assert overdue == ["Dirk Dijkstra", "Fien Franssen"]
    noord = people_names(get_people(coordinator_client, small, team=small.noord.pk))
    assert len(noord) == 5
    no_team = people_names(get_people(coordinator_client, small, team="none"))
    assert "Fien Franssen" in no_team and len(no_team) == 2
    aandacht = people_names(get_people(coordinator_client, small, role=small.aandacht.pk))
    assert aandacht == ["Bram Bakker", "Fien Franssen"]
    assert people_names(get_people(coordinator_client, small, q="eVA")) == ["Eva Evers"]
    assert people_names(get_people(coordinator_client, small, q="dirk@voor")) == ["Dirk Dijkstra"]
    meets = people_names(get_people(coordinator_client, small, status="meets"))
    assert meets == ["Anna Aalders", "Bram Bakker", "Gijs Gerritsen"]
    expiring_b = people_names(
        get_people(coordinator_client, small, requirement=small.b.pk, status="expiring")
    )
    assert expiring_b == ["Bram Bakker"]
    update_due = people_names(get_people(coordinator_client, small, status="update_due"))
    assert update_due == []
    combined = people_names(
        get_people(coordinator_client, small, team=small.noord.pk, status="does_not_meet")
    )
    assert combined == ["Cees Claassen", "Dirk Dijkstra"]


def test_the_people_list_shows_statuses_and_deadlines(small, coordinator_client):
    body = get_people(coordinator_client, small, q="Fien").content.decode()
    assert "Bijna te laat" in body
    fien = small.members["fien"]
    due = fien.started_on + datetime.timedelta(days=90)
    assert f"{due.day} " in body
    assert "Te laat" in body


def test_bad_filters_are_ignored_with_a_message(small, coordinator_client):
    other_team = OrganisationFactory().teams.create(name="Elders")
    response = get_people(coordinator_client, small, team=other_team.pk, status="kwijt", role="x")
    assert response.status_code == 200
    assert len(people_names(response)) == 8
    assert "genegeerd" in response.content.decode()


def test_every_people_list_view_is_in_the_audit_log(small, coordinator_client):
    get_people(coordinator_client, small)
    get_people(coordinator_client, small, status="overdue", team=small.noord.pk)
    entries = AuditLogEntry.objects.filter(action=AuditAction.VIEWED_PEOPLE).order_by("at")
    assert [entry.detail for entry in entries] == [
        {"filters": {}, "page": 1, "results": 8},
        {"filters": {"team": str(small.noord.pk), "status": "overdue"}, "page": 1, "results": 1},
    ]
    assert all(entry.actor == small.members["coordinator"].user for entry in entries)


def test_the_people_list_is_paginated(organisation, coordinator_client, modules):
    requirement(organisation, modules[0])
    for index in range(59):
        MembershipFactory(organisation=organisation, user=UserFactory(full_name=f"Lid {index:03d}"))
    url = reverse("organisations:people", args=[organisation.slug])
    first = coordinator_client.get(url)
    assert len(people_names(first)) == 50
    assert "60 mensen" in first.content.decode()
    second = coordinator_client.get(url, {"page": 2})
    assert len(people_names(second)) == 10
    assert 'aria-current="page" href="?page=2"' in second.content.decode()
    # Out of range: the last page, not an error.
    assert len(people_names(coordinator_client.get(url, {"page": 99}))) == 10
    # Filters stay in the page links.
    filtered = coordinator_client.get(url, {"q": "Lid", "page": 1}).content.decode()
    assert "?q=Lid&amp;page=2" in filtered


# --- Person page ---------------------------------------------------------------------------


def test_the_person_page(small, coordinator_client, modules):
    bram = small.members["bram"]
    ReflectionAnswer.objects.create(
        user=bram.user,
        lesson=modules[0].get_children().first().specific,
        block_id="x",
        answer="Mijn geheime reflectie",
    )
    url = reverse("organisations:person", args=[small.organisation.slug, bram.pk])
    response = coordinator_client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Bram Bakker" in body and "bram@voorbeeld.nl" in body
    assert "Rode vlaggen" in body and "Meldcode" in body
    for certificate in bram.user.certificates.all():
        assert certificate.formatted_code in body
    assert "Mijn geheime reflectie" not in body
    entry = AuditLogEntry.objects.get(action=AuditAction.VIEWED_PERSON)
    assert entry.detail == {"membership": bram.pk, "user": bram.user_id}


def test_a_person_of_another_organisation_is_not_found(small, coordinator_client):
    stranger = MembershipFactory(user=UserFactory(full_name="Vreemde Eend"))
    url = reverse("organisations:person", args=[small.organisation.slug, stranger.pk])
    response = coordinator_client.get(url)
    assert response.status_code == 404
    assert "Vreemde Eend" not in response.content.decode()
    assert not AuditLogEntry.objects.filter(action=AuditAction.VIEWED_PERSON).exists()


def test_the_index_lists_the_organisations_one_coordinates(small, client):
    coordinator = small.members["coordinator"].user
    MembershipFactory(user=coordinator, organisation=OrganisationFactory(name="Alleen Lid"))
    client.force_login(coordinator)
    body = client.get(reverse("organisations:index")).content.decode()
    assert small.organisation.name in body
    assert reverse("organisations:dashboard", args=[small.organisation.slug]) in body
    assert "Alleen Lid" not in body
    client.logout()
    assert client.get(reverse("organisations:index")).status_code == 302
