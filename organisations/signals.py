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
