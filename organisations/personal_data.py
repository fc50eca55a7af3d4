"""The organisations app's part of a person's data rights (registered with
accounts.personal_data in OrganisationsConfig.ready()): the download's part is
`selectors.personal_data`; here what deleting an account does to organisations, and the
warning the deletion page gives."""

from django.db import transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.api import verified_addresses

from . import selectors, services
from .models import AuditAction, AuditLogEntry, ExportJob, Membership, Organisation, ReminderLog


def erase(user) -> None:
    """Memberships end today (one that had not started yet ends on its first day, so it is
    never active) and stay as the organisation's history, each with an ENDED_MEMBERSHIP
    entry without actor; audit entries keep actor NULL and actor_email blank; the person's
    address is blanked in invitation entries; export files of their organisations that may
    list them and what coordinators and administrators typed to search for them go; their
    export jobs and files, invitations to their addresses and reminders sent to them are
    deleted. Runs in accounts' deletion transaction, before the user row is anonymised."""
    now = timezone.now()
    today = timezone.localdate()
    addresses = verified_addresses(user)

    for membership in Membership.objects.filter(user=user).select_related("organisation"):
        end = max(today, membership.started_on)
        if membership.ended_on is None or membership.ended_on > end:
            membership.ended_on = end
            membership.save(update_fields=["ended_on"])
            AuditLogEntry.objects.create(
                actor=None,
                actor_email="",
                organisation=membership.organisation,
                action=AuditAction.ENDED_MEMBERSHIP,
                detail={"membership": membership.pk, "account_removed": True},
                at=now,
            )

    AuditLogEntry.objects.filter(actor=user).update(actor=None, actor_email="")
    for entry in AuditLogEntry.objects.filter(
        action__in=[AuditAction.INVITED, AuditAction.WITHDREW_INVITATION],
        detail__email__in=addresses,
    ):
        entry.detail["email"] = ""
        entry.save(update_fields=["detail"])
    # Export files of their organisations that may list them, and what coordinators and
    # administrators typed to search for them.
    terms = selectors.person_terms(user, addresses | {user.email.lower()})
    services.delete_exports_naming(user=user, terms=terms)
    services.blank_search_terms(terms=terms)

    for job in ExportJob.objects.filter(requested_by=user).exclude(file=""):
        name, storage = job.file.name, job.file.storage
        transaction.on_commit(lambda n=name, s=storage: s.delete(n))
    ExportJob.objects.filter(requested_by=user).delete()
    selectors.invitations_to(user).delete()
    ReminderLog.objects.filter(user=user).delete()


def left_without_coordinator(user) -> list[Organisation]:
    """The organisations where this person is the only active coordinator: deleting the
    account leaves them without one (the deletion page says so)."""
    own = Membership.objects.active().filter(user=user, is_coordinator=True)
    today = timezone.localdate()
    active = Q(memberships__started_on__lte=today) & (
        Q(memberships__ended_on__isnull=True) | Q(memberships__ended_on__gt=today)
    )
    return list(
        Organisation.objects.filter(pk__in=own.values("organisation_id"))
        .annotate(
            coordinators=Count("memberships", filter=active & Q(memberships__is_coordinator=True))
        )
        .filter(coordinators=1)
        .order_by("name")
    )


def deletion_warning(user) -> str:
    organisations = left_without_coordinator(user)
    if not organisations:
        return ""
    return render_to_string(
        "organisations/includes/deletion_warning.html", {"sole_coordinator_of": organisations}
    )
