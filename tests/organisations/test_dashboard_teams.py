"""The dashboard's status bars (a template tag), the teams it shows (those needing attention
most, at most views.DASHBOARD_TEAMS) and the page with every team."""

import re
from collections import Counter
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from organisations import views
from organisations.compliance.dashboard import teams_needing_attention
from organisations.compliance.figures import DISPLAY_ORDER, StatusCounts, TeamRow
from organisations.compliance.rule import Status
from organisations.models import AuditAction, AuditLogEntry, Membership

from . import small_organisation
from .factories import MembershipFactory, TeamFactory, requirement
from .test_access import coordinator_urls

# What organisations/includes/status_bar.html rendered before the tag replaced it.
OLD_BAR = (
    '<svg class="signaal-bar" aria-hidden="true" focusable="false" width="100%" height="22">'
    "{% if counts.total %}{% for segment in counts.segments %}"
    '<rect x="{{ segment.x }}%" y="0" width="{{ segment.width }}%" height="22"'
    ' fill="url(#signaal-pattern-{{ segment.status.value }})">'
    "<title>{{ segment.status.label|capfirst }}: {{ segment.count }} ({{ segment.percent }}%)"
    "</title></rect>{% endfor %}"
    "{% else %}"
    '<rect x="0" y="0" width="100%" height="22" fill="url(#signaal-pattern-no-data)"/>'
    "{% endif %}"
    '<rect x="0" y="0" width="100%" height="22" fill="none" stroke="#1d1b22" stroke-width="1"/>'
    "</svg>"
)


def render(source: str, **context) -> str:
    return Template("{% load organisations_tags %}" + source).render(Context(context))


def squeeze(html: str) -> str:
    return re.sub(r">\s+<", "><", html).strip()


COUNTS = StatusCounts.of(Counter({Status.COMPLIANT: 3, Status.EXPIRED: 1, Status.OVERDUE: 4}))


# --- The status bar tag --------------------------------------------------------------------


@pytest.mark.parametrize("counts", [COUNTS, StatusCounts.of(Counter())])
@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_bar_is_the_markup_the_template_made(counts, language):
    with translation.override(language):
        tag = render("{% status_bar counts %}", counts=counts)
        old = Template(OLD_BAR).render(Context({"counts": counts}))
    assert squeeze(tag) == squeeze(old)


def test_the_bar_has_a_titled_segment_per_status_in_the_active_language():
    with translation.override("nl"):
        dutch = render("{% status_bar counts %}", counts=COUNTS)
    with translation.override("en"):
        english = render("{% status_bar counts %}", counts=COUNTS)
    assert dutch.startswith('<svg class="signaal-bar" aria-hidden="true" focusable="false"')
    assert re.findall(r"<title>([^<]*)</title>", dutch) == [
        "Voldoet: 3 (38%)",
        "Verlopen: 1 (12%)",
        "Te laat: 4 (50%)",
    ]
    assert re.findall(r"<title>([^<]*)</title>", english)[0] == "Compliant: 3 (38%)"
    assert re.findall(r'fill="url\(#signaal-pattern-([a-z_-]+)\)"', dutch) == [
        "compliant",
        "expired",
        "overdue",
    ]
    assert '<rect x="37.50%" y="0" width="12.50%" height="22"' in dutch


def test_a_zero_total_draws_an_empty_bar():
    html = render("{% status_bar counts %}", counts=StatusCounts.of(Counter()))
    assert 'fill="url(#signaal-pattern-no-data)"' in html
    assert "<title>" not in html
    assert html.endswith('stroke="#1d1b22" stroke-width="1"/></svg>')


def test_the_bar_escapes_what_it_is_given():
    segment = SimpleNamespace(
        x='0"><script>alert(1)</script>',
        width="100.00",
        status=Status.COMPLIANT,
        count="<b>3</b>",
        percent=100,
    )
    counts = SimpleNamespace(total=3, segments=[segment])
    html = render("{% status_bar counts %}", counts=counts)
    assert "<script>" not in html and "<b>" not in html
    assert 'x="0&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;%"' in html
    assert "&lt;b&gt;3&lt;/b&gt;" in html


def test_status_cells_give_a_cell_per_status_in_display_order():
    html = render("{% status_cells counts %}", counts=COUNTS)
    cells = re.findall(r'<td class="utrecht-table__cell signaal-num">(\d+)</td>', html)
    assert cells == [str(COUNTS.count(status)) for status in DISPLAY_ORDER]
    assert cells == ["3", "0", "0", "0", "0", "0", "1", "4"]


# --- Which teams the dashboard shows -------------------------------------------------------


def team(name: str, members: int, compliant: int, team_id: int | None = 1) -> TeamRow:
    return TeamRow(
        team_id=team_id,
        name=name,
        members=members,
        compliant=compliant,
        counts=StatusCounts.of(Counter()),
    )


def test_the_teams_needing_attention_come_first_ties_by_name():
    rows = [
        team("Alfa", 10, 9),
        team("Bravo", 4, 1),  # 25%
        team("Charlie", 3, 0),  # 0%
        team("Delta", 8, 2),  # 25%, the same share as Bravo
        team("Echo", 5, 5),
        team("", 6, 0, team_id=None),  # without a team: 0%, after the named team
    ]
    names = [row.name for row in teams_needing_attention(rows, 4)]
    assert names == ["Charlie", "", "Bravo", "Delta"]
    assert [row.name for row in teams_needing_attention(rows, 1)] == ["Charlie"]


def test_with_no_more_teams_than_the_limit_all_are_shown_in_their_order():
    rows = [team("Alfa", 10, 9), team("Bravo", 4, 0), team("", 2, 0, team_id=None)]
    assert teams_needing_attention(rows, 3) == rows
    assert teams_needing_attention(rows, 20) == rows
    assert teams_needing_attention([], 20) == []
    assert teams_needing_attention(rows, 20) is not rows  # a copy: the caller's list stays


