"""organisations.compliance.computation.compliance: every member against every requirement
that applies to them, from the records certificates and courses keep."""

import datetime

import pytest
from django.utils import timezone

from courses.models import Enrolment, ModuleVersion
from organisations.compliance.computation import compliance, learner_requirements
from organisations.compliance.rule import Status
from organisations.models import RequirementLevel

from .factories import MembershipFactory, RoleFactory, TeamFactory, certificate_for, requirement

pytestmark = pytest.mark.django_db


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def test_each_member_gets_the_status_the_rule_gives(organisation, modules):
    rode_vlaggen, meldcode = modules
    aandacht = RoleFactory(name="Aandachtsfunctionaris", slug="aandachtsfunctionaris")
    professional = RoleFactory(name="Professional", slug="professional")
    everyone = requirement(organisation, rode_vlaggen, due_within_days=90)
    for_aandacht = requirement(organisation, meldcode, role=aandacht, due_within_days=30)
    requirement(organisation, meldcode, role=professional, level=RequirementLevel.RECOMMENDED)
    team = TeamFactory(organisation=organisation, name="Noord")

    valid = MembershipFactory(organisation=organisation, role=aandacht, team=team)
    certificate_for(valid.user, rode_vlaggen, issued_on=days_ago(100))
    certificate_for(valid.user, meldcode, issued_on=days_ago(700))  # expiring
    expired = MembershipFactory(organisation=organisation, role=professional)
    certificate_for(expired.user, rode_vlaggen, issued_on=days_ago(800))
    revoked = MembershipFactory(
        organisation=organisation, role=professional, started_on=days_ago(200)
    )
    certificate_for(revoked.user, rode_vlaggen, issued_on=days_ago(10), revoked_at=timezone.now())
    started = MembershipFactory(organisation=organisation, role=professional)
    Enrolment.objects.create(
        user=started.user,
        module=rode_vlaggen,
        module_version=ModuleVersion.objects.get(module=rode_vlaggen, number=1),
    )
    ended = MembershipFactory(
        organisation=organisation, role=professional, ended_on=days_ago(1), started_on=days_ago(50)
    )
    MembershipFactory(role=professional)  # another organisation's member

    report = compliance(organisation)
    by_user = {member.user_id: member for member in report.members}
    assert set(by_user) == {valid.user_id, expired.user_id, revoked.user_id, started.user_id}
    assert ended.user_id not in by_user

    assert by_user[valid.user_id].statuses[everyone.pk].status == Status.COMPLIANT
    assert by_user[valid.user_id].statuses[for_aandacht.pk].status == Status.EXPIRING
    assert by_user[valid.user_id].meets_mandatory
    assert by_user[valid.user_id].team_name == "Noord"
    # The meldcode requirement for aandachtsfunctionarissen does not apply to professionals.
    assert for_aandacht.pk not in by_user[expired.user_id].statuses
    assert by_user[expired.user_id].statuses[everyone.pk].status == Status.EXPIRED
    # A revoked certificate counts as none.
    assert by_user[revoked.user_id].statuses[everyone.pk].status == Status.OVERDUE
    assert by_user[started.user_id].statuses[everyone.pk].status == Status.IN_PROGRESS
    assert by_user[started.user_id].worst_status == Status.IN_PROGRESS
    # Recommended requirements are shown but do not count towards compliance.
    assert not by_user[started.user_id].meets_mandatory
    assert report.compliant_count == 1
    assert report.compliant_share == 0.25
    counts = report.counts_by_requirement()
    assert counts[everyone.pk][Status.COMPLIANT] == 1
    assert counts[everyone.pk][Status.EXPIRED] == 1
    teams = report.counts_by_team()
    assert teams[(team.pk, "Noord")]["members"] == 1


def test_the_past_is_reconstructed_from_dates(organisation, modules):
    rode_vlaggen, _meldcode = modules
    rule = requirement(organisation, rode_vlaggen, due_within_days=30)
    member = MembershipFactory(organisation=organisation, started_on=days_ago(400))
    certificate_for(member.user, rode_vlaggen, issued_on=days_ago(100))
    MembershipFactory(organisation=organisation, started_on=days_ago(5))

    today = compliance(organisation)
    assert today.compliant_count == 1 and len(today.members) == 2
    earlier = compliance(organisation, day=days_ago(200))
    assert [m.user_id for m in earlier.members] == [member.user_id]
    assert earlier.members[0].statuses[rule.pk].status == Status.OVERDUE


def test_a_member_of_two_organisations_sees_both_in_learner_requirements(modules):
    rode_vlaggen, meldcode = modules
    first = MembershipFactory()
    second = MembershipFactory(user=first.user)
    requirement(first.organisation, rode_vlaggen)
    requirement(second.organisation, meldcode)
    found = learner_requirements(first.user)
    assert {(item.organisation, item.requirement.module) for item in found} == {
        (first.organisation, rode_vlaggen),
        (second.organisation, meldcode),
    }
