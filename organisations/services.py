"""Writes for organisations: the audit log, memberships, invitations, imports, exports and
reminders."""

import datetime
import logging
from collections import defaultdict
from collections.abc import Collection, Iterable
from contextlib import contextmanager, suppress
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, Q, When
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from cms.accounts import selectors as accounts
from cms.accounts.models import User
from cms.services import forget_queued_email, send_or_queue_each

from . import imports, reminders, selectors
from .models import (
    AuditAction,
    AuditLogEntry,
    AuditSubject,
    Invitation,
    MemberRequirementStatus,
    Membership,
    Organisation,
    ReminderLog,
    Role,
    Team,
)

logger = logging.getLogger(__name__)


def record_audit(
    *,
    actor: User | None,
    organisation: Organisation | None,
    action: AuditAction,
    detail: dict | None = None,
    subjects: Iterable[int | None] = (),
) -> AuditLogEntry:
    """Who saw or changed what about an organisation's people. Every view of a people list
    or person, every export and every administrator's look at people's data goes through
    here; `subjects` are the ids of the people it was about (their data download lists
    it)."""
    entry = AuditLogEntry.objects.create(
        actor=actor if actor and actor.is_authenticated else None,
        actor_email=actor.email if actor and actor.is_authenticated else "",
        organisation=organisation,
        action=action,
        detail=detail or {},
    )
    AuditSubject.objects.bulk_create(
        (AuditSubject(entry=entry, user_id=pk) for pk in sorted({pk for pk in subjects if pk})),
        batch_size=2000,
    )
    return entry


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
        # A broken connection is opened again for the next email.
        with suppress(Exception):
            connection.close()
        return False
    return True