# --- The dashboard and the page with every team --------------------------------------------


@pytest.fixture
def small(organisation, modules, coordinator):
    membership = Membership.objects.get(user=coordinator, organisation=organisation)
    return small_organisation.build(organisation, modules, membership)


def team_section(body: str) -> str:
    return body.split('id="teams-titel"')[1].split("</section>")[0]


def row_headers(html: str) -> list[str]:
    return re.findall(
        r'<th class="utrecht-table__header-cell" scope="row"><a [^>]*>([^<]+)</a>', html
    )


def test_an_organisation_with_few_teams_sees_them_all_by_name(small, coordinator_client):
    body = coordinator_client.get(
        reverse("organisations:dashboard", args=[small.organisation.slug])
    ).content.decode()
    section = team_section(body)
    assert row_headers(section) == ["Noord", "Zuid", "Geen team"]
    assert "aandacht nodig" not in section
    assert reverse("organisations:team_figures", args=[small.organisation.slug]) not in body
    assert section.count('<svg class="signaal-bar"') == 3


def test_the_dashboard_shows_the_teams_needing_attention_most(
    small, coordinator_client, monkeypatch
):
    monkeypatch.setattr(views, "DASHBOARD_TEAMS", 2)
    slug = small.organisation.slug
    section = team_section(
        coordinator_client.get(reverse("organisations:dashboard", args=[slug])).content.decode()
    )
    # Zuid and the members without a team: nobody meets all; Noord: 3 of 5.
    assert row_headers(section) == ["Zuid", "Geen team"]
    assert section.count('<svg class="signaal-bar"') == 2
    assert (
        "Hier staan de 2 van de 3 teams die de meeste aandacht nodig hebben: het laagste "
        "aandeel leden dat aan alle verplichte eisen voldoet eerst."
    ) in section
    link = reverse("organisations:team_figures", args=[slug])
    assert f'href="{link}">Alle 3 teams in één tabel</a>' in section


def test_the_teams_page_lists_every_team_by_name(small, coordinator_client):
    slug = small.organisation.slug
    response = coordinator_client.get(reverse("organisations:team_figures", args=[slug]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    assert "<h1" in body and "Alle teams</h1>" in body
    people = reverse("organisations:people", args=[slug])
    assert row_headers(body) == ["Noord", "Zuid", "Geen team"]
    assert f'href="{people}?team={small.noord.pk}">Noord</a>' in body
    assert f'href="{people}?team=none">Geen team</a>' in body
    # Noord: 5 members, 3 meet all (60%); cells in display order.
    noord = body.split(">Noord</a></th>")[1].split("</tr>")[0]
    assert re.findall(r">([^<]+)</td>", noord) == [
        "5",
        "3 (60%)",
        "3",
        "1",
        "0",
        "0",
        "0",
        "0",
        "1",
        "1",
    ]
    for name in small_organisation.NAMES:
        assert name not in body
    entry = AuditLogEntry.objects.get(action=AuditAction.VIEWED_DASHBOARD)
    assert entry.detail == {"page": "teams"}
    assert entry.actor == small.members["coordinator"].user


def test_many_teams_are_shortened_on_the_dashboard_and_complete_on_the_teams_page(
    organisation, coordinator_client, modules
):
    requirement(organisation, modules[0])
    teams = [TeamFactory(organisation=organisation, name=f"Team {i:02d}") for i in range(25)]
    for each in teams:
        MembershipFactory(organisation=organisation, team=each)
    slug = organisation.slug
    section = team_section(
        coordinator_client.get(reverse("organisations:dashboard", args=[slug])).content.decode()
    )
    assert len(row_headers(section)) == views.DASHBOARD_TEAMS == 20
    assert "Hier staan de 20 van de 26 teams" in section  # 25 teams and 'Geen team'
    assert "Alle 26 teams in één tabel" in section
    # Nobody meets the requirement yet: all 0%, so by name, 'Geen team' (the coordinator)
    # after the named teams.
    assert row_headers(section) == [f"Team {i:02d}" for i in range(20)]
    body = coordinator_client.get(reverse("organisations:team_figures", args=[slug]))
    assert row_headers(body.content.decode()) == [f"Team {i:02d}" for i in range(25)] + [
        "Geen team"
    ]


def test_the_teams_page_is_in_the_walk_of_the_coordinator_area(small):
    urls = list(coordinator_urls(small.organisation, small.members["anna"], SimpleNamespace(pk=1)))
    assert reverse("organisations:team_figures", args=[small.organisation.slug]) in urls


@pytest.mark.parametrize("page", ["organisations:dashboard", "organisations:team_figures"])
def test_the_team_table_says_which_columns_count_people_and_which_requirements(
    small, coordinator_client, page
):
    """Issue 20.8: 'Members' and 'Meet all' count people, the status columns count a person
    once per mandatory requirement; two column groups with headers say so."""
    with translation.override("nl"):
        body = coordinator_client.get(reverse(page, args=[small.organisation.slug])).content
    table = body.decode().split('id="teams-tabel-titel"')[1].split("</table>")[0]
    groups = re.findall(r'<th[^>]*scope="colgroup" colspan="(\d+)"[^>]*>([^<]+)</th>', table)
    assert [(int(span), title) for span, title in groups] == [
        (2, "Mensen"),
        (len(DISPLAY_ORDER), "Verplichte eisen: één telling per persoon per eis"),
    ]
    assert re.findall(r'<colgroup span="(\d+)">', table) == ["1", "2", str(len(DISPLAY_ORDER))]
    assert "één telling per persoon per eis" in table.split("</caption>")[0]
