"""Sending the outbox to an organisation's LRS: POST {endpoint}/statements with a JSON
array, in batches, oldest first. Rows are locked (SKIP LOCKED) while they are sent, so
overlapping runs never send one twice; an LRS that knows an id answers 409 (or 204 to a
PUT), which counts as delivered, so a resend after a lost answer is harmless too.

A batch the LRS refuses as a whole (409 for one known id, 400 for one bad statement) is
sent again one statement at a time. Unreachable, 5xx, 401/403 and 429: the batch waits
(1, 5, 15, 30 minutes, then hourly) and the run stops for that organisation."""

import base64
import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .models import LrsConfig, Statement

logger = logging.getLogger(__name__)

BATCH_SIZE = 50
TIMEOUT_SECONDS = 10
WAITS_MINUTES = (1, 5, 15, 30)
# The LRS is down or says so: try the whole batch later.
RETRY_LATER = {401, 403, 408, 429}


class LrsUnavailable(Exception):
    """No answer, or one that means 'not now'."""


@dataclass
class Outcome:
    delivered: int = 0
    rejected: int = 0
    waiting: int = 0
    error: str = ""


def wait_after(attempts: int) -> timedelta:
    index = attempts - 1
    return timedelta(minutes=WAITS_MINUTES[index] if index < len(WAITS_MINUTES) else 60)


def post(config: LrsConfig, statements: list[dict]) -> int:
    """POST the statements; the HTTP status. Raises LrsUnavailable when it should wait."""
    url = config.endpoint.rstrip("/") + "/statements"
    request = urllib.request.Request(  # noqa: S310 (an administrator's http(s) URL)
        url,
        data=json.dumps(statements).encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Experience-API-Version": config.version,
            "Authorization": "Basic "
            + base64.b64encode(f"{config.key}:{config.secret}".encode()).decode(),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        if error.code >= 500 or error.code in RETRY_LATER:
            raise LrsUnavailable(f"HTTP {error.code}") from error
        detail = error.read(300).decode(errors="replace")
        error.close()
        return_code = error.code
        logger.info("LRS refused statements", extra={"status": return_code, "detail": detail})
        return return_code
    except (urllib.error.URLError, OSError, TimeoutError) as error:
        raise LrsUnavailable(str(getattr(error, "reason", error))[:200]) from error


def _accepted(status: int) -> bool:
    # 200 stored; 204 (PUT) stored or known; 409 known (our ids are the event's).
    return status in (200, 204, 409)


def deliver(config: LrsConfig, *, ignore_waits: bool = False) -> Outcome:
    """Send what is due for this organisation (with `ignore_waits`, everything waiting),
    batch after batch, until nothing is due or the LRS is unavailable."""
    outcome = Outcome()
    if not config.sends:
        return outcome
    while True:
        with transaction.atomic():
            now = timezone.now()
            waiting = Statement.objects.filter(
                organisation_id=config.organisation_id,
                delivered_at__isnull=True,
                rejected_at__isnull=True,
            )
            if not ignore_waits:
                waiting = waiting.filter(next_attempt_at__lte=now)
            # A failure ends the run for this organisation, so no row is tried twice in it.
            rows = list(
                waiting.select_for_update(skip_locked=True).order_by("timestamp", "pk")[:BATCH_SIZE]
            )
            if not rows:
                return outcome
            try:
                _send_batch(config, rows, outcome, now)
            except LrsUnavailable as error:
                outcome.error = str(error)
                for row in rows:
                    row.attempts += 1
                    row.next_attempt_at = now + wait_after(row.attempts)
                    row.last_error = outcome.error[:500]
                Statement.objects.bulk_update(rows, ["attempts", "next_attempt_at", "last_error"])
                outcome.waiting += len(rows)
                logger.warning(
                    "LRS unavailable; statements wait",
                    extra={"organisation": config.organisation_id, "waiting": len(rows)},
                )
                return outcome


def _send_batch(config: LrsConfig, rows: list[Statement], outcome: Outcome, now) -> None:
    status = post(config, [row.payload for row in rows])
    if _accepted(status) and (status != 409 or len(rows) == 1):
        _mark_delivered(rows, now)
        outcome.delivered += len(rows)
        return
    if len(rows) == 1:
        row = rows[0]
        row.rejected_at = now
        row.attempts += 1
        row.last_error = f"HTTP {status}"
        row.save(update_fields=["rejected_at", "attempts", "last_error"])
        outcome.rejected += 1
        logger.error(
            "LRS rejected a statement",
            extra={"organisation": config.organisation_id, "statement": str(row.statement_id)},
        )
        return
    # One known or bad statement makes the LRS refuse the whole batch: one at a time.
    for row in rows:
        _send_batch(config, [row], outcome, now)


def _mark_delivered(rows: list[Statement], now) -> None:
    Statement.objects.filter(pk__in=[row.pk for row in rows]).update(
        delivered_at=now, last_error=""
    )


def deliver_all(*, ignore_waits: bool = False) -> dict[int, Outcome]:
    """Every organisation that sends (the cron command)."""
    return {
        config.organisation_id: deliver(config, ignore_waits=ignore_waits)
        for config in LrsConfig.objects.filter(enabled=True).exclude(endpoint="")
    }
