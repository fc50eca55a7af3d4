"""Background tasks (django-tasks): sending a grade back to the LMS (lti.grades) and
syncing a course's member list into the organisation (lti.roster)."""

from django_tasks import task


@task()
def send_grade(submission_id: int) -> str:
    from .grades import send

    return send(submission_id)


@task()
def sync_roster(sync_id: int) -> str:
    from .roster import run_sync

    return run_sync(sync_id)
