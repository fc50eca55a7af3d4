"""Writes for organisations: the audit log, memberships, invitations, imports, exports and
reminders."""

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from cms.accounts.models import User

from . import reminders, selectors
from .models import AuditAction, AuditLogEntry, Organisation, ReminderLog

logger = logging.getLogger(__name__)


def record_audit(
    *,
    actor: User | None,
    organisation: Organisation | None,
    action: AuditAction,
    detail: dict | None = None,
) -> AuditLogEntry:
    """Who saw or changed what about an organisation's people. Every view of a people list
    and every export goes through here."""
    return AuditLogEntry.objects.create(
        actor=actor if actor and actor.is_authenticated else None,
        actor_email=actor.email if actor and actor.is_authenticated else "",
        organisation=organisation,
        action=action,
        detail=detail or {},
    )


# --- Reminders (see organisations/reminders.py for the periods) ---------------------------


@dataclass
class ReminderCounts:
    sent: int = 0
    failed: int = 0
    # Nothing new for the person, or sent already (earlier today, or by a parallel run).
    skipped: int = 0

    def add(self, outcome: bool | None) -> None:
        if outcome is True:
            self.sent += 1
        elif outcome is False:
            self.failed += 1
        else:
            self.skipped += 1


def _deliver(
    *, user: User, kind: str, keys: list[tuple[str, str]], template: str, context: dict, connection
) -> bool | None:
    """Insert the reminder's log rows first and send inside the same transaction. A parallel
    run inserting the same rows waits on the unique constraint until this one commits and
    then fails (so nothing is sent twice); a failing send rolls the rows back, so the next
    run tries again. True: sent; False: the send failed; None: sent already."""
    try:
        with transaction.atomic():
            ReminderLog.objects.bulk_create(
                [
                    ReminderLog(user=user, kind=kind, item=item, period=period)
                    for item, period in keys
                ]
            )
            with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
                subject = render_to_string(f"organisations/email/{template}_subject.txt", context)
                body = render_to_string(f"organisations/email/{template}_message.txt", context)
            subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split())
            EmailMessage(subject, body, to=[user.email], connection=connection).send()
    except IntegrityError:
        return None
    except Exception:
        logger.exception("Sending the %s reminder to user %s failed", kind, user.pk)
        return False
    return True


def _users(user_ids) -> list[User]:
    return list(
        User.objects.filter(pk__in=user_ids, is_active=True)
        .only("pk", "email", "full_name", "preferred_language")
        .order_by("pk")
    )


def send_learner_digests(
    *, today: datetime.date | None = None, gathered: reminders.ReminderInput | None = None
) -> ReminderCounts:
    """One email per person with the reminders of all their organisations that were not sent
    yet for their period (due, expiring, overdue: see organisations.reminders)."""
    today = today or timezone.localdate()
    gathered = gathered or reminders.reminder_input(today=today)
    counts = ReminderCounts()
    connection = get_connection()
    overdue = f":{reminders.Stage.OVERDUE}"
    interval_start = today - datetime.timedelta(days=reminders.OVERDUE_INTERVAL_DAYS)
    recent = timezone.make_aware(datetime.datetime.combine(interval_start, datetime.time()))
    user_ids = sorted(gathered.learner_items)
    for start in range(0, len(user_ids), 500):
        chunk = user_ids[start : start + 500]
        periods = {item.period for pk in chunk for item in gathered.learner_items[pk]}
        sent, recent_overdue = defaultdict(set), defaultdict(set)
        for user_id, item, period, sent_at in ReminderLog.objects.filter(
            Q(period__in=periods) | Q(sent_at__gte=recent, item__endswith=overdue),
            kind=reminders.LEARNER_DIGEST,
            user_id__in=chunk,
        ).values_list("user_id", "item", "period", "sent_at"):
            sent[user_id].add((item, period))
            if item.endswith(overdue) and timezone.localdate(sent_at) > interval_start:
                recent_overdue[user_id].add((item, period.partition("+")[0]))
        for user in _users(chunk):
            new = reminders.unsent(
                gathered.learner_items[user.pk],
                sent=sent[user.pk],
                recent_overdue=recent_overdue[user.pk],
            )
            if not new:
                continue
            counts.add(
                _deliver(
                    user=user,
                    kind=reminders.LEARNER_DIGEST,
                    keys=[item.key for item in new],
                    template="learner_digest",
                    context=reminders.learner_context(user, new),
                    connection=connection,
                )
            )
    return counts


def send_coordinator_summaries(
    *, today: datetime.date | None = None, gathered: reminders.ReminderInput | None = None
) -> ReminderCounts:
    """Once per ISO week, each coordinator gets the overdue people of the organisations they
    coordinate (only those with overdue people), one email for all of them."""
    today = today or timezone.localdate()
    gathered = gathered or reminders.reminder_input(today=today)
    week = reminders.iso_week(today)
    per_coordinator = defaultdict(list)
    for summary in gathered.summaries:
        if summary.overdue_count:
            for user_id in summary.coordinator_ids:
                per_coordinator[user_id].append(summary)
    sent = set(
        ReminderLog.objects.filter(
            kind=reminders.COORDINATOR_SUMMARY, period=week, user_id__in=list(per_coordinator)
        ).values_list("user_id", "item")
    )
    counts = ReminderCounts()
    connection = get_connection()
    for user in _users(list(per_coordinator)):
        new = [
            summary
            for summary in per_coordinator[user.pk]
            if (user.pk, f"organisation:{summary.organisation_id}") not in sent
        ]
        if not new:
            continue
        counts.add(
            _deliver(
                user=user,
                kind=reminders.COORDINATOR_SUMMARY,
                keys=[(f"organisation:{summary.organisation_id}", week) for summary in new],
                template="coordinator_summary",
                context=reminders.coordinator_context(user, new, today=today),
                connection=connection,
            )
        )
    return counts


