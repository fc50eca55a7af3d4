"""Background tasks (django-tasks): sending a grade back to the LMS (lti.grades)."""

from django_tasks import task


@task()
def send_grade(submission_id: int) -> str:
    from .grades import send

    return send(submission_id)