@contextmanager
def _mail_connection():
    """One connection to the mail server for a run's emails (SMTP would otherwise connect
    for each). When it cannot be opened now, each send tries again and fails on its own."""
    connection = get_connection()
    try:
        connection.open()
    except Exception:
        logger.exception("Could not connect to the mail server")
    try:
        yield connection
    finally:
        try:
            connection.close()
        except Exception:
            logger.exception("Could not close the mail server connection")


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
    with _mail_connection() as connection:
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
    with _mail_connection() as connection:
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
    reminded = []
    with _mail_connection() as connection:
        for user in _users([pk for pk in targets if pk not in sent]):
            outcome = _deliver(
                user=user,
                kind=reminders.COORDINATOR_REQUEST,
                keys=[(item, period)],
                template="learner_digest",
                context=reminders.learner_context(
                    user, targets[user.pk], requested_by=organisation.name
                ),
                connection=connection,
            )
            counts.add(outcome)
            if outcome:
                reminded.append(user.pk)
    record_audit(
        actor=actor,
        organisation=organisation,
        action=AuditAction.SENT_REMINDER,
        detail={"sent": counts.sent, "failed": counts.failed, "skipped": counts.skipped},
        subjects=reminded,
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


# --- Stored statuses (MemberStanding) for the dashboard's totals ---------------------------

# Above this many stale members a coordinator's request does not refresh them itself (the
# live computation answers, a background task refreshes): a first view of a very large
# organisation must not wait for tens of thousands of rows to be written.
REFRESH_INLINE_LIMIT = 2_000
_BATCH = 2_000


def standings_changed(
    *,
    user_ids: Iterable[int] = (),
    organisation_ids: Iterable[int] = (),
    module_id: int | None = None,
) -> None:
    """Mark stored statuses stale after something that may change them: a person's
    certificate, enrolment or membership (`user_ids`), an organisation's requirements or
    framework (`organisation_ids`), a module version that asks holders for an update
    (`module_id`). organisations.signals calls this on every save and delete of those
    rows; code that writes them with queryset.update() or bulk_create must call it too.

    A refresh reads `changes` before it reads the data and stores the value it read, so a
    change it did not see leaves the row stale rather than lost. Missing rows are created
    first for the same reason: a refresh creating them in parallel then either sees this
    change's data or gets its increment."""
    from .models import MemberStanding

    today = timezone.localdate()
    memberships = Membership.objects.none()
    if user_ids := list(user_ids):
        memberships = Membership.objects.filter(user_id__in=user_ids)
    if organisation_ids := list(organisation_ids):
        memberships = memberships | Membership.objects.filter(organisation_id__in=organisation_ids)
    if module_id is not None:
        memberships = memberships | Membership.objects.filter(
            requirement_statuses__requirement__module_id=module_id
        )
    memberships = memberships.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
    _create_standings(memberships)
    MemberStanding.objects.filter(membership__in=memberships.values("pk")).update(
        changes=F("changes") + 1
    )


def _create_standings(memberships) -> None:
    from .models import MemberStanding

    missing = memberships.filter(standing__isnull=True).order_by().values_list("pk", flat=True)
    missing = missing.distinct()
    MemberStanding.objects.bulk_create(
        (MemberStanding(membership_id=pk) for pk in missing.iterator()),
        batch_size=_BATCH,
        ignore_conflicts=True,
    )


@dataclass(frozen=True)
class StandingsRefresh:
    refreshed: int  # members whose statuses were computed and stored
    pending: int  # stale members left for the background task (above the limit)


def refresh_standings(
    organisation: Organisation, *, limit: int | None = None, defer: bool = True
) -> StandingsRefresh:
    """Make today's stored statuses of the organisation's active members fresh: compute the
    stale ones with selectors.compliance (the rule) and store them. With `limit`, more stale
    members than that are left alone and, with `defer`, a background task refreshes them
    (organisations.tasks.refresh_organisation_standings); meanwhile the dashboard computes
    live. Safe in parallel with itself and with the changes that make rows stale."""
    from .models import MemberStanding

    day = timezone.localdate()
    fresh = Case(When(selectors.fresh_standing(day, "standing__"), then=True), default=False)
    # One query finds the active members whose row is missing or stale.
    found = list(
        Membership.objects.active(on=day)
        .filter(organisation=organisation)
        .annotate(fresh=fresh)
        .filter(fresh=False)
        .order_by()
        .values_list("pk", "user_id", "standing__membership_id")
    )
    if not found:
        return StandingsRefresh(refreshed=0, pending=0)
    if limit is not None and len(found) > limit:
        if defer:
            from .tasks import refresh_organisation_standings

            refresh_organisation_standings.enqueue(organisation.pk)
        return StandingsRefresh(refreshed=0, pending=len(found))
    missing = [pk for pk, _user_id, standing in found if standing is None]
    for start in range(0, len(missing), _BATCH):
        MemberStanding.objects.bulk_create(
            [MemberStanding(membership_id=pk) for pk in missing[start : start + _BATCH]],
            ignore_conflicts=True,
        )
    ids = [pk for pk, _user_id, _standing in found]
    with transaction.atomic():
        # `changes` is read before the data (see standings_changed); the lock keeps a
        # parallel refresh from computing and writing the same rows, and a refresh that
        # waited for it skips the rows that one made fresh.
        locked = {}
        for start in range(0, len(ids), _BATCH):
            locked.update(
                MemberStanding.objects.filter(membership_id__in=ids[start : start + _BATCH])
                .annotate(fresh=Case(When(selectors.fresh_standing(day), then=True), default=False))
                .filter(fresh=False)
                .select_for_update(of=("self",))
                .values_list("membership_id", "changes")
            )
        if not locked:
            return StandingsRefresh(refreshed=0, pending=0)
        user_ids = None
        if len(locked) <= _BATCH:
            user_ids = [user_id for pk, user_id, _standing in found if pk in locked]
        report = selectors.compliance(organisation, day=day, user_ids=user_ids)
        standings, statuses = [], []
        for member in report.members:
            if member.membership_id not in locked:
                continue
            changes_on = [s.changes_on for s in member.statuses.values() if s.changes_on]
            standings.append(
                MemberStanding(
                    membership_id=member.membership_id,
                    computed_changes=locked[member.membership_id],
                    computed_on=day,
                    valid_until=min(changes_on, default=None),
                    meets_mandatory=member.meets_mandatory,
                    worst_status=member.worst_status or "",
                )
            )
            statuses.extend(
                MemberRequirementStatus(
                    membership_id=member.membership_id,
                    organisation_id=organisation.pk,
                    requirement_id=pk,
                    status=status.status,
                )
                for pk, status in member.statuses.items()
            )
        ids = list(locked)
        for start in range(0, len(ids), _BATCH):
            MemberRequirementStatus.objects.filter(
                membership_id__in=ids[start : start + _BATCH]
            ).delete()
        MemberRequirementStatus.objects.bulk_create(statuses, batch_size=_BATCH)
        _store_standings(standings, day=day)
    if len(statuses) > 10 * _BATCH and connection.vendor == "postgresql":
        # Fresh statistics after a large write, or the planner sorts the dashboard's count
        # on disk instead of hashing it until autovacuum gets round to it.
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE organisations_memberstanding, organisations_memberrequirementstatus"
            )
    return StandingsRefresh(refreshed=len(standings), pending=0)


