"""The per-signal figures organisations will show coordinators: aggregated over the
attempts they pass in, signals seen by fewer than five people left out."""

import pytest

from quizzes import insight, services
from quizzes.insight import MINIMUM_GROUP, quiz_insight
from quizzes.models import QuizAttempt
from tests.factories import UserFactory

from .conftest import play_to_poor_end

pytestmark = pytest.mark.django_db


def test_signal_misses_for_a_group_of_learners(quiz):
    staff = [UserFactory() for _ in range(5)]
    for user in staff[:3]:
        play_to_poor_end(quiz, user)
    for user in staff[3:]:
        services.play_best_path(user=user, quiz=quiz)
    outsider = UserFactory()
    play_to_poor_end(quiz, outsider)

    figures = insight.signal_misses(QuizAttempt.objects.filter(user__in=staff))
    by_slug = {row.signal.slug: row for row in figures}
    strangulation = by_slug["poging-tot-verwurging"]
    assert (strangulation.missed, strangulation.recognised, strangulation.learners) == (3, 4, 5)
    assert strangulation.miss_rate == 43
    # doorvragen: missed by 3, recognised by 2 -> 5 learners; shown.
    assert by_slug["doorvragen"].missed == 3
    # Signals only the best players met (2 people) are hidden.
    assert "dwangmatige-controle" not in by_slug
    # Most missed first.
    assert figures[0].miss_rate >= figures[-1].miss_rate


def test_fewer_than_five_learners_show_nothing(quiz):
    staff = [UserFactory() for _ in range(4)]
    for user in staff:
        play_to_poor_end(quiz, user)
    assert insight.signal_misses(QuizAttempt.objects.filter(user__in=staff)) == []


def test_the_demo_gives_the_insight_report_enough_marked_demo_attempts(quiz):
    """load_demo's synthetic learners (issue 21.5): enough of them that the report shows
    its figures, along varied ways, clearly demo, and not doubled when loaded again."""
    from accounts.models import User
    from quizzes.demo import INSIGHT_DOMAIN, give_demo_insight_attempts

    assert quiz_insight(quiz).hidden  # nobody played yet
    made = give_demo_insight_attempts(quizzes=[quiz])
    assert made >= MINIMUM_GROUP
    insight = quiz_insight(quiz)
    assert not insight.hidden and insight.learners >= MINIMUM_GROUP
    assert 0 < insight.passed < insight.finished  # some pass, some do not
    start = next(step for step in insight.steps if step.step.key == "start")
    assert all(choice.count for choice in start.choices)  # both ways taken
    assert insight.signals  # missed and recognised signals show
    learners = User.objects.filter(quiz_attempts__quiz=quiz).distinct()
    assert all(
        user.email.endswith(INSIGHT_DOMAIN) and "demo" in user.full_name.lower()
        and not user.has_usable_password()
        for user in learners
    )  # fmt: skip
    assert give_demo_insight_attempts(quizzes=[quiz]) == 0
