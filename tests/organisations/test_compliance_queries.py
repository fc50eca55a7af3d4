"""The compliance computation stays a fixed number of queries whatever the organisation's
size, and its fast path gives exactly what the rule gives for each member and requirement."""

import datetime

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from certificates import selectors as certificate_selectors
from certificates.models import Certificate
from cms import load_data
from courses.models import Enrolment, ModuleVersion
from organisations.compliance.computation import compliance
from organisations.compliance.rule import HeldCertificate, requirement_status
from organisations.models import RequirementLevel
from tests.courses.conftest import make_module

from .factories import MembershipFactory, RoleFactory, TeamFactory, certificate_for, requirement

pytestmark = pytest.mark.django_db


def add_members(organisation, modules, count: int, *, start: int) -> None:
    """Members in every kind of state: certificates (valid, old), open enrolments, none."""
    rode_vlaggen, meldcode = modules
    role = RoleFactory(slug="professional", name="Professional")
    team = TeamFactory(organisation=organisation)
    today = timezone.localdate()
    for number in range(start, start + count):
        membership = MembershipFactory(
            organisation=organisation,
            role=role,
            team=team if number % 2 else None,
            started_on=today - datetime.timedelta(days=10 * number),
        )
        if number % 3 == 0:
            certificate_for(
                membership.user, rode_vlaggen, issued_on=today - datetime.timedelta(days=number)
            )
        if number % 4 == 0:
            Enrolment.objects.create(
                user=membership.user,
                module=meldcode,
                module_version=ModuleVersion.objects.get(module=meldcode, number=1),
            )


def queries_for(organisation) -> int:
    with CaptureQueriesContext(connection) as captured:
        report = compliance(organisation)
        # Reading the results takes no further queries.
        report.counts_by_requirement()
        report.counts_by_team()
        [(member.meets_mandatory, member.worst_status) for member in report.members]
    return len(captured)


def test_the_same_number_of_queries_for_5_and_50_members(organisation, modules):
    rode_vlaggen, meldcode = modules
    requirement(organisation, rode_vlaggen, due_within_days=90)
    requirement(organisation, meldcode, due_within_days=30, recertify_every_months=12)
    add_members(organisation, modules, 5, start=0)
    assert len(compliance(organisation).members) == 5
    small = queries_for(organisation)

    add_members(organisation, modules, 45, start=5)
    assert len(compliance(organisation).members) == 50
    assert queries_for(organisation) == small == 5


def reference(organisation, day: datetime.date) -> dict:
    """The rule applied the plain way: per member, per requirement that applies, from that
    person's latest certificate that was issued and not revoked by the end of `day`."""
    report = compliance(organisation, day=day)
    end = timezone.make_aware(datetime.datetime.combine(day, datetime.time.max))
    expected = {}
    for member in report.members:
        statuses, mandatory = {}, set()
        for req in report.requirements:
            if req.role_id is not None and req.role_id != member.role_id:
                continue
            latest = (
                Certificate.objects.filter(
                    user_id=member.user_id, module_id=req.module_id, issued_at__lte=end
                )
                .filter(Q(revoked_at__isnull=True) | Q(revoked_at__gt=end))
                .order_by("-issued_at")
                .first()
            )
            certificate = None
            if latest:
                certificate = HeldCertificate(
                    issued_on=timezone.localtime(latest.issued_at).date(),
                    expires_on=latest.expires_on,
                    update_due_on=certificate_selectors.update_due_on(
                        module_version=latest.module_version,
                        requirements=certificate_selectors.update_requirements([req.module_id])[
                            req.module_id
                        ],
                    ),
                )
            in_progress = (
                Enrolment.objects.filter(
                    user_id=member.user_id, module_id=req.module_id, started_at__lte=end
                )
                .filter(Q(completed_at__isnull=True) | Q(completed_at__gt=end))
                .exists()
            )
            statuses[req.pk] = requirement_status(
                today=day,
                member_since=member.member_since,
                due_within_days=req.due_within_days,
                recertify_every_months=req.recertify_every_months,
                certificate=certificate,
                in_progress=in_progress,
            )
            if req.level == RequirementLevel.MANDATORY:
                mandatory.add(req.pk)
        expected[member.user_id] = (statuses, frozenset(mandatory))
    return expected


def test_the_fast_path_gives_what_the_rule_gives(catalogue):
    # Two of the example framework's modules; synthetic members in every state.
    make_module(catalogue, "Femicide begrippen en omvang", lessons=1)
    make_module(catalogue, "Rode vlaggen herkennen", lessons=1)
    load_data.ensure_content()
    (organisation,) = load_data.generate(members=80, seed=11).organisations
    today = timezone.localdate()

    for day in (today, today - datetime.timedelta(days=400), today + datetime.timedelta(days=90)):
        report = compliance(organisation, day=day)
        expected = reference(organisation, day)
        assert len(report.members) == len(expected) > 0
        for member in report.members:
            statuses, mandatory = expected[member.user_id]
            assert member.statuses == statuses
            assert list(member.statuses) == list(statuses)  # the requirements' order
            assert member.mandatory_ids == mandatory
        kinds = {status.status for m in report.members for status in m.statuses.values()}
        if day == today:
            assert len(kinds) >= 4