def _store_standings(standings: list, *, day: datetime.date) -> None:
    """Write the computed standings (never `changes`, see standings_changed). bulk_update
    spends seconds per thousand rows building CASE expressions; PostgreSQL takes them as
    arrays in one statement per batch, other databases (the SQLite demo) one update per
    distinct result."""
    from .models import MemberStanding

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for start in range(0, len(standings), _BATCH):
                batch = standings[start : start + _BATCH]
                cursor.execute(
                    """UPDATE organisations_memberstanding AS s
                        SET computed_changes = v.computed_changes,
                        computed_on = %s, valid_until = v.valid_until,
                        meets_mandatory = v.meets, worst_status = v.worst
                    FROM unnest(%s::integer[], %s::integer[], %s::date[], %s::boolean[],
                        %s::varchar[]) AS v(id, computed_changes, valid_until, meets, worst)
                    WHERE s.membership_id = v.id""",
                    [
                        day,
                        [s.membership_id for s in batch],
                        [s.computed_changes for s in batch],
                        [s.valid_until for s in batch],
                        [s.meets_mandatory for s in batch],
                        [s.worst_status for s in batch],
                    ],
                )
        return
    groups = defaultdict(list)
    for s in standings:
        groups[(s.computed_changes, s.valid_until, s.meets_mandatory, s.worst_status)].append(
            s.membership_id
        )
    for (computed_changes, valid_until, meets, worst), ids in groups.items():
        MemberStanding.objects.filter(membership_id__in=ids).update(
            computed_changes=computed_changes,
            computed_on=day,
            valid_until=valid_until,
            meets_mandatory=meets,
            worst_status=worst,
        )


def refresh_all_standings() -> int:
    """Refresh every organisation's stored statuses (the hourly cron): coordinators then
    rarely wait for it. Returns the number of members refreshed."""
    return sum(
        refresh_standings(organisation).refreshed for organisation in Organisation.objects.all()
    )


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
        subjects=result.people,
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
    from .models import ExportJob

    cutoff = (now or timezone.now()) - datetime.timedelta(days=EXPORT_KEEP_DAYS)
    count = 0
    for job in ExportJob.objects.filter(finished_at__lt=cutoff):
        if job.file:
            job.file.delete(save=False)
        job.delete()
        count += 1
    return count


# --- Members: invitations, import, teams, changes (organisations/membership_views.py) -----

INVITATION_VALID_DAYS = 14


class MembershipError(ValueError):
    """A change that is not allowed; the message is for the coordinator (translated)."""


class InvitationLimitReached(MembershipError):
    """The organisation would send more invitations today than it may
    (INVITATIONS_PER_ORGANISATION_PER_DAY); the message says how many are left."""


def _check_invitation_limit(organisation: Organisation, count: int, *, single: bool) -> None:
    """Refuse `count` more invitations today beyond the organisation's daily limit. Called
    with the organisation locked (_lock), so two requests cannot both take the last ones."""
    left = selectors.invitations_left_today(organisation)
    if count <= left:
        return
    limit = settings.INVITATIONS_PER_ORGANISATION_PER_DAY
    if single:
        message = ngettext(
            "Your organisation can send %(limit)s invitation a day; there are %(left)s left "
            "today. Try again tomorrow.",
            "Your organisation can send %(limit)s invitations a day; there are %(left)s left "
            "today. Try again tomorrow.",
            limit,
        )
    else:
        message = ngettext(
            "This import would send %(count)s invitation, but your organisation can send "
            "%(limit)s a day and has %(left)s left today. Import fewer rows, or the rest "
            "tomorrow.",
            "This import would send %(count)s invitations, but your organisation can send "
            "%(limit)s a day and has %(left)s left today. Import fewer rows, or the rest "
            "tomorrow.",
            count,
        )
    raise InvitationLimitReached(message % {"count": count, "limit": limit, "left": left})