def send_reminders(*, today: datetime.date | None = None) -> dict[str, ReminderCounts]:
    """The hourly run: learners' digests and coordinators' weekly summaries, from one read
    of every organisation's compliance. Safe to repeat and to overlap."""
    today = today or timezone.localdate()
    gathered = reminders.reminder_input(today=today)
    return {
        "learners": send_learner_digests(today=today, gathered=gathered),
        "coordinators": send_coordinator_summaries(today=today, gathered=gathered),
    }


def send_reminders_now(
    *, actor: User, organisation: Organisation, today: datetime.date | None = None
) -> ReminderCounts:
    """A coordinator reminds the overdue and due people of their organisation now: at most
    once a day per person and organisation, however often it is asked."""
    today = today or timezone.localdate()
    report = selectors.compliance(organisation, day=today)
    item, period = f"organisation:{organisation.pk}", today.isoformat()
    targets = {}
    for member in report.members:
        items = reminders.member_items(report, member, today=today)
        if reminders.member_stage(items) in (reminders.Stage.OVERDUE, reminders.Stage.DUE):
            targets[member.user_id] = items
    sent = set(
        ReminderLog.objects.filter(
            kind=reminders.COORDINATOR_REQUEST, item=item, period=period, user_id__in=list(targets)
        ).values_list("user_id", flat=True)
    )
    counts = ReminderCounts(skipped=len(sent))
    connection = get_connection()
    for user in _users([pk for pk in targets if pk not in sent]):
        counts.add(
            _deliver(
                user=user,
                kind=reminders.COORDINATOR_REQUEST,
                keys=[(item, period)],
                template="learner_digest",
                context=reminders.learner_context(
                    user, targets[user.pk], requested_by=organisation.name
                ),
                connection=connection,
            )
        )
    record_audit(
        actor=actor,
        organisation=organisation,
        action=AuditAction.SENT_REMINDER,
        detail={"sent": counts.sent, "failed": counts.failed, "skipped": counts.skipped},
    )
    return counts


# --- Compliance snapshots (the 12-month trend and the national overview) ------------------


def record_compliance_snapshot(*, organisation: Organisation, month: datetime.date):
    """Record (or record again) the organisation's compliance at the end of `month`, as
    selectors.compliance reconstructs it for that day."""
    from .models import ComplianceSnapshot

    first = selectors.month_start(month)
    report = selectors.compliance(organisation, day=selectors.month_end(first))
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
    from .models import ComplianceSnapshot

    this_month = selectors.month_start(today or timezone.localdate())
    months = [
        selectors.shift_month(this_month, -back) for back in range(1, selectors.TREND_MONTHS + 1)
    ]
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


# --- Exports of the people list and the board's summary -----------------------------------

# Export files are kept this long, then deleted (delete_old_exports).
EXPORT_KEEP_DAYS = 7


def exports_in_background(organisation: Organisation) -> bool:
    """Organisations larger than ORGANISATION_EXPORT_IMMEDIATE_LIMIT members get their
    exports built by a background task."""
    from .models import Membership

    members = Membership.objects.active().filter(organisation=organisation).count()
    return members > settings.ORGANISATION_EXPORT_IMMEDIATE_LIMIT


def export(*, organisation: Organisation, actor: User, fmt: str, filters: dict):
    """An export of the people list (csv, xlsx; with the people list's filters) or the
    board's summary (pdf): built now and returned as a reports.ExportFile for a small
    organisation, or queued as an ExportJob for a large one (the same job when the same
    person already waits for the same export). Every export is written to the audit log."""
    from . import reports
    from .models import ExportJob, ExportStatus

    if fmt not in reports.FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    filters = (
        selectors.PeopleFilters.from_query(
            filters,
            organisation=organisation,
            requirements=selectors.applicable_requirements(organisation),
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
        from .tasks import build_export_file

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
    )
    return result


def run_export_job(*, job_id: int):
    """Build a queued export into MEDIA_ROOT/exports/ (under a random name; it is downloaded
    only through the coordinator area), updating the job's progress. Run by the background
    task. A requester who no longer coordinates the organisation gets nothing."""
    import secrets

    from django.core.files.base import ContentFile

    from . import reports
    from .models import ExportJob, ExportStatus

    job = ExportJob.objects.select_related("organisation", "requested_by").get(pk=job_id)
    if job.status != ExportStatus.QUEUED:
        return job
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, progress=5)
    last = [5]

    def progress(fraction: float) -> None:
        value = 5 + int(90 * fraction)
        if value >= last[0] + 5:
            last[0] = value
            ExportJob.objects.filter(pk=job.pk).update(progress=value)

    try:
        if not selectors.may_coordinate(job.requested_by, job.organisation):
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
    )
    return job


def export_download_name(job) -> str:
    """The file's name without the random part it is stored under."""
    name = job.file.name.rsplit("/", 1)[-1]
    return name.split("-", 1)[1] if "-" in name else name


def delete_old_exports(*, now: datetime.datetime | None = None) -> int:
    """Delete export jobs (and their files) finished more than EXPORT_KEEP_DAYS ago; the
    files hold personal data. For the hourly cron command."""
    from .models import ExportJob

    cutoff = (now or timezone.now()) - datetime.timedelta(days=EXPORT_KEEP_DAYS)
    count = 0
    for job in ExportJob.objects.filter(finished_at__lt=cutoff):
        if job.file:
            job.file.delete(save=False)
        job.delete()
        count += 1
    return count
