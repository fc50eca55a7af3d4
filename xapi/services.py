"""Writes outside the learner's events: erasing a person's statements, and recording a
coordinator's export in the audit log."""

from datetime import date

from organisations.api import AuditAction, record_audit

from . import selectors
from .models import Statement


def erase_personal_data(user) -> None:
    """Deleting an account removes its statements here, sent or not (what an LRS already
    holds is the organisation's to erase)."""
    Statement.objects.filter(user=user).delete()


def audited_export(*, actor, organisation, start: date, end: date):
    """The export's rows, after writing its audit entry (who, when, which period, whom it
    was about)."""
    rows = selectors.export_rows(organisation.pk, start, end)
    record_audit(
        actor=actor,
        organisation=organisation,
        action=AuditAction.EXPORTED,
        detail={
            "export": "xapi_statements",
            "from": start.isoformat(),
            "to": end.isoformat(),
            "statements": rows.count(),
        },
        subjects=rows.values_list("user_id", flat=True).distinct(),
    )
    return rows
