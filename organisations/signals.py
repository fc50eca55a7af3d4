"""Marks stored statuses (MemberStanding) stale when something they depend on is saved or
deleted, wherever it happens: our services, the Wagtail admin, other apps. Writes that
bypass signals (queryset.update, bulk_create) call standings_changed themselves."""

from django.db.models.signals import post_delete, post_save

from certificates.models import Certificate
from courses.models import Enrolment, ModuleVersion
from organisations.compliance.statuses import standings_changed

from .models import Membership, Organisation, Requirement


def person_changed(sender, instance, **kwargs) -> None:
    if instance.user_id is not None:
        standings_changed(user_ids=[instance.user_id])


def membership_changed(sender, instance, **kwargs) -> None:
    standings_changed(user_ids=[instance.user_id])


def requirement_changed(sender, instance, **kwargs) -> None:
    standings_changed(
        organisation_ids=Organisation.objects.filter(
            framework_id=instance.framework_id, sector_id=instance.sector_id
        ).values_list("pk", flat=True)
    )


def organisation_changed(sender, instance, created=False, **kwargs) -> None:
    if not created:  # its framework or sector may have changed
        standings_changed(organisation_ids=[instance.pk])


def module_version_changed(sender, instance, created=False, **kwargs) -> None:
    if instance.update_required:
        standings_changed(module_id=instance.module_id)


def connect() -> None:
    for model in (Certificate, Enrolment):
        post_save.connect(person_changed, sender=model, dispatch_uid=f"standings-{model.__name__}")
        post_delete.connect(
            person_changed, sender=model, dispatch_uid=f"standings-del-{model.__name__}"
        )
    post_save.connect(membership_changed, sender=Membership, dispatch_uid="standings-membership")
    post_delete.connect(
        membership_changed, sender=Membership, dispatch_uid="standings-del-membership"
    )
    post_save.connect(requirement_changed, sender=Requirement, dispatch_uid="standings-req")
    post_delete.connect(requirement_changed, sender=Requirement, dispatch_uid="standings-del-req")
    post_save.connect(organisation_changed, sender=Organisation, dispatch_uid="standings-org")
    post_save.connect(module_version_changed, sender=ModuleVersion, dispatch_uid="standings-mv")


# What stored statuses are computed from: a save or delete of one of these rows marks them
# stale through the receivers above (connect()).
STANDINGS_INPUTS = ("Certificate", "Enrolment", "Membership", "Requirement", "Organisation")

# Every writer in the apps that changes those rows without sending signals (queryset
# update(), bulk_create, bulk_update, COPY), and how it keeps stored statuses right. This
# list is the one place that names them: tests/organisations/test_staleness_writers.py
# finds every such write in the code and fails on one that is missing here, and checks
# that a writer said to call standings_changed does.
CALLS_STANDINGS_CHANGED = "calls standings_changed"
SIGNAL_BYPASSING_WRITERS = {
    "organisations.seed.ensure_framework": CALLS_STANDINGS_CHANGED,
    "organisations.services.memberships.add_members": CALLS_STANDINGS_CHANGED,
    "cms.load_data.generate": (
        "writes new memberships only (with their certificates and enrolments); a membership "
        "with no stored status is stale by definition"
    ),
    "organisations.demo._give_certificate": (
        "dates an enrolment it has just created in the same transaction; the create marked "
        "the person stale and the refresh reads the dates later"
    ),
    "organisations.demo._start": (
        "dates an enrolment it has just created in the same transaction; the create marked "
        "the person stale and the refresh reads the dates later"
    ),
    "courses.services.start_module": (
        "clears update_from_version, which the compliance rule does not read"
    ),
    "courses.services.record_lesson_visit": (
        "sets last_lesson and last_activity_at, which the compliance rule does not read"
    ),
    "certificates.services.certificate_pdf": "stores the PDF's name, which the rule does not read",
    "certificates.services.erase_personal_data": (
        "runs inside account deletion, which ends the person's memberships (a save each, "
        "so their statuses are marked stale)"
    ),
    "certificates.models.Certificate.ensure_status_position": (
        "places the certificate in a status list, which the rule does not read"
    ),
}
