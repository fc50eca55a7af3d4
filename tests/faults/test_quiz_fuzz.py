"""Fuzzing the quiz answer endpoint through the test client, as a signed-in learner with
an attempt in progress: whatever the form holds, the page never answers 500 and the
attempt changes by exactly one valid answer or not at all."""

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from quizzes import scenario as rules
from quizzes import services
from quizzes.models import QuizAnswer, QuizAttempt
from tests.factories import UserFactory
from tests.quizzes.conftest import choice_id

# Fuzzing: many generated examples per test (`make test-fast` leaves it out).
pytestmark = [pytest.mark.django_db, pytest.mark.slow]

FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

# The steps an attempt can stand at, one of each kind the form offers.
STEPS = ("start", "signalen", "meldcode")


@pytest.fixture
def attempts(quiz):  # noqa: F811
    """A learner with an open attempt at each kind of step: a decision, marking signals,
    putting in order."""
    by_step = {}
    for step_key in STEPS:
        learner = UserFactory()
        attempt = services.start_attempt(user=learner, quiz=quiz)
        if step_key != "start":
            attempt = services.answer(
                attempt=attempt, step_key="start", choice_ids=[choice_id(quiz, "start", 0)]
            ).attempt
        if step_key == "meldcode":
            signals = [c.id for c in quiz.scenario.step("signalen").choices if c.correct]
            attempt = services.answer(
                attempt=attempt, step_key="signalen", choice_ids=signals
            ).attempt
        assert attempt.current_step == step_key
        by_step[step_key] = (learner, attempt)
    return by_step


def snapshot() -> tuple[list[dict], list[dict]]:
    return (
        list(QuizAttempt.objects.order_by("pk").values()),
        list(QuizAnswer.objects.order_by("pk").values()),
    )


