"""Factories for organisations, memberships and the records compliance reads."""

import datetime

import factory
from django.utils import timezone

from certificates import codes
from certificates.models import Certificate
from courses.models import Enrolment, ModuleVersion, Sector
from organisations.models import (
    ExpertiseFramework,
    Membership,
    Organisation,
    Requirement,
    Role,
    Team,
)
from tests.factories import UserFactory


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Rol {n}")
    slug = factory.Sequence(lambda n: f"rol-{n}")


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Sector {n}")
    slug = factory.Sequence(lambda n: f"sector-{n}")


class FrameworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExpertiseFramework

    name = factory.Sequence(lambda n: f"Kader {n}")
    version = "1"
    effective_from = datetime.date(2026, 1, 1)
    source = "Test"
    is_example = True


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisatie {n}")
    slug = factory.Sequence(lambda n: f"organisatie-{n}")
    sector = factory.SubFactory(SectorFactory)
    region = "Utrecht"
    framework = factory.SubFactory(FrameworkFactory)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = factory.SubFactory(RoleFactory)
    started_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=10))


def requirement(organisation: Organisation, module, **fields) -> Requirement:
    """A requirement of the organisation's framework for its sector."""
    return Requirement.objects.create(
        framework=organisation.framework, sector=organisation.sector, module=module, **fields
    )


def certificate_for(
    user, module, *, issued_on: datetime.date, valid_days: int = 730, version: int = 1, **fields
) -> Certificate:
    """A certificate row as issue_for would leave it, issued on a given day (for dates in
    the past without completing the module again)."""
    module_version = ModuleVersion.objects.filter(module=module, number=version).first()
    if module_version is None:
        module_version = ModuleVersion.objects.create(module=module, number=version)
    issued_at = timezone.make_aware(datetime.datetime.combine(issued_on, datetime.time(12)))
    enrolment = Enrolment.objects.create(
        user=user, module=module, module_version=module_version, completed_at=issued_at
    )
    last = Certificate.objects.filter(user=user, module=module).order_by("-cycle").first()
    return Certificate.objects.create(
        code=codes.new_code(),
        user=user,
        module=module,
        enrolment=enrolment,
        cycle=(last.cycle + 1) if last else 1,
        holder_name=user.full_name,
        module_title=module.title,
        module_version=version,
        issuer="Signaal",
        issued_at=issued_at,
        expires_on=issued_on + datetime.timedelta(days=valid_days),
        **fields,
    )