class InvitationError(ValueError):
    """An invitation that cannot be accepted: `reason` is "used", "expired",
    "wrong_account" or "unverified" (the account has the address but has not verified it)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class ImportRejected(ValueError):
    """The import file has problems; nothing was imported."""

    def __init__(self, problems: list[imports.Problem]):
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


@dataclass
class ImportResult:
    updated: int = 0
    unchanged: int = 0
    invited: int = 0
    teams_created: int = 0


def _lock(organisation: Organisation) -> Organisation:
    """Membership changes of one organisation go one at a time, so two coordinators cannot
    both step down at once and leave nobody in charge."""
    return Organisation.objects.select_for_update().get(pk=organisation.pk)


def _has_other_coordinator(organisation: Organisation, *, besides: Membership) -> bool:
    return (
        Membership.objects.active()
        .filter(organisation=organisation, is_coordinator=True)
        .exclude(pk=besides.pk)
        .exists()
    )


def _check_coordinator_left(*, membership: Membership, actor: User) -> None:
    """Whoever steps down or is removed, the organisation keeps a coordinator (platform
    administrators may leave it without one: they can appoint one in the admin)."""
    if actor.is_superuser or not membership.is_coordinator:
        return
    if not _has_other_coordinator(membership.organisation, besides=membership):
        raise MembershipError(
            gettext(
                "This is the organisation's last coordinator. Make someone else coordinator first."
            )
        )


def _team_of(organisation: Organisation, team: Team | None) -> Team | None:
    if team is not None and team.organisation_id != organisation.pk:
        raise ValueError("The team belongs to another organisation.")
    return team


def _open_membership(*, user: User | int, organisation: Organisation) -> Membership | None:
    """The person's (a User or its id) current membership: open, or ending in the future."""
    today = timezone.localdate()
    return (
        Membership.objects.filter(user=user, organisation=organisation)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today))
        .order_by("-started_on")
        .first()
    )


def _prepare_invitation(
    *,
    organisation: Organisation,
    email: str,
    role: Role,
    invited_by: User | None,
    full_name: str = "",
    team: Team | None = None,
    is_coordinator: bool = False,
) -> tuple[Invitation, bool]:
    """Create the invitation, or refresh the open one for this address (new details, and
    valid for another INVITATION_VALID_DAYS). Returns it and whether it was refreshed."""
    now = timezone.now()
    existing = (
        Invitation.objects.select_for_update()
        .filter(organisation=organisation, email=email, accepted_at__isnull=True)
        .first()
    )
    invitation = existing or Invitation(organisation=organisation, email=email)
    invitation.full_name = full_name or invitation.full_name
    invitation.team = team
    invitation.role = role
    invitation.is_coordinator = is_coordinator
    invitation.invited_by = invited_by
    invitation.expires_at = now + datetime.timedelta(days=INVITATION_VALID_DAYS)
    invitation.full_clean(exclude=["token", "invited_by"])
    invitation.save()
    return invitation, existing is not None


def invitation_url(invitation: Invitation, *, base_url: str | None = None) -> str:
    base = (base_url or settings.WAGTAILADMIN_BASE_URL).rstrip("/")
    return base + reverse("organisations:accept_invitation", args=[invitation.token])


def _invitation_message(invitation: Invitation, *, base_url: str | None):
    """The invitation email, in Dutch unless the invited person is known to prefer English.
    Known: the person who verified the address; an account that only signed up with it may
    be anyone's, and must not choose the greeting or the language."""
    owner = accounts.owners_of_addresses([invitation.email]).get(invitation.email.lower())
    known = User.objects.filter(pk=owner).first() if owner else None
    language = known.preferred_language if known else settings.LANGUAGE_CODE
    context = {
        "invitation": invitation,
        "organisation": invitation.organisation,
        "inviter": invitation.invited_by,
        "url": invitation_url(invitation, base_url=base_url),
        "name": known.full_name if known else invitation.full_name,
    }
    with translation.override(language):
        subject = render_to_string("organisations/email/invitation_subject.txt", context)
        text = render_to_string("organisations/email/invitation_message.txt", context)
        html = render_to_string("organisations/email/invitation_message.html", context)
    message = EmailMultiAlternatives(
        settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split()),
        text,
        to=[invitation.email],
    )
    message.attach_alternative(html, "text/html")
    return message


def invitation_email_key(invitation: Invitation) -> str:
    """The queue key of an invitation's email: inviting again replaces a queued one."""
    return f"invitation:{invitation.pk}"


