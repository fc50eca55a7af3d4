"""Writing statements for an event: one row per organisation of the learner that receives
learning records (LrsConfig enabled), with the actor that organisation chose."""

import logging
from collections.abc import Callable

from organisations.api import member_organisation_ids
from quizzes.api import rules, scenario_for_revision

from . import statements as build
from .models import LrsConfig, Statement

logger = logging.getLogger(__name__)


def receiving_configs(user) -> list[LrsConfig]:
    ids = member_organisation_ids(user)
    if not ids:
        return []
    return list(LrsConfig.objects.filter(organisation_id__in=ids, enabled=True))


def _choice(config: LrsConfig) -> build.ActorChoice:
    return build.ActorChoice(
        mode=config.actor,
        pseudonym_key=config.pseudonym_key,
        account_home_page=config.account_home_page,
    )


def _record(user, events: list[tuple[str, str, Callable[..., dict]]], at) -> list[int]:
    """events: (event identity, verb, make(sid, agent) -> statement). Returns the ids of
    the organisations that got rows; an event already recorded is left alone."""
    organisation_ids = []
    for config in receiving_configs(user):
        agent = build.actor(_choice(config), user_id=user.pk, email=user.email)
        rows = []
        for event, verb, make in events:
            sid = build.statement_id(config.organisation_id, event)
            rows.append(
                Statement(
                    organisation_id=config.organisation_id,
                    user=user,
                    statement_id=sid,
                    verb=verb,
                    payload=make(sid, agent),
                    timestamp=at,
                    next_attempt_at=at,
                )
            )
        Statement.objects.bulk_create(rows, ignore_conflicts=True)
        organisation_ids.append(config.organisation_id)
    return organisation_ids


def _where(attempt) -> build.QuizContext:
    quiz = attempt.quiz
    module = quiz.get_parent()
    return build.QuizContext(
        module_id=module.pk,
        module_title=module.title,
        quiz_id=quiz.pk,
        quiz_title=quiz.title,
        attempt_id=attempt.pk,
        attempt_number=attempt.number,
        revision_id=attempt.revision_id,
    )


def record_attempt_started(attempt) -> list[int]:
    where = _where(attempt)
    at = attempt.started_at

    def make(sid, agent):
        return build.initialized(sid=sid, agent=agent, where=where, at=at)

    return _record(attempt.user, [(f"initialized:{attempt.pk}", "initialized", make)], at)


def record_answer(attempt, answer) -> list[int]:
    """answered; and when the answer ended the attempt, passed or failed, and terminated."""
    where = _where(attempt)
    scenario = scenario_for_revision(attempt.revision_id)
    step = scenario.step(answer.step_key)
    step_answer = build.StepAnswer(
        step_key=step.key,
        step_title=step.title,
        sequencing=step.kind == rules.StepKind.ORDER,
        choices=tuple((choice.id, choice.label) for choice in step.choices),
        chosen=tuple(answer.choice_ids),
        recognised=tuple(answer.recognised),
        missed=tuple(answer.missed),
        score=answer.score,
        max_score=step.max_score,
        correct=answer.correct,
        counted=answer.counted,
    )
    at = answer.answered_at
    events = [
        (
            f"answered:{answer.pk}",
            "answered",
            lambda sid, agent: build.answered(
                sid=sid, agent=agent, where=where, answer=step_answer, at=at
            ),
        )
    ]
    if attempt.is_finished:
        top = rules.best_score(scenario)
        ended = attempt.finished_at
        verb = "passed" if attempt.passed else "failed"
        events += [
            (
                f"{verb}:{attempt.pk}",
                verb,
                lambda sid, agent: build.finished(
                    sid=sid,
                    agent=agent,
                    where=where,
                    passed=bool(attempt.passed),
                    score=attempt.score,
                    max_score=top,
                    at=ended,
                ),
            ),
            (
                f"terminated:{attempt.pk}",
                "terminated",
                lambda sid, agent: build.terminated(sid=sid, agent=agent, where=where, at=ended),
            ),
        ]
    return _record(attempt.user, events, at)


def record_module_started(enrolment) -> list[int]:
    at = enrolment.started_at
    module = enrolment.module

    def make(sid, agent):
        return build.launched(
            sid=sid,
            agent=agent,
            module_id=module.pk,
            module_title=module.title,
            version=str(enrolment.module_version.number),
            at=at,
        )

    return _record(enrolment.user, [(f"launched:{enrolment.pk}", "launched", make)], at)


def record_module_completed(enrolment) -> list[int]:
    at = enrolment.completed_at
    module = enrolment.module

    def make(sid, agent):
        return build.completed(
            sid=sid,
            agent=agent,
            module_id=module.pk,
            module_title=module.title,
            version=str(enrolment.module_version.number),
            at=at,
        )

    return _record(
        enrolment.user, [(f"completed:{enrolment.pk}:{at.isoformat()}", "completed", make)], at
    )


def queue_delivery(organisation_ids: list[int]) -> None:
    """Ask the worker to send the new statements; failing to queue only delays them (the
    scheduled `send_xapi_statements` picks them up)."""
    from .tasks import deliver_statements

    for organisation_id in organisation_ids:
        if (
            not LrsConfig.objects.filter(organisation_id=organisation_id)
            .exclude(endpoint="")
            .exists()
        ):
            continue
        try:
            deliver_statements.enqueue(organisation_id)
        except Exception:
            logger.exception("xAPI delivery not queued", extra={"organisation": organisation_id})
