"""generate_load_data: synthetic organisations for load tests, never without DEBUG or
--force."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import User
from certificates import codes
from certificates.models import Certificate
from cms import load_data
from courses.models import Enrolment
from organisations.compliance.computation import compliance
from organisations.compliance.rule import Status
from organisations.models import Membership, Organisation, Team
from tests.courses.conftest import make_module

pytestmark = pytest.mark.django_db


@pytest.fixture
def content(catalogue):
    """Two of the example framework's modules (quicker than the whole demo catalogue, which
    the command loads when there are no modules); the roles and example framework."""
    make_module(catalogue, "Femicide begrippen en omvang", lessons=1)
    make_module(catalogue, "Rode vlaggen herkennen", lessons=1)
    return load_data.ensure_content()


def test_refuses_without_debug_or_force(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("generate_load_data", "--members", "5")
    assert not Organisation.objects.exists()


@pytest.mark.parametrize("copy", [True, False], ids=["copy", "bulk_create"])
def test_creates_what_it_says(content, monkeypatch, copy):
    monkeypatch.setattr(load_data, "USE_COPY", copy)
    out = StringIO()

    call_command("generate_load_data", "--members", "50", "--seed", "7", "--force", stdout=out)

    organisation = Organisation.objects.get(slug="load-1")
    memberships = Membership.objects.filter(organisation=organisation)
    assert memberships.count() == 50
    assert memberships.filter(is_coordinator=True).count() == 1
    assert Team.objects.filter(organisation=organisation).count() == 1
    users = User.objects.filter(memberships__organisation=organisation)
    assert users.count() == 50
    assert all(user.email.endswith("@load.signaal.test") for user in users)
    assert not any(user.has_usable_password() for user in users)
    enrolments = Enrolment.objects.filter(user__in=users).count()
    certificates = Certificate.objects.filter(user__in=users)
    assert f"1 organisations, 50 members, 1 teams, {enrolments} enrolments" in out.getvalue()
    assert f"{certificates.count()} certificates" in out.getvalue()
    for certificate in certificates:
        assert codes.normalise(certificate.code) == certificate.code
        assert certificate.enrolment.user_id == certificate.user_id
        assert certificate.enrolment.completed_at == certificate.issued_at
    # Mixed states, through the one compliance rule.
    report = compliance(organisation)
    assert len(report.members) == 50
    statuses = {status.status for m in report.members for status in m.statuses.values()}
    assert {Status.COMPLIANT, Status.OVERDUE} <= statuses
    assert 0 < report.compliant_count < 50


def test_the_same_seed_gives_the_same_people_and_a_second_run_adds(content):
    first = load_data.generate(members=20, seed=3)
    second = load_data.generate(members=20, seed=3, organisations=2)

    assert [o.slug for o in first.organisations + second.organisations] == [
        "load-1",
        "load-2",
        "load-3",
    ]
    names = [
        list(
            Membership.objects.filter(organisation=organisation)
            .order_by("user__email")
            .values_list("user__full_name", flat=True)
        )
        for organisation in first.organisations
    ]
    assert second.members == 20 and len(names[0]) == 20
    assert Membership.objects.filter(organisation__slug="load-2").count() == 10
    again = load_data.generate(members=20, seed=3, prefix="again")
    assert (
        list(
            Membership.objects.filter(organisation=again.organisations[0])
            .order_by("user__email")
            .values_list("user__full_name", flat=True)
        )
        == names[0]
    )
