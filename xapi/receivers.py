"""The lower apps' signals, turned into statements in the outbox. Each runs inside the
learner's transaction, in a savepoint of its own: a failure here is logged and never
fails or undoes the learner's answer. The statements commit with the answer (none for an
answer that was rolled back); delivery is queued only after that commit."""

import logging
from functools import wraps

from django.db import transaction

from . import recording

logger = logging.getLogger(__name__)


def _guarded(receiver):
    @wraps(receiver)
    def wrapped(sender, **kwargs):
        try:
            with transaction.atomic():
                organisation_ids = receiver(**kwargs)
        except Exception:
            logger.exception("xAPI statements not recorded", extra={"event": receiver.__name__})
            return
        if organisation_ids:
            transaction.on_commit(lambda: recording.queue_delivery(organisation_ids))

    return wrapped


@_guarded
def on_attempt_started(*, attempt, **kwargs) -> list[int]:
    return recording.record_attempt_started(attempt)


@_guarded
def on_answer_recorded(*, attempt, answer, **kwargs) -> list[int]:
    return recording.record_answer(attempt, answer)


@_guarded
def on_module_started(*, enrolment, **kwargs) -> list[int]:
    return recording.record_module_started(enrolment)


@_guarded
def on_module_completed(*, enrolment, **kwargs) -> list[int]:
    return recording.record_module_completed(enrolment)
