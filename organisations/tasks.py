"""Background tasks (django-tasks): exports of large organisations, and storing their
statuses for the dashboard.

In production the TASKS backend is django-tasks-db and `python manage.py db_worker` runs
them; in debug and tests they run at once (cms/settings/base.py, TASKS_BACKEND)."""

from django_tasks import task


@task()
def build_export_file(job_id: int) -> None:
    """Build the ExportJob's file (organisations.compliance.exports.run_export_job)."""
    from organisations.compliance.exports import run_export_job

    run_export_job(job_id=job_id)


@task()
def refresh_organisation_standings(organisation_id: int) -> None:
    """Store the organisation's statuses when too many are stale for a request to do it
    (organisations.compliance.statuses.refresh_standings)."""
    from organisations.compliance.statuses import refresh_standings

    from .models import Organisation

    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is not None:
        refresh_standings(organisation)
