"""A deleted account's traces in organisations (called by accounts through
organisations.api)."""

import datetime
from collections.abc import Collection

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from organisations.models import (
    AuditLogEntry,
    Membership,
)
from organisations.selectors.invitations import invitations_to
from organisations.selectors.personal_data import names_person, person_terms
from organisations.services.memberships import end_memberships_of_removed_account


def delete_exports_naming(*, user: User, terms: Collection[str]) -> int:
    """Delete the export files that may hold the person: the finished people lists of an
    organisation made while they were a member of it, and any export (also one still
    queued) searched for their name or address. Other queued jobs are built after the
    membership ended, so without them; a running job is left (deleting its row under it
    would fail the build). Files go after the caller's transaction commits, so a rollback
    keeps them. Returns how many jobs were deleted."""
    from organisations.compliance import reports
    from organisations.models import ExportJob, ExportStatus

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
    jobs += [job for job in searched if names_person(job.filters.get("q", ""), terms)]
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
        if isinstance(filters, dict) and names_person(filters.get("q", ""), terms):
            filters["q"] = ""
            changed.append(entry)
    AuditLogEntry.objects.bulk_update(changed, ["detail"], batch_size=1000)
    return len(changed)


def erase_person(*, user: User, addresses: Collection[str]) -> None:
    """Account deletion (accounts.services.delete_account, through organisations.api),
    inside its transaction: the person's memberships end (the rows stay as history), the
    audit log keeps what was done but no longer who did it or which address was invited,
    export files that may list them and typed searches naming them go, and so do the
    invitations to their verified `addresses`, their own export jobs and import uploads and
    (core's ledger of the emails sent to them goes with the account:
    accounts.services.delete_account)."""
    from organisations.models import (
        AuditAction,
        AuditLogEntry,
        ExportJob,
        ImportUpload,
    )

    end_memberships_of_removed_account(user=user)
    AuditLogEntry.objects.filter(actor=user).update(actor=None, actor_email="")
    for entry in AuditLogEntry.objects.filter(
        action__in=[AuditAction.INVITED, AuditAction.WITHDREW_INVITATION],
        detail__email__in=addresses,
    ):
        entry.detail["email"] = ""
        entry.save(update_fields=["detail"])
    # Export files of their organisations that may list them, and what coordinators
    # and administrators typed to search for them.
    terms = person_terms(user, set(addresses) | {user.email.lower()})
    delete_exports_naming(user=user, terms=terms)
    blank_search_terms(terms=terms)

    for job in ExportJob.objects.filter(requested_by=user).exclude(file=""):
        name, storage = job.file.name, job.file.storage
        transaction.on_commit(lambda n=name, s=storage: s.delete(n))
    ExportJob.objects.filter(requested_by=user).delete()
    ImportUpload.objects.filter(uploaded_by=user).delete()
    invitations_to(user).delete()
