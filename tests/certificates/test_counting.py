"""THE certificate that counts (Certificate.objects.counting): per person and module the
newest cycle not revoked, now or as it stood at a moment. Issuing, renewal, reminders and
compliance all read it there."""

import datetime

import pytest
from django.utils import timezone

from certificates import selectors
from certificates.models import Certificate
from tests.factories import CertificateFactory, UserFactory
from tests.quizzes.conftest import catalogue, module, quiz  # noqa: F401

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def certificate(user, module, cycle, *, issued_days_ago, revoked_days_ago=None):  # noqa: F811
    return CertificateFactory(
        user=user,
        module=module,
        cycle=cycle,
        issued_at=NOW - datetime.timedelta(days=issued_days_ago),
        revoked_at=(
            None if revoked_days_ago is None else NOW - datetime.timedelta(days=revoked_days_ago)
        ),
    )


def counting(**kwargs):
    return set(Certificate.objects.counting(**kwargs).values_list("pk", flat=True))


def test_the_newest_cycle_counts_and_an_older_one_does_not(module):  # noqa: F811
    user = UserFactory()
    first = certificate(user, module, 1, issued_days_ago=400)
    second = certificate(user, module, 2, issued_days_ago=30)
    assert counting() == {second.pk}
    assert selectors.current_certificate(user=user, module=module) == second
    # Before the second was issued, the first counted.
    assert counting(at=NOW - datetime.timedelta(days=31)) == {first.pk}
    # Before either was issued, nothing did.
    assert counting(at=NOW - datetime.timedelta(days=401)) == set()


def test_a_revoked_newest_cycle_hands_back_to_the_one_before_from_its_revocation_on(module):  # noqa: F811
    user = UserFactory()
    first = certificate(user, module, 1, issued_days_ago=400)
    second = certificate(user, module, 2, issued_days_ago=30, revoked_days_ago=10)
    assert counting() == {first.pk}
    assert selectors.current_certificate(user=user, module=module) == first
    # While the second was still standing (20 days ago), it counted.
    assert counting(at=NOW - datetime.timedelta(days=20)) == {second.pk}


def test_people_and_modules_are_counted_apart(module):  # noqa: F811
    one, other = UserFactory(), UserFactory()
    mine = certificate(one, module, 1, issued_days_ago=10)
    theirs = certificate(other, module, 3, issued_days_ago=5)
    assert counting() == {mine.pk, theirs.pk}


def test_all_revoked_means_none_counts(module):  # noqa: F811
    user = UserFactory()
    certificate(user, module, 1, issued_days_ago=100, revoked_days_ago=50)
    assert counting() == set()
    assert selectors.current_certificate(user=user, module=module) is None