def send_invitation_emails(invitations: list[Invitation], *, base_url: str | None = None) -> int:
    """Send the invitations over one connection; returns how many were sent now. One the
    mail server does not take is queued and sent again later (`cms.services.send_queued_
    emails`); inviting the address again replaces a queued invitation, never adds one."""
    if not invitations:
        return 0
    return send_or_queue_each(
        [
            (
                _invitation_message(invitation, base_url=base_url),
                invitation_email_key(invitation),
            )
            for invitation in invitations
        ],
        kind="organisations/invitation",
    )


@transaction.atomic
def invite(
    *,
    organisation: Organisation,
    email: str,
    role: Role,
    invited_by: User,
    full_name: str = "",
    team: Team | None = None,
    is_coordinator: bool = False,
    base_url: str | None = None,
) -> Invitation:
    """Invite an address to join the organisation with this team and role, and email the
    link (after the transaction commits). Inviting an address with an open invitation
    refreshes that invitation. A current member cannot be invited (change their membership
    instead)."""
    email = User.objects.normalize_email(email).strip().lower()
    organisation = _lock(organisation)
    team = _team_of(organisation, team)
    owner = accounts.owners_of_addresses([email]).get(email)
    if owner and _open_membership(user=owner, organisation=organisation):
        raise MembershipError(
            gettext(
                "%(email)s is already a member of this organisation. Change their team or "
                "role on their page."
            )
            % {"email": email}
        )
    _check_invitation_limit(organisation, 1, single=True)
    invitation, refreshed = _prepare_invitation(
        organisation=organisation,
        email=email,
        role=role,
        invited_by=invited_by,
        full_name=" ".join(full_name.split()),
        team=team,
        is_coordinator=is_coordinator,
    )
    record_audit(
        actor=invited_by,
        organisation=organisation,
        action=AuditAction.INVITED,
        detail={"invitation": invitation.pk, "email": email, "refreshed": refreshed},
    )
    transaction.on_commit(lambda: send_invitation_emails([invitation], base_url=base_url))
    return invitation


@transaction.atomic
def withdraw_invitation(*, invitation: Invitation, actor: User) -> None:
    """Withdraw an invitation that has not been accepted: it is deleted, so its link no
    longer works; the audit log keeps who withdrew which address."""
    organisation = _lock(invitation.organisation)
    invitation = Invitation.objects.select_for_update().filter(pk=invitation.pk).first()
    if invitation is None:
        raise MembershipError(gettext("This invitation has already been withdrawn."))
    if invitation.accepted_at is not None:
        raise MembershipError(
            gettext("This invitation has already been accepted. End the membership instead.")
        )
    record_audit(
        actor=actor,
        organisation=organisation,
        action=AuditAction.WITHDREW_INVITATION,
        detail={"invitation": invitation.pk, "email": invitation.email},
    )
    forget_queued_email(key=invitation_email_key(invitation))
    invitation.delete()


def open_invitation(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("organisation", "team", "role", "invited_by")
        .filter(token=token)
        .first()
    )


def invitation_problem(invitation: Invitation, *, user: User | None) -> str | None:
    """Why this person cannot accept the invitation now ("used", "expired",
    "wrong_account", "unverified"), or None. Only a verified address is the person's own:
    anyone can sign up with an address they cannot read."""
    if invitation.accepted_at is not None:
        return "used"
    if invitation.expires_at <= timezone.now():
        return "expired"
    if user is not None and user.is_authenticated:
        from allauth.account.models import EmailAddress

        address = invitation.email.lower()
        if address not in accounts.verified_addresses(user):
            claimed = user.email.lower() == address or (
                EmailAddress.objects.filter(user=user, email__iexact=address).exists()
            )
            return "unverified" if claimed else "wrong_account"
    return None


