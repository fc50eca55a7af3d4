"""Exports of the people list and the board's summary (files built in the background)."""

import datetime
import logging

from django.conf import settings
from django.utils import timezone, translation

from accounts.models import User
from organisations.access import may_coordinate
from organisations.compliance.computation import applicable_requirements
from organisations.compliance.people import PeopleFilters
from organisations.models import (
    AuditAction,
    Organisation,
)
from organisations.services.audit import record_audit

logger = logging.getLogger(__name__)


# Export files are kept this long, then deleted (delete_old_exports).
EXPORT_KEEP_DAYS = 7


def exports_in_background(organisation: Organisation) -> bool:
    """Organisations larger than ORGANISATION_EXPORT_IMMEDIATE_LIMIT members get their
    exports built by a background task."""
    from organisations.models import Membership

    members = Membership.objects.active().filter(organisation=organisation).count()
    return members > settings.ORGANISATION_EXPORT_IMMEDIATE_LIMIT


def export(*, organisation: Organisation, actor: User, fmt: str, filters: dict):
    """An export of the people list (csv, xlsx; with the people list's filters) or the
    board's summary (pdf): built now and returned as a reports.ExportFile for a small
    organisation, or queued as an ExportJob for a large one (the same job when the same
    person already waits for the same export). Every export is written to the audit log."""
    from organisations.models import ExportJob, ExportStatus

    from . import reports

    if fmt not in reports.FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    filters = (
        PeopleFilters.from_query(
            filters,
            organisation=organisation,
            requirements=applicable_requirements(organisation),
        ).as_dict()
        if fmt in reports.PEOPLE_FORMATS
        else {}
    )
    if exports_in_background(organisation):
        waiting = ExportJob.objects.filter(
            organisation=organisation,
            requested_by=actor,
            format=fmt,
            filters=filters,
            status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING],
        ).first()
        if waiting is not None:
            return waiting
        from organisations.tasks import build_export_file

        job = ExportJob.objects.create(
            organisation=organisation, requested_by=actor, format=fmt, filters=filters
        )
        build_export_file.enqueue(job.pk)
        job.refresh_from_db()
        return job
    result = reports.build(organisation, fmt, filters)
    record_audit(
        actor=actor,
        organisation=organisation,
        action=AuditAction.EXPORTED,
        detail={"format": fmt, "filters": result.filters, "rows": result.rows},
        subjects=result.people,
    )
    return result


def run_export_job(*, job_id: int):
    """Build a queued export into MEDIA_ROOT/exports/ (under a random name; it is downloaded
    only through the coordinator area), updating the job's progress. Run by the background
    task. A requester who no longer coordinates the organisation gets nothing."""
    import secrets

    from django.core.files.base import ContentFile

    from organisations.models import ExportJob, ExportStatus

    from . import reports

    job = ExportJob.objects.select_related("organisation", "requested_by").filter(pk=job_id).first()
    if job is None or job.status != ExportStatus.QUEUED:
        return job  # done already, or deleted (an old job, or with a deleted account)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, progress=5)
    last = [5]

    def progress(fraction: float) -> None:
        value = 5 + int(90 * fraction)
        if value >= last[0] + 5:
            last[0] = value
            ExportJob.objects.filter(pk=job.pk).update(progress=value)

    try:
        if not may_coordinate(job.requested_by, job.organisation):
            raise PermissionError("the requester no longer coordinates this organisation")
        language = job.requested_by.preferred_language or settings.LANGUAGE_CODE
        with translation.override(language):
            result = reports.build(job.organisation, job.format, job.filters, progress=progress)
        job.file.save(
            f"{secrets.token_hex(16)}-{result.filename}", ContentFile(result.content), save=False
        )
    except Exception as error:
        logger.exception("Export %s failed", job.pk)
        job.status = ExportStatus.FAILED
        job.error = str(error)[:1000]
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
        return job
    job.status = ExportStatus.DONE
    job.progress = 100
    job.finished_at = timezone.now()
    job.save(update_fields=["file", "status", "progress", "finished_at"])
    record_audit(
        actor=job.requested_by,
        organisation=job.organisation,
        action=AuditAction.EXPORTED,
        detail={
            "format": job.format,
            "filters": job.filters,
            "rows": result.rows,
            "job": job.pk,
        },
        subjects=result.people,
    )
    return job


def export_download_name(job) -> str:
    """The file's name without the random part it is stored under."""
    name = job.file.name.rsplit("/", 1)[-1]
    return name.split("-", 1)[1] if "-" in name else name


def delete_old_exports(*, now: datetime.datetime | None = None) -> int:
    """Delete export jobs (and their files) finished more than EXPORT_KEEP_DAYS ago; the
    files hold personal data. For the hourly cron command."""
    from organisations.models import ExportJob

    cutoff = (now or timezone.now()) - datetime.timedelta(days=EXPORT_KEEP_DAYS)
    count = 0
    for job in ExportJob.objects.filter(finished_at__lt=cutoff):
        if job.file:
            job.file.delete(save=False)
        job.delete()
        count += 1
    return count
