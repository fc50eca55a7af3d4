"""Monthly compliance snapshots (the 12-month trend and the national overview)."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.dates import month_end, month_start, shift_month
from organisations.compliance.computation import compliance
from organisations.compliance.dashboard import TREND_MONTHS
from organisations.models import Organisation


def record_compliance_snapshot(*, organisation: Organisation, month: datetime.date):
    """Record (or record again) the organisation's compliance at the end of `month`, as
    compliance reconstructs it for that day."""
    from organisations.models import ComplianceSnapshot

    first = month_start(month)
    report = compliance(organisation, day=month_end(first))
    snapshot, _created = ComplianceSnapshot.objects.update_or_create(
        organisation=organisation,
        month=first,
        defaults={
            "members": len(report.members),
            "compliant": report.compliant_count,
            "recorded_at": timezone.now(),
        },
    )
    return snapshot


def record_compliance_snapshots(*, today: datetime.date | None = None) -> int:
    """For every organisation, record the previous month and any other of the last
    TREND_MONTHS complete months that has no snapshot yet. Safe to run every hour (the cron
    command does): months already recorded are left alone. Returns how many were recorded."""
    from organisations.models import ComplianceSnapshot

    this_month = month_start(today or timezone.localdate())
    months = [shift_month(this_month, -back) for back in range(1, TREND_MONTHS + 1)]
    recorded = set(
        ComplianceSnapshot.objects.filter(month__gte=months[-1], month__lt=this_month).values_list(
            "organisation_id", "month"
        )
    )
    count = 0
    for organisation in Organisation.objects.select_related("framework").order_by("pk"):
        for month in months:
            if (organisation.pk, month) in recorded:
                continue
            try:
                with transaction.atomic():
                    record_compliance_snapshot(organisation=organisation, month=month)
            except IntegrityError:  # a parallel run recorded it first
                continue
            count += 1
    return count