@transaction.atomic
def accept_invitation(*, invitation: Invitation, user: User) -> Membership:
    """The invited person joins: a new membership from the invitation's start date (an
    import's 'startdatum') or today, or their current membership
    in the organisation takes the invitation's team and role (coordinator rights are only
    ever added). A used or expired invitation, or another account than the invited
    address, changes nothing (InvitationError)."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    problem = invitation_problem(invitation, user=user)
    if problem:
        raise InvitationError(problem)
    organisation = _lock(invitation.organisation)
    membership = _open_membership(user=user, organisation=organisation)
    if membership is None:
        membership = Membership(
            user=user,
            organisation=organisation,
            started_on=invitation.started_on or timezone.localdate(),
        )
    membership.team = invitation.team
    membership.role = invitation.role
    membership.is_coordinator = membership.is_coordinator or invitation.is_coordinator
    membership.ended_on = None
    membership.full_clean(validate_constraints=False)
    membership.save()
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    record_audit(
        actor=user,
        organisation=organisation,
        action=AuditAction.ACCEPTED_INVITATION,
        detail={
            "invitation": invitation.pk,
            "membership": membership.pk,
            "team": membership.team.name if membership.team else None,
            "role": membership.role.name,
            "coordinator": membership.is_coordinator,
        },
    )
    return membership


@transaction.atomic
def change_membership(
    *,
    membership: Membership,
    actor: User,
    team: Team | None,
    role: Role,
    is_coordinator: bool,
) -> Membership:
    """Change a current member's team, role or coordinator rights (audited). Ended
    memberships stay as they were; the last coordinator cannot step down."""
    organisation = _lock(membership.organisation)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.ended_on is not None and membership.ended_on <= timezone.localdate():
        raise MembershipError(gettext("This membership has ended and can no longer change."))
    team = _team_of(organisation, team)
    if membership.is_coordinator and not is_coordinator:
        _check_coordinator_left(membership=membership, actor=actor)
    changes = {}
    for name, old, new in (
        ("team", membership.team, team),
        ("role", membership.role, role),
        ("is_coordinator", membership.is_coordinator, is_coordinator),
    ):
        if old != new:
            changes[name] = [str(old) if old is not None else None, str(new) if new else new]
    if not changes:
        return membership
    membership.team, membership.role, membership.is_coordinator = team, role, is_coordinator
    membership.save(update_fields=["team", "role", "is_coordinator"])
    record_audit(
        actor=actor,
        organisation=organisation,
        action=AuditAction.CHANGED_MEMBERSHIP,
        detail={"membership": membership.pk, "user": membership.user_id, "changes": changes},
        subjects=[membership.user_id],
    )
    return membership


@transaction.atomic
def end_membership(*, membership: Membership, actor: User) -> Membership:
    """End a membership today. The row stays (with its history); the person no longer
    counts for the organisation from today on."""
    organisation = _lock(membership.organisation)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    today = timezone.localdate()
    if membership.ended_on is not None and membership.ended_on <= today:
        raise MembershipError(gettext("This membership has already ended."))
    _check_coordinator_left(membership=membership, actor=actor)
    # A membership that has not started yet ends on its first day (and never counts).
    membership.ended_on = max(today, membership.started_on)
    membership.save(update_fields=["ended_on"])
    record_audit(
        actor=actor,
        organisation=organisation,
        action=AuditAction.ENDED_MEMBERSHIP,
        detail={"membership": membership.pk, "user": membership.user_id},
        subjects=[membership.user_id],
    )
    return membership


def _check_team_name(organisation: Organisation, name: str, *, besides: Team | None = None):
    name = " ".join(name.split())
    if not name:
        raise MembershipError(gettext("A team needs a name."))
    if len(name) > Team._meta.get_field("name").max_length:
        raise MembershipError(gettext("This name is too long."))
    clash = Team.objects.filter(organisation=organisation, name__iexact=name)
    if besides is not None:
        clash = clash.exclude(pk=besides.pk)
    if clash.exists():
        raise MembershipError(gettext("There is already a team called %(name)s.") % {"name": name})
    return name


@transaction.atomic
def create_team(*, organisation: Organisation, name: str) -> Team:
    organisation = _lock(organisation)
    return Team.objects.create(organisation=organisation, name=_check_team_name(organisation, name))


@transaction.atomic
def rename_team(*, team: Team, name: str) -> Team:
    organisation = _lock(team.organisation)
    team.name = _check_team_name(organisation, name, besides=team)
    team.save(update_fields=["name"])
    return team


@transaction.atomic
def delete_team(*, team: Team) -> None:
    """Delete a team nobody is (or will be) a member of. Ended memberships keep their
    history without the team; open invitations for it become invitations without a team."""
    _lock(team.organisation)
    today = timezone.localdate()
    current = Membership.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=today), team=team
    ).count()
    if current:
        raise MembershipError(
            ngettext(
                "Team %(name)s still has %(count)d member. Move them to another team first.",
                "Team %(name)s still has %(count)d members. Move them to another team first.",
                current,
            )
            % {"name": team.name, "count": current}
        )
    team.delete()


def import_members(
    *,
    organisation: Organisation,
    actor: User,
    rows: list[imports.ImportRow],
    create_teams: bool = False,
    base_url: str | None = None,
) -> ImportResult:
    """Import checked rows (organisations.imports.parse_upload) all or nothing: a current
    member of the organisation (by a verified address) has their membership take the row's
    team, role, coordinator rights and start date (an empty cell leaves that unchanged);
    every other address gets an invitation by email, whether or not it has an account.
    Nobody becomes a member without accepting, and nothing in the result tells the
    coordinator which addresses have an account. Any problem (unknown role, unknown team
    unless `create_teams`, more invitations than the organisation may still send today,
    the last coordinator stepping down) raises ImportRejected listing every problem, and
    nothing is written."""
    with transaction.atomic():
        organisation = _lock(organisation)
        roles = list(Role.objects.all())
        teams = list(Team.objects.filter(organisation=organisation))
        problems = imports.check_against_organisation(
            rows, roles=roles, teams=teams, create_teams=create_teams
        )
        if problems:
            raise ImportRejected(problems)
        result = ImportResult()
        for name in dict.fromkeys(row.team for row in rows if row.team):
            if imports.find_team(teams, name) is None:
                teams.append(Team.objects.create(organisation=organisation, name=name))
                result.teams_created += 1
        owners = accounts.owners_of_addresses(row.email for row in rows)
        current = {
            membership.user_id: membership
            for membership in Membership.objects.filter(
                organisation=organisation, user_id__in=set(owners.values())
            )
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=timezone.localdate()))
            .select_related("team", "role")
        }
        open_invitations = {
            invitation.email: invitation
            for invitation in Invitation.objects.select_for_update().filter(
                organisation=organisation,
                accepted_at__isnull=True,
                email__in=[row.email for row in rows],
            )
        }
        expires_at = timezone.now() + datetime.timedelta(days=INVITATION_VALID_DAYS)
        new_invitations, refreshed, updated_members = [], [], []
        for row in rows:
            role = imports.find_role(roles, row.role)
            team = imports.find_team(teams, row.team) if row.team else None
            membership = current.get(owners.get(row.email))
            if membership is None:
                # Known or not, the same invitation: the person decides whether to join.
                invitation = open_invitations.get(row.email) or Invitation(
                    organisation=organisation, email=row.email
                )
                invitation.full_name = row.full_name or invitation.full_name
                invitation.team, invitation.role = team, role
                invitation.is_coordinator = bool(row.is_coordinator)
                invitation.started_on = row.started_on or invitation.started_on
                invitation.invited_by, invitation.expires_at = actor, expires_at
                (refreshed if invitation.pk else new_invitations).append(invitation)
                continue
            new = {
                "team": team if row.team else membership.team,
                "role": role,
                "is_coordinator": membership.is_coordinator
                if row.is_coordinator is None
                else row.is_coordinator,
                "started_on": row.started_on or membership.started_on,
            }
            if all(getattr(membership, key) == value for key, value in new.items()):
                result.unchanged += 1
                continue
            if membership.ended_on and new["started_on"] > membership.ended_on:
                raise ImportRejected(
                    [
                        imports.Problem(
                            row.line, gettext("The start date is after the membership's end.")
                        )
                    ]
                )
            for key, value in new.items():
                setattr(membership, key, value)
            membership.save(update_fields=list(new))
            updated_members.append(membership.user_id)
            result.updated += 1
        try:
            _check_invitation_limit(
                organisation, len(new_invitations) + len(refreshed), single=False
            )
        except InvitationLimitReached as error:
            raise ImportRejected([imports.Problem(None, str(error))]) from None
        Invitation.objects.bulk_create(new_invitations, batch_size=1000)
        Invitation.objects.bulk_update(
            refreshed,
            [
                "full_name",
                "team",
                "role",
                "is_coordinator",
                "started_on",
                "invited_by",
                "expires_at",
            ],
            batch_size=1000,
        )
        invitations = new_invitations + refreshed
        result.invited = len(invitations)
        if (
            not actor.is_superuser
            and not Membership.objects.active()
            .filter(organisation=organisation, is_coordinator=True)
            .exists()
        ):
            raise ImportRejected(
                [
                    imports.Problem(
                        None,
                        gettext(
                            "After this import the organisation would have no coordinator. "
                            "Keep at least one person as coordinator ('ja')."
                        ),
                    )
                ]
            )
        # Each invited address, as a single invitation records it (deleting the person's
        # account blanks the address, see cms.accounts.services.delete_account).
        refreshed_ids = {invitation.pk for invitation in refreshed}
        AuditLogEntry.objects.bulk_create(
            [
                AuditLogEntry(
                    actor=actor,
                    actor_email=actor.email,
                    organisation=organisation,
                    action=AuditAction.INVITED,
                    detail={
                        "invitation": invitation.pk,
                        "email": invitation.email,
                        "refreshed": invitation.pk in refreshed_ids,
                        "import": True,
                    },
                )
                for invitation in invitations
            ],
            batch_size=1000,
        )
        record_audit(
            actor=actor,
            organisation=organisation,
            action=AuditAction.IMPORTED,
            detail={
                "rows": len(rows),
                "updated": result.updated,
                "unchanged": result.unchanged,
                "invited": result.invited,
                "teams_created": result.teams_created,
            },
            subjects=updated_members,
        )
        transaction.on_commit(lambda: send_invitation_emails(invitations, base_url=base_url))
    return result


# --- A deleted account's traces (called by cms.accounts.services.delete_account) ---------


def delete_exports_naming(*, user: User, terms: Collection[str]) -> int:
    """Delete the export files that may hold the person: the finished people lists of an
    organisation made while they were a member of it, and any export (also one still
    queued) searched for their name or address. Other queued jobs are built after the
    membership ended, so without them; a running job is left (deleting its row under it
    would fail the build). Files go after the caller's transaction commits, so a rollback
    keeps them. Returns how many jobs were deleted."""
    from . import reports
    from .models import ExportJob, ExportStatus

    def aware(day: datetime.date) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))

    while_member = Q(pk__in=[])
    for membership in Membership.objects.filter(user=user):
        window = Q(organisation_id=membership.organisation_id) & Q(
            created_at__gte=aware(membership.started_on)
        )
        if membership.ended_on is not None:
            window &= Q(created_at__lt=aware(membership.ended_on + datetime.timedelta(days=1)))
        while_member |= window
    finished = ExportJob.objects.exclude(status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING])
    jobs = list(finished.filter(while_member, format__in=reports.PEOPLE_FORMATS))
    seen = {job.pk for job in jobs}
    searched = (
        ExportJob.objects.exclude(status=ExportStatus.RUNNING)
        .exclude(pk__in=seen)
        .filter(filters__q__isnull=False)
        .exclude(filters__q="")
    )
    jobs += [job for job in searched if selectors.names_person(job.filters.get("q", ""), terms)]
    for job in jobs:
        if job.file:
            name, storage = job.file.name, job.file.storage
            transaction.on_commit(lambda n=name, s=storage: s.delete(n))
    ExportJob.objects.filter(pk__in=[job.pk for job in jobs]).delete()
    return len(jobs)


def blank_search_terms(*, terms: Collection[str]) -> int:
    """Blank the typed search terms in the audit log (the people list's and the admin's
    `filters.q`, kept with each view and export) that name the person. The entry stays:
    who looked, when, and how many results. Returns how many entries were changed."""
    changed = []
    searched = (
        AuditLogEntry.objects.filter(detail__filters__q__isnull=False)
        .exclude(detail__filters__q="")
        .only("pk", "detail")
    )
    for entry in searched.iterator(chunk_size=2000):
        filters = entry.detail.get("filters")
        if isinstance(filters, dict) and selectors.names_person(filters.get("q", ""), terms):
            filters["q"] = ""
            changed.append(entry)
    AuditLogEntry.objects.bulk_update(changed, ["detail"], batch_size=1000)
    return len(changed)


# --- Retention ----------------------------------------------------------------------------


def purge_audit_log(*, now: datetime.datetime | None = None, days: int | None = None) -> int:
    """Delete audit log entries older than AUDIT_LOG_RETENTION_DAYS (or `days`); returns
    how many. Safe to run at any time and more than once (manage.py purge_audit_log)."""
    from django.conf import settings

    from .models import AuditLogEntry

    keep_days = settings.AUDIT_LOG_RETENTION_DAYS if days is None else days
    if keep_days < 1:
        raise ValueError("The audit log retention period must be at least one day.")
    cutoff = (now or timezone.now()) - datetime.timedelta(days=keep_days)
    deleted, _by_model = AuditLogEntry.objects.filter(at__lt=cutoff).delete()
    return deleted
