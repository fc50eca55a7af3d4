"""Issue 20.2 and 20.8: who needs action (the dashboard's 'Actie nodig'), the people list's
orders and its sticky name column, and the four groups a coordinator acts on."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import SentEmail
from organisations.compliance.dashboard import dashboard, needs_action
from organisations.compliance.groups import GROUP_OF, Group, urgency_rank
from organisations.compliance.people import NEEDS_ACTION, people
from organisations.compliance.rule import Status
from organisations.compliance.statuses import refresh_standings
from organisations.models import AuditAction, AuditLogEntry, Membership

from . import small_organisation
from .conftest import sign_in_with_mfa
from .factories import MembershipFactory, OrganisationFactory, certificate_for, requirement

pytestmark = pytest.mark.django_db


@pytest.fixture
def small(organisation, modules, coordinator):
    membership = Membership.objects.get(user=coordinator, organisation=organisation)
    return small_organisation.build(organisation, modules, membership)


def test_every_status_is_in_exactly_one_of_four_groups():
    assert set(GROUP_OF) == set(Status)
    assert [urgency_rank(s) for s in (Status.OVERDUE, Status.EXPIRED)] == [0, 0]
    assert {GROUP_OF[s] for s in (Status.DUE, Status.UPDATE_DUE, Status.EXPIRING)} == {Group.SOON}
    assert {GROUP_OF[s] for s in (Status.IN_PROGRESS, Status.NOT_STARTED)} == {Group.ON_TRACK}
    assert GROUP_OF[Status.COMPLIANT] == Group.FINE
    assert urgency_rank(None) == len(Group)  # nothing mandatory: last


def test_the_action_list_names_the_most_urgent_people_with_what_they_miss(small):
    """Late first (the longest late first), then needed soon; the people on track or who
    meet everything are not on it."""
    action = needs_action(small.organisation)

    assert [person.name for person in action.people] == [
        "Dirk Dijkstra",  # overdue for 110 days
        "Cees Claassen",  # expired about 70 days ago
        "Fien Franssen",  # 'Meldcode' overdue for 40 days
        "Bram Bakker",  # 'Meldcode' expiring: needed soon
    ]
    assert action.total == 4
    fien = action.people[2]
    assert fien.group == Group.LATE
    # What she misses and by when, most urgent first; mandatory requirements only.
    assert [(r.module.title, s.status) for r, s in fien.items] == [
        ("Meldcode", Status.OVERDUE),
        ("Rode vlaggen", Status.DUE),
    ]
    assert fien.items[1][1].deadline == small.members["fien"].started_on + datetime.timedelta(
        days=90
    )
    assert fien.last_reminded is None


def test_recommended_requirements_never_put_anyone_on_the_list(organisation, modules):
    rode_vlaggen, meldcode = modules
    requirement(organisation, rode_vlaggen, due_within_days=10, level="recommended")
    requirement(organisation, meldcode, due_within_days=90)
    late_on_recommended = MembershipFactory(
        organisation=organisation,
        started_on=timezone.localdate() - datetime.timedelta(days=40),
        user__full_name="Alleen Aanbevolen",
    )
    certificate_for(late_on_recommended.user, meldcode, issued_on=timezone.localdate())

    assert needs_action(organisation).people == []
    assert people(organisation, {"status": NEEDS_ACTION}).rows == []


def test_the_action_list_says_when_each_person_was_last_reminded(small):
    dirk = small.members["dirk"].user
    sent = timezone.now() - datetime.timedelta(days=3)
    SentEmail.objects.create(
        user=dirk, kind="coordinator_request", item=f"organisation:{small.organisation.pk}",
        period="x", sent_at=sent,
    )  # fmt: skip
    # A reminder about another organisation does not count.
    SentEmail.objects.create(
        user=dirk, kind="coordinator_request", item="organisation:0", period="y"
    )

    (first, *_rest) = needs_action(small.organisation).people

    assert first.name == "Dirk Dijkstra" and first.last_reminded == sent


def test_the_dashboard_shows_action_needed_and_the_four_groups(small, coordinator_client):
    body = coordinator_client.get(
        reverse("organisations:dashboard", args=[small.organisation.slug])
    ).content.decode()

    action = body.split('id="actie-titel"')[1].split("</section>")[0]
    assert "Actie nodig" in body
    names = re.findall(r'href="/organisaties/[^/]+/mensen/(\d+)/">([^<]+)</a>', action)
    assert [name for _pk, name in names] == [
        "Dirk Dijkstra",
        "Cees Claassen",
        "Fien Franssen",
        "Bram Bakker",
    ]
    assert names[0][0] == str(small.members["dirk"].pk)  # each name links to the person
    assert "Nog niet herinnerd" in action
    assert "Meldcode:" in action and "Te laat" in action
    # The four groups, each member once by their most urgent mandatory status, with the
    # exact statuses still there.
    groups = body.split('class="signaal-groups"')[1].split("</ul>")[0]
    counts = dict(
        re.findall(
            r'signaal-groups__item--(\w+)">\s*<span class="signaal-groups__count">(\d+)', groups
        )
    )
    assert counts == {"late": "3", "soon": "1", "on_track": "2", "fine": "2"}
    assert "verlopen: 1" in groups
    assert f'?status={Group.LATE.value}"' in groups
    # Who was named is in the audit log.
    entry = AuditLogEntry.objects.get(action=AuditAction.VIEWED_DASHBOARD)
    assert set(entry.subjects.values_list("user_id", flat=True)) == {
        small.members[key].user_id for key in ("dirk", "cees", "fien", "bram")
    }


def test_the_group_counts_add_up_and_match_the_people_list(small):
    data = dashboard(small.organisation)
    total = sum(count for _group, count, _detail in data.groups)
    assert total == data.members
    for group, count, _detail in data.groups:
        if group != Group.FINE:
            assert len(people(small.organisation, {"status": group.value}).rows) == count


def test_the_action_list_takes_the_same_queries_for_few_and_many(client, modules):
    """The stored statuses select the first people; only they are computed."""
    counts = []
    for late in (3, 30):
        organisation = OrganisationFactory()
        requirement(organisation, modules[0], due_within_days=30)
        coordinator = MembershipFactory(organisation=organisation, is_coordinator=True)
        for _index in range(late):
            MembershipFactory(
                organisation=organisation,
                started_on=timezone.localdate() - datetime.timedelta(days=45),
            )
        refresh_standings(organisation)
        with CaptureQueriesContext(connection) as queries:
            action = needs_action(organisation)
        # The late ones and the coordinator, whose own deadline is 20 days away.
        assert len(action.people) == min(late + 1, 10) and action.total == late + 1
        counts.append(len(queries))
        # And the whole dashboard view.
        sign_in_with_mfa(client, coordinator.user)
        url = reverse("organisations:dashboard", args=[organisation.slug])
        client.get(url)
        with CaptureQueriesContext(connection) as page_queries:
            assert client.get(url).status_code == 200
        counts.append(len(page_queries))
    assert counts[0] == counts[2] and counts[1] == counts[3], counts


# --- The people list's orders --------------------------------------------------------------


def names_in(response) -> list[str]:
    return re.findall(
        r'<th class="utrecht-table__header-cell signaal-sticky" scope="row">.*?'
        r"<a [^>]*>([^<]+)</a>",
        response.content.decode(),
    )


def test_the_people_list_sorts_by_urgency_deadline_and_name(small, coordinator_client):
    url = reverse("organisations:people", args=[small.organisation.slug])
    known = small_organisation.NAMES

    def order(**query):
        return [name for name in names_in(coordinator_client.get(url, query)) if name in known]

    by_deadline = order(sort="deadline")
    # The earliest date first: Dirk's deadline 110 days ago, Cees's certificate ended ...
    assert by_deadline[:3] == ["Dirk Dijkstra", "Cees Claassen", "Fien Franssen"]
    assert order(sort="name") == sorted(known)
    assert order() == order(sort="urgency")
    assert order()[0] == "Dirk Dijkstra"
    # Sorting keeps the filters, and the page says which column it is sorted on.
    body = coordinator_client.get(url, {"sort": "deadline", "team": small.noord.pk}).content
    body = body.decode()
    assert re.search(r'<th [^>]*aria-sort="ascending"[^>]*>.*?Eerste datum', body)
    assert body.count("aria-sort=") == 1
    assert f'href="?sort=name&amp;team={small.noord.pk}"' in body
    assert "signaal-sticky" in body
    # An unknown order falls back to urgency, with the usual message.
    bad = coordinator_client.get(url, {"sort": "salaris"})
    assert "genegeerd" in bad.content.decode()


def test_the_people_list_pages_in_urgency_order(organisation, coordinator_client, modules):
    requirement(organisation, modules[0], due_within_days=30)
    for index in range(55):
        MembershipFactory(
            organisation=organisation,
            started_on=timezone.localdate() - datetime.timedelta(days=100 - index),
            user__full_name=f"Lid {index:03d}",
        )
    url = reverse("organisations:people", args=[organisation.slug])
    first = names_in(coordinator_client.get(url))
    second = names_in(coordinator_client.get(url, {"page": 2}))
    # The longest late first, across pages.
    members = [name for name in first + second if name.startswith("Lid")]
    assert members == [f"Lid {index:03d}" for index in range(55)]
