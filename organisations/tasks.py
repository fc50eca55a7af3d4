"""Background tasks (django-tasks): exports of large organisations.

In production the TASKS backend is django-tasks-db and `python manage.py db_worker` runs
them; in debug and tests they run at once (cms/settings/base.py, TASKS_BACKEND)."""

from django_tasks import task


@task()
def build_export_file(job_id: int) -> None:
    """Build the ExportJob's file (organisations.services.run_export_job)."""
    from . import services

    services.run_export_job(job_id=job_id)
