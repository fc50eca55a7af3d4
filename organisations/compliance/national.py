"""The national overview for platform administrators: aggregated monthly snapshots with small
cells hidden."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from organisations.compliance.figures import MINIMUM_GROUP, percent_of
from organisations.models import (
    ComplianceSnapshot,
    Organisation,
)


@dataclass
class OverviewCell:
    organisations: int = 0
    members: int = 0
    compliant: int = 0
    hidden: bool = False

    def add(self, members: int, compliant: int) -> None:
        self.organisations += 1
        self.members += members
        self.compliant += compliant

    @property
    def compliant_percent(self) -> int | None:
        if self.hidden or not self.members:
            return None
        return round(percent_of(self.compliant, self.members))


@dataclass
class OverviewSector:
    name: str
    regions: list[tuple[str, OverviewCell]]
    total: OverviewCell


@dataclass
class NationalOverview:
    month: datetime.date | None  # the month the figures are for (its snapshots)
    months: list[datetime.date]  # months with snapshots, newest first
    sectors: list[OverviewSector]
    total: OverviewCell
    without_figures: int  # organisations with no snapshot for the month
    minimum_group: int = MINIMUM_GROUP


def _suppress(sectors: list[OverviewSector], total: OverviewCell, minimum: int) -> None:
    """Hide every cell about fewer than `minimum` people, and enough others that no hidden
    cell can be worked out from a total: within a sector, the smallest visible regions join
    the hidden ones until those add up to `minimum` people; the national total is hidden
    when the hidden sectors together are fewer than `minimum` people."""
    for sector in sectors:
        cells = [cell for _name, cell in sector.regions]
        for cell in cells:
            cell.hidden = 0 < cell.members < minimum
        while 0 < sum(c.members for c in cells if c.hidden) < minimum:
            visible = [c for c in cells if not c.hidden]
            if not visible:
                break
            min(visible, key=lambda c: c.members).hidden = True
        sector.total.hidden = 0 < sector.total.members < minimum
    hidden_sectors = sum(s.total.members for s in sectors if s.total.hidden)
    total.hidden = 0 < total.members < minimum or 0 < hidden_sectors < minimum


def national_overview(
    *, month: datetime.date | None = None, minimum_group: int = MINIMUM_GROUP
) -> NationalOverview:
    """For platform administrators: per sector and region the organisations, members and
    compliant share, from the monthly ComplianceSnapshot rows (the same figures as the
    coordinators' trend; the latest recorded month unless `month` is given). Aggregated
    only, with small cells hidden (see _suppress). Three queries."""
    months = list(
        ComplianceSnapshot.objects.order_by("-month").values_list("month", flat=True).distinct()
    )
    if month is None:
        month = months[0] if months else None
    total = OverviewCell()
    sectors: dict[str, dict[str, OverviewCell]] = defaultdict(lambda: defaultdict(OverviewCell))
    sector_totals: dict[str, OverviewCell] = defaultdict(OverviewCell)
    without = 0
    snapshot = {
        org_id: (members, compliant)
        for org_id, members, compliant in ComplianceSnapshot.objects.filter(
            month=month
        ).values_list("organisation_id", "members", "compliant")
    }
    for org_id, sector, region in Organisation.objects.values_list("pk", "sector__name", "region"):
        if org_id not in snapshot:
            without += 1
            continue
        members, compliant = snapshot[org_id]
        sectors[sector][region.strip()].add(members, compliant)
        sector_totals[sector].add(members, compliant)
        total.add(members, compliant)
    result = [
        OverviewSector(
            name=name,
            regions=sorted(sectors[name].items(), key=lambda item: (not item[0], item[0])),
            total=sector_totals[name],
        )
        for name in sorted(sectors)
    ]
    _suppress(result, total, minimum_group)
    return NationalOverview(
        month=month,
        months=months,
        sectors=result,
        total=total,
        without_figures=without,
        minimum_group=minimum_group,
    )
