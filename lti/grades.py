"""Assignment and Grade Services: a completed module's grade goes to the line item of the
person's launch (activityProgress Completed, gradingProgress FullyGraded).

One ledger row per launch and completion (unique), written in the completing transaction;
the background worker sends it. A failure (the LMS is down, a 5xx, a timeout) leaves it
waiting with an exponential back-off; `manage.py send_lti_grades` (scheduled) sends what
is due, and the worker retries on its own where the task backend can defer. A row that
was sent is never sent again, whoever picks it up (row lock, status check)."""

import datetime
import logging
from decimal import Decimal

import requests
from django.db import transaction
from django.utils import timezone
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.service_connector import ServiceConnector

from .models import GradeStatus, GradeSubmission, ResourceLaunch
from .retries import MAX_ATTEMPTS, TimeoutSession, backoff, enqueue_attempt
from .services import SCORE_SCOPE
from .tool_conf import registration_for

logger = logging.getLogger(__name__)


def on_module_completed(sender, enrolment, **kwargs) -> None:
    """courses.module_completed: a ledger row for each launch of this module by this
    person that has a line item the tool may score."""
    launches = ResourceLaunch.objects.filter(user=enrolment.user, module=enrolment.module)
    for launch in launches.exclude(lineitem_url=""):
        if SCORE_SCOPE not in launch.ags_scopes:
            continue
        submission, created = GradeSubmission.objects.get_or_create(
            launch=launch,
            enrolment=enrolment,
            defaults={"score_given": Decimal(1), "score_maximum": Decimal(1)},
        )
        if created:
            transaction.on_commit(lambda pk=submission.pk: enqueue(pk))


def enqueue(submission_id: int, *, run_after: datetime.datetime | None = None) -> None:
    from .tasks import send_grade

    enqueue_attempt(send_grade, submission_id, run_after=run_after)


def _grade(submission: GradeSubmission) -> Grade:
    completed_at = submission.enrolment.completed_at or timezone.now()
    return (
        Grade()
        .set_score_given(float(submission.score_given))
        .set_score_maximum(float(submission.score_maximum))
        .set_activity_progress("Completed")
        .set_grading_progress("FullyGraded")
        .set_timestamp(completed_at.isoformat())
        .set_user_id(submission.launch.subject)
    )


def post_score(submission: GradeSubmission) -> None:
    """The score to the launch's line item (pylti1p3: client-credentials token with a
    signed JWT assertion, then the score POST). Raises on any failure."""
    launch = submission.launch
    connector = ServiceConnector(registration_for(launch.platform), TimeoutSession())
    service = AssignmentsGradesService(
        connector, {"scope": launch.ags_scopes, "lineitem": launch.lineitem_url}
    )
    service.put_grade(_grade(submission))


def send(submission_id: int) -> str:
    """Send one ledger row if it is waiting (and due); returns its status afterwards."""
    with transaction.atomic():
        submission = (
            GradeSubmission.objects.select_for_update()
            .select_related("launch__platform", "enrolment")
            .filter(pk=submission_id)
            .first()
        )
        if submission is None or submission.status != GradeStatus.PENDING:
            return submission.status if submission else "missing"
        submission.attempts += 1
        try:
            post_score(submission)
        except (LtiException, LtiServiceException, requests.RequestException) as error:
            submission.last_error = str(error)[:2000]
            if submission.attempts >= MAX_ATTEMPTS:
                submission.status = GradeStatus.FAILED
            else:
                submission.next_attempt_at = timezone.now() + backoff(submission.attempts)
            submission.save()
            logger.warning(
                "LTI grade %s not sent (attempt %s): %s",
                submission.pk,
                submission.attempts,
                submission.last_error,
            )
            if submission.status == GradeStatus.PENDING:
                due = submission.next_attempt_at
                transaction.on_commit(lambda: enqueue(submission.pk, run_after=due))
            return submission.status
        submission.status = GradeStatus.SENT
        submission.sent_at = timezone.now()
        submission.last_error = ""
        submission.save()
        return submission.status


def send_due(*, now: datetime.datetime | None = None) -> int:
    """Send every waiting row whose next attempt is due; returns how many were sent."""
    due = GradeSubmission.objects.filter(
        status=GradeStatus.PENDING, next_attempt_at__lte=now or timezone.now()
    ).values_list("pk", flat=True)
    return sum(send(pk) == GradeStatus.SENT for pk in list(due))