def leniently_decoded(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


# Text a browser, a script or an attacker might send in any field.
garbage = st.one_of(
    st.text(max_size=80),
    # Control characters (NUL among them) mixed into ordinary text.
    st.text(st.characters(max_codepoint=0x1F) | st.sampled_from("ab-é"), max_size=12),
    st.binary(max_size=80).map(leniently_decoded),
    st.sampled_from(["", " ", "\x00", "0", "-1", "1.5", "١", "9" * 30, "NaN", "[]", "{}"]),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.just("x" * 100_000),
)


def valid_form(quiz, attempt, step_key) -> dict[str, list[str]]:
    step = quiz.scenario.step(step_key)
    form = {"action": ["answer"], "attempt": [str(attempt.pk)], "step": [step_key]}
    if step.kind == rules.StepKind.ORDER:
        for place, item in enumerate(rules.best_answer(step), start=1):
            form[f"position-{item}"] = [str(place)]
    else:
        form["choice"] = list(rules.best_answer(step))
    return form


@st.composite
def answer_forms(draw, quiz, attempts):
    """A form post: a real answer for the learner's current step with a few mutations
    (a field left out, a value replaced by garbage or another step's choice, a key
    repeated, a place number of the wrong type, fields nobody expects)."""
    step_key = draw(st.sampled_from(STEPS))
    learner, attempt = attempts[step_key]
    form = valid_form(quiz, attempt, step_key)
    all_choice_ids = [c.id for s in quiz.scenario.steps for c in s.choices]
    other_attempts = [str(a.pk) for _learner, a in attempts.values()]
    value = st.one_of(
        garbage,
        st.sampled_from(all_choice_ids),
        st.sampled_from([s.key for s in quiz.scenario.steps] + other_attempts),
        st.integers(-3, 6).map(str),
    )
    for _ in range(draw(st.integers(0, 4))):
        mutation = draw(st.sampled_from(["drop", "replace", "repeat", "add", "position"]))
        names = sorted(form)
        if mutation == "drop" and names:
            form.pop(draw(st.sampled_from(names)))
        elif mutation == "replace" and names:
            name = draw(st.sampled_from(names))
            form[name] = draw(st.lists(value, min_size=1, max_size=3))
        elif mutation == "repeat" and names:
            name = draw(st.sampled_from(names))
            form[name] = form[name] + draw(st.lists(value, min_size=1, max_size=2))
        elif mutation == "add":
            name = draw(st.one_of(st.sampled_from(["choice", "step", "attempt"]), garbage))
            form.setdefault(name, []).extend(draw(st.lists(value, min_size=1, max_size=2)))
        elif mutation == "position":
            item = draw(st.one_of(st.sampled_from(all_choice_ids), garbage))
            form[f"position-{item}"] = draw(st.lists(value, min_size=1, max_size=2))
    return learner, form


def check_one_valid_answer_or_nothing(quiz, before, after):  # noqa: F811
    (attempts_before, answers_before), (attempts_after, answers_after) = before, after
    if after == before:
        return
    assert answers_after[: len(answers_before)] == answers_before, "an earlier answer changed"
    assert len(answers_after) == len(answers_before) + 1, "more than one answer stored"
    new = answers_after[-1]
    changed = [
        (old, new_row)
        for old, new_row in zip(attempts_before, attempts_after, strict=True)
        if old != new_row
    ]
    assert len(changed) == 1, "more than one attempt changed"
    old, current = changed[0]
    assert new["attempt_id"] == old["id"]
    assert new["step_key"] == old["current_step"], "an answer to a step that was not current"
    step = quiz.scenario.step(old["current_step"])
    evaluation = rules.evaluate(step, new["choice_ids"])  # raises for a choice not the step's
    assert new["score"] == evaluation.score
    assert current["score"] == old["score"] + new["score"]
    assert current["current_step"] == new["next_step"]
    assert new["sequence"] == 1 + sum(1 for a in answers_before if a["attempt_id"] == old["id"])


@FUZZ
@given(data=st.data())
def test_answer_form_never_fails_and_never_half_changes(quiz, attempts, data):  # noqa: F811
    learner, fields = data.draw(answer_forms(quiz, attempts))
    client = Client()
    client.force_login(learner)
    with transaction.atomic():
        before = snapshot()
        response = client.post(quiz.url, fields)
        assert response.status_code in (200, 302, 400, 403), response.status_code
        after = snapshot()
        check_one_valid_answer_or_nothing(quiz, before, after)
        event("answer stored" if after != before else "refused, nothing changed")
        transaction.set_rollback(True)  # the next example starts from the same attempts


@FUZZ
@given(body=st.binary(max_size=2000), step_key=st.sampled_from(STEPS))
def test_raw_form_bytes_never_fail(quiz, attempts, body, step_key):  # noqa: F811
    learner, attempt = attempts[step_key]
    client = Client()
    client.force_login(learner)
    prefix = f"action=answer&attempt={attempt.pk}&step={step_key}&".encode()
    with transaction.atomic():
        before = snapshot()
        response = client.post(
            quiz.url, data=prefix + body, content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code in (200, 302, 400, 403), response.status_code
        after = snapshot()
        check_one_valid_answer_or_nothing(quiz, before, after)
        event("answer stored" if after != before else "refused, nothing changed")
        transaction.set_rollback(True)


def test_a_valid_answer_still_goes_through(quiz, attempts, client):  # noqa: F811
    # The fuzzing's positive control: the same checks accept a real answer.
    learner, attempt = attempts["meldcode"]
    client.force_login(learner)
    before = snapshot()
    items = [c.id for c in quiz.scenario.step("meldcode").choices]
    response = client.post(
        quiz.url,
        {"action": "answer", "attempt": attempt.pk, "step": "meldcode"}
        | {f"position-{item}": str(place) for place, item in enumerate(items, start=1)},
    )
    assert response.status_code == 302
    after = snapshot()
    assert after != before
    check_one_valid_answer_or_nothing(quiz, before, after)


def test_a_nul_byte_in_the_step_is_refused_not_a_server_error(quiz, attempts, client):  # noqa: F811
    # Found by the fuzzing above: the key went into SQL and PostgreSQL refused the NUL. Now
    # any NUL in a form is a 400 before the database (core.middleware.RejectNulMiddleware).
    learner, attempt = attempts["start"]
    client.force_login(learner)
    before = snapshot()
    response = client.post(
        quiz.url, {"action": "answer", "attempt": attempt.pk, "step": "\x00"}, follow=True
    )
    assert response.status_code == 400
    assert snapshot() == before
