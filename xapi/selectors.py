"""Reads: what an organisation's outbox looks like (the admin's status line), the export
of a period, and what a learner is told and given about their learning records."""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from organisations.api import member_organisation_ids

from .models import ActorIdentification, LrsConfig, Statement


@dataclass(frozen=True)
class OutboxStatus:
    waiting: int
    rejected: int
    delivered: int
    last_delivered_at: datetime | None
    next_attempt_at: datetime | None
    last_error: str


def records_kept_for(organisation) -> bool:
    """Whether Signaal keeps learning records for the organisation (an enabled connection,
    with or without an LRS): then its coordinators can export them."""
    return LrsConfig.objects.filter(organisation=organisation, enabled=True).exists()


def outbox_status(organisation_id: int) -> OutboxStatus:
    rows = Statement.objects.filter(organisation_id=organisation_id)
    pending = Q(delivered_at__isnull=True, rejected_at__isnull=True)
    counts = rows.aggregate(
        waiting=Count("pk", filter=pending),
        rejected=Count("pk", filter=Q(rejected_at__isnull=False)),
        delivered=Count("pk", filter=Q(delivered_at__isnull=False)),
        last_delivered_at=Max("delivered_at"),
    )
    oldest_waiting = rows.filter(pending).order_by("next_attempt_at").first()
    return OutboxStatus(
        **counts,
        next_attempt_at=oldest_waiting.next_attempt_at if oldest_waiting else None,
        last_error=oldest_waiting.last_error if oldest_waiting else "",
    )


def status_line(config: LrsConfig) -> str:
    """One line for the admin listing."""
    if not config.enabled:
        return _("Off")
    status = outbox_status(config.organisation_id)
    if not config.endpoint:
        return _("Export only: %(count)s statements kept") % {"count": status.waiting}
    parts = [
        _("%(delivered)s delivered, %(waiting)s waiting, %(rejected)s rejected")
        % {
            "delivered": status.delivered,
            "waiting": status.waiting,
            "rejected": status.rejected,
        }
    ]
    if status.last_delivered_at:
        parts.append(
            _("last delivery %(at)s")
            % {"at": timezone.localtime(status.last_delivered_at).strftime("%d-%m-%Y %H:%M")}
        )
    if status.waiting and status.last_error:
        parts.append(_("last error: %(error)s") % {"error": status.last_error})
    return "; ".join(parts)


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """From the start of `start` to the end of `end` (inclusive), local time."""
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def export_rows(organisation_id: int, start: date, end: date):
    since, until = period_bounds(start, end)
    return Statement.objects.filter(
        organisation_id=organisation_id, timestamp__gte=since, timestamp__lt=until
    ).order_by("timestamp", "pk")


def export_lines(rows) -> Iterator[str]:
    """JSON lines: one statement per line, as the LRS would have received it."""
    for payload in rows.values_list("payload", flat=True).iterator(chunk_size=500):
        yield json.dumps(payload, ensure_ascii=False, sort_keys=True) + "\n"


def personal_data(user) -> dict:
    """The statements kept about the person, per organisation (their data download)."""
    rows = Statement.objects.filter(user=user).select_related("organisation")
    return {
        "statements": [
            {
                "organisation": row.organisation.name,
                "verb": row.verb,
                "timestamp": row.timestamp,
                "delivered_at": row.delivered_at,
                "statement": row.payload,
            }
            for row in rows
        ]
    }


def receiving_organisations(user) -> list[LrsConfig]:
    ids = member_organisation_ids(user)
    return list(
        LrsConfig.objects.filter(organisation_id__in=ids, enabled=True)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def sharing_notice(user) -> str:
    """HTML for 'Mijn gegevens': which organisation receives which learning records, and
    how it knows it is you. Empty when none of the person's organisations receives any."""
    configs = receiving_organisations(user)
    if not configs:
        return ""
    identified = {
        ActorIdentification.MBOX: _("your email address"),
        ActorIdentification.ACCOUNT: _("your email address, as your account at the organisation"),
        ActorIdentification.PSEUDONYM: _("a code that only this organisation gets for you"),
    }
    items = format_html_join(
        "",
        '<li class="utrecht-unordered-list__item">{}</li>',
        (
            (
                (
                    _("%(organisation)s, in its learning record system; it knows you by %(by)s.")
                    if config.endpoint
                    else _(
                        "%(organisation)s, as a download for its coordinators; it knows you "
                        "by %(by)s."
                    )
                )
                % {"organisation": config.organisation.name, "by": identified[config.actor]},
            )
            for config in configs
        ),
    )
    return format_html(
        '<p class="utrecht-paragraph">{}</p><ul class="utrecht-unordered-list">{}</ul>'
        '<p class="utrecht-paragraph">{}</p>',
        _(
            "These organisations you are a member of receive a record of your learning in "
            "Signaal (xAPI statements): when you start a scenario quiz, each answer (which "
            "choices you made, which signals you recognised or missed, the points), whether "
            "you passed, and when you complete a module."
        ),
        items,
        _("Your reflection answers and your name are never sent."),
    )
