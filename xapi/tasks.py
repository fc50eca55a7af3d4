"""Background task (django-tasks): send an organisation's new statements to its LRS. Queued
after the learner's transaction commits, so the learner never waits for the LRS; in debug
and tests tasks run at once (cms/settings/platform.py, TASKS_BACKEND)."""

import logging

from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def deliver_statements(organisation_id: int) -> None:
    from .delivery import deliver
    from .models import LrsConfig

    config = LrsConfig.objects.filter(organisation_id=organisation_id).first()
    if config is None:
        return
    try:
        deliver(config)
    except Exception:
        # What failed stays in the outbox for the next run (send_xapi_statements).
        logger.exception("xAPI delivery failed", extra={"organisation": organisation_id})
