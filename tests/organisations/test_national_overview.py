"""The national overview for platform administrators: per sector and region, from the
monthly snapshots, aggregated only, cells about fewer than five people hidden (and enough
others that no hidden cell follows from a total); superusers only."""

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from openpyxl import load_workbook

from organisations.compliance.national import (
    OverviewCell,
    OverviewSector,
    _suppress,
    national_overview,
)
from organisations.models import AuditAction, AuditLogEntry, ComplianceSnapshot
from tests.auth import sign_in_with_mfa
from tests.factories import UserFactory

from .factories import OrganisationFactory, SectorFactory

# The tests make their own sectors (named as real ones), not the loaded taxonomy.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_registers")]

MONTH = datetime.date(2026, 10, 1)


def organisation_with(sector, region, members, compliant, *, month=MONTH):
    organisation = OrganisationFactory(sector=sector, region=region)
    ComplianceSnapshot.objects.create(
        organisation=organisation, month=month, members=members, compliant=compliant
    )
    return organisation


@pytest.fixture
def country():
    politie = SectorFactory(name="Politie", slug="politie-test")
    zorg = SectorFactory(name="Zorg", slug="zorg-test")
    organisation_with(politie, "Utrecht", 10, 6)
    organisation_with(politie, "Utrecht", 20, 10)
    organisation_with(politie, "Noord", 3, 1)  # fewer than five: hidden
    organisation_with(politie, "Zuid", 6, 6)  # hidden too, or Noord = total - the others
    organisation_with(zorg, "Oost", 2, 2)  # a whole sector under five
    OrganisationFactory(sector=zorg, region="West")  # no snapshot for the month
    organisation_with(politie, "Utrecht", 50, 50, month=datetime.date(2026, 9, 1))
    return politie, zorg


def cells(overview):
    return {
        (sector.name, region): cell
        for sector in overview.sectors
        for region, cell in sector.regions + [("*", sector.total)]
    }


def test_cells_under_five_are_hidden_with_a_complement(country):
    overview = national_overview()
    assert overview.month == MONTH
    assert overview.months == [MONTH, datetime.date(2026, 9, 1)]
    assert overview.without_figures == 2  # West, and the one recorded in September only
    table = cells(overview)
    utrecht = table[("Politie", "Utrecht")]
    assert (utrecht.organisations, utrecht.members, utrecht.compliant) == (2, 30, 16)
    assert (utrecht.hidden, utrecht.compliant_percent) == (False, 53)
    assert table[("Politie", "Noord")].hidden
    assert table[("Politie", "Noord")].compliant_percent is None
    assert table[("Politie", "Zuid")].hidden  # secondary: 3 + 6 = 9 hidden together
    politie = table[("Politie", "*")]
    assert (politie.members, politie.compliant, politie.hidden) == (39, 23, False)
    assert table[("Zorg", "Oost")].hidden and table[("Zorg", "*")].hidden
    # Zorg's 2 people would follow from the national total minus Politie.
    assert overview.total.hidden
    assert overview.total.organisations == 5


def test_a_region_alone_in_its_sector_is_not_given_away(country):
    politie, _zorg = country
    organisation_with(SectorFactory(name="Onderwijs", slug="onderwijs-test"), "Oost", 40, 20)
    overview = national_overview()
    table = cells(overview)
    # The hidden cells (Zorg: 2) are still fewer than five together: the total stays hidden.
    assert overview.total.hidden
    assert not table[("Onderwijs", "*")].hidden
    organisation_with(_zorg, "West", 7, 3)
    overview = national_overview()
    table = cells(overview)
    # Zorg now has 9 people: its total shows; Oost (2) is hidden and so is West, the only
    # other region, so Oost cannot be derived.
    assert not cells(overview)[("Zorg", "*")].hidden
    assert table[("Zorg", "Oost")].hidden and table[("Zorg", "West")].hidden
    assert not overview.total.hidden


def test_another_month(country):
    overview = national_overview(month=datetime.date(2026, 9, 1))
    assert overview.total.members == 50 and overview.total.compliant_percent == 100
    assert overview.without_figures == 6


def test_suppression_never_leaves_a_lone_small_cell():
    """Property: in any sector, the hidden regions add up to 0 or at least five people."""
    import random

    rng = random.Random(7)  # noqa: S311
    for _round in range(200):
        regions = [
            (f"r{index}", OverviewCell(1, rng.choice([0, 1, 2, 4, 5, 9, 30]), 0))
            for index in range(rng.randint(1, 5))
        ]
        total = OverviewCell(len(regions), sum(cell.members for _name, cell in regions), 0)
        sector = OverviewSector("s", regions, total)
        national = OverviewCell(1, total.members, 0)
        _suppress([sector], national, 5)
        hidden = sum(cell.members for _name, cell in regions if cell.hidden)
        assert hidden == 0 or hidden >= 5 or all(cell.hidden for _name, cell in regions)
        for _name, cell in regions:
            assert cell.hidden or not 0 < cell.members < 5
        if total.hidden:
            assert 0 < total.members < 5


@pytest.fixture
def superuser_client(client):
    admin = UserFactory(is_superuser=True)
    sign_in_with_mfa(client, admin)
    return client


def test_the_admin_report_for_superusers(country, superuser_client):
    url = reverse("organisations_national_overview")
    response = superuser_client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Landelijk overzicht" in body
    assert "Politie" in body and "Utrecht" in body and "53%" in body
    assert "&lt; 5" in body
    # The month picker and the menu entry.
    assert 'value="2026-09"' in body
    assert url in superuser_client.get(reverse("wagtailadmin_home")).content.decode()


def test_the_admin_report_as_a_spreadsheet(country, superuser_client):
    url = reverse("organisations_national_overview")
    response = superuser_client.get(url, {"month": "2026-10", "export": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "Sector",
        "Regio",
        "Organisaties",
        "Leden",
        "Voldoet",
        "Aandeel dat voldoet (%)",
    ]
    assert ["Politie", "Noord", "1", "< 5", "< 5", "< 5"] in rows
    assert ["Politie", "Utrecht", "2", "30", "16", "53"] in rows
    assert rows[-1] == ["Alle sectoren", "Alle regio’s", "5", "< 5", "< 5", "< 5"]
    entry = AuditLogEntry.objects.get(action=AuditAction.EXPORTED)
    assert entry.detail["report"] == "national_overview"

    workbook = load_workbook(io.BytesIO(superuser_client.get(url, {"export": "xlsx"}).content))
    sheet_rows = list(workbook.active.iter_rows(values_only=True))
    assert ("Politie", "Utrecht", 2, 30, 16, 53) in sheet_rows


def test_an_unknown_month_shows_the_latest_with_a_message(country, superuser_client):
    url = reverse("organisations_national_overview")
    response = superuser_client.get(url, {"month": "1999-01"}, follow=True)
    assert response.status_code == 200
    assert "oktober 2026" in response.content.decode()


def test_other_admin_users_are_refused(country, client):
    editor = UserFactory()
    group = Group.objects.create(name="Redactie test")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    editor.groups.add(group)
    sign_in_with_mfa(client, editor)
    url = reverse("organisations_national_overview")
    response = client.get(url)
    assert (response.status_code, response["Location"]) == (302, "/beheer/")
    assert "Politie" not in response.content.decode()
    assert url not in client.get(reverse("wagtailadmin_home")).content.decode()
