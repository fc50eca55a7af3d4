"""xAPI 1.0.3 statements built from plain data (no database): verbs, activity ids, the
actor as the organisation chose, and the statement id derived from the event.

Verbs are the ADL verbs that cmi5 uses (cmi5 spec, 'Verbs'). Activity ids and our
extension IRIs live under WAGTAILADMIN_BASE_URL and use page ids and step keys, which do
not change when a title or slug does. Reflection answers have no builder here: they are
never sent."""

import hashlib
import hmac
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

ADL = "http://adlnet.gov/expapi/verbs/"
VERBS = {
    name: ADL + name
    for name in ("launched", "initialized", "answered", "completed", "passed", "failed")
} | {"terminated": ADL + "terminated"}

INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction"
ASSESSMENT = "http://adlnet.gov/expapi/activities/assessment"
MODULE = "http://adlnet.gov/expapi/activities/module"
LANGUAGE = "nl-NL"


def base_url() -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def iri(*parts) -> str:
    return "/".join([base_url(), "xapi", *(str(part) for part in parts)])


def extension(name: str) -> str:
    return iri("extensions", name)


def module_iri(module_id: int) -> str:
    return iri("module", module_id)


def quiz_iri(quiz_id: int) -> str:
    return iri("quiz", quiz_id)


def step_iri(quiz_id: int, step_key: str) -> str:
    return iri("quiz", quiz_id, "step", step_key)


def signal_iri(slug: str) -> str:
    return iri("signal", slug)


def statement_id(organisation_id: int, event: str) -> uuid.UUID:
    """The same event for the same organisation gives the same id, so a resend (or a
    second recording of the event) is one statement in the LRS."""
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, iri())
    return uuid.uuid5(namespace, f"{organisation_id}:{event}")


def registration(attempt_id: int) -> str:
    """The attempt as an xAPI registration: one id for all statements of one attempt."""
    return str(uuid.uuid5(uuid.uuid5(uuid.NAMESPACE_URL, iri()), f"attempt:{attempt_id}"))


@dataclass(frozen=True)
class ActorChoice:
    """How an organisation identifies its learners (xapi.models.LrsConfig)."""

    mode: str  # mbox | account | pseudonym
    pseudonym_key: str = ""
    account_home_page: str = ""


def actor(choice: ActorChoice, *, user_id: int, email: str) -> dict:
    """The learner as the organisation chose; never their name."""
    if choice.mode == "mbox":
        return {"objectType": "Agent", "mbox": f"mailto:{email.strip().lower()}"}
    if choice.mode == "account":
        return {
            "objectType": "Agent",
            "account": {"homePage": choice.account_home_page, "name": email.strip().lower()},
        }
    digest = hmac.new(
        choice.pseudonym_key.encode(), f"user:{user_id}".encode(), hashlib.sha256
    ).hexdigest()
    return {"objectType": "Agent", "account": {"homePage": base_url(), "name": digest}}


def _verb(name: str) -> dict:
    return {"id": VERBS[name], "display": {"en-US": name}}


def _activity(activity_id: str, kind: str, title: str, **definition) -> dict:
    return {
        "objectType": "Activity",
        "id": activity_id,
        "definition": {"type": kind, "name": {LANGUAGE: title or activity_id}, **definition},
    }


@dataclass(frozen=True)
class QuizContext:
    """Where a quiz statement happened: the quiz, its module and the attempt."""

    module_id: int
    module_title: str
    quiz_id: int
    quiz_title: str
    attempt_id: int
    attempt_number: int
    revision_id: int


def _context(where: QuizContext, *, parent_quiz: bool, step_key: str = "") -> dict:
    module = _activity(module_iri(where.module_id), MODULE, where.module_title)
    activities = {"grouping": [module]}
    if parent_quiz:
        activities["parent"] = [_activity(quiz_iri(where.quiz_id), ASSESSMENT, where.quiz_title)]
    extensions = {
        extension("scenario-revision"): where.revision_id,
        extension("attempt"): where.attempt_number,
    }
    if step_key:
        extensions[extension("step")] = step_key
    return {
        "registration": registration(where.attempt_id),
        "platform": "Signaal",
        "language": LANGUAGE,
        "contextActivities": activities,
        "extensions": extensions,
    }


def _statement(*, sid: uuid.UUID, agent: dict, verb: str, obj: dict, at: datetime, **parts) -> dict:
    return {
        "id": str(sid),
        "actor": agent,
        "verb": _verb(verb),
        "object": obj,
        "timestamp": at.isoformat(),
        **parts,
    }


def quiz_object(where: QuizContext) -> dict:
    return _activity(quiz_iri(where.quiz_id), ASSESSMENT, where.quiz_title)


def initialized(*, sid, agent, where: QuizContext, at: datetime) -> dict:
    return _statement(
        sid=sid,
        agent=agent,
        verb="initialized",
        obj=quiz_object(where),
        at=at,
        context=_context(where, parent_quiz=False),
    )


@dataclass(frozen=True)
class StepAnswer:
    """One answer to one step, with the step's choices as the learner saw them."""

    step_key: str
    step_title: str
    sequencing: bool  # put-in-order: the response is the order of the choices
    choices: tuple[tuple[str, str], ...]  # (id, label) of every choice of the step
    chosen: tuple[str, ...]
    recognised: tuple[str, ...]
    missed: tuple[str, ...]
    score: int
    max_score: int
    correct: bool
    counted: bool


def answered(*, sid, agent, where: QuizContext, answer: StepAnswer, at: datetime) -> dict:
    """The choice-level result: which choices, which signals recognised and missed, the
    score and success; the step and scenario revision in the context."""
    definition = {
        "interactionType": "sequencing" if answer.sequencing else "choice",
        "choices": [
            {"id": choice_id, "description": {LANGUAGE: label}}
            for choice_id, label in answer.choices
        ],
    }
    obj = _activity(
        step_iri(where.quiz_id, answer.step_key), INTERACTION, answer.step_title, **definition
    )
    result = {
        "response": "[,]".join(answer.chosen),
        "success": answer.correct,
        "score": {"raw": answer.score, "min": 0, "max": max(answer.max_score, answer.score)},
        "extensions": {
            extension("choices"): list(answer.chosen),
            extension("recognised-signals"): _signals(answer.recognised),
            extension("missed-signals"): _signals(answer.missed),
            extension("counted"): answer.counted,
        },
    }
    return _statement(
        sid=sid,
        agent=agent,
        verb="answered",
        obj=obj,
        at=at,
        result=result,
        context=_context(where, parent_quiz=True, step_key=answer.step_key),
    )


def _signals(slugs: Iterable[str]) -> list[str]:
    return [signal_iri(slug) for slug in slugs]


def finished(
    *,
    sid,
    agent,
    where: QuizContext,
    passed: bool,
    score: int,
    max_score: int | None,
    at: datetime,
) -> dict:
    """passed or failed, on the quiz, with the attempt's score (and the best possible
    score, when the scenario is simple enough to know it)."""
    score_part = {"raw": score, "min": 0}
    if max_score is not None:
        top = max(max_score, score)
        score_part["max"] = top
        if top:
            score_part["scaled"] = round(score / top, 4)
    return _statement(
        sid=sid,
        agent=agent,
        verb="passed" if passed else "failed",
        obj=quiz_object(where),
        at=at,
        result={"score": score_part, "success": passed, "completion": True},
        context=_context(where, parent_quiz=False),
    )


def terminated(*, sid, agent, where: QuizContext, at: datetime) -> dict:
    return _statement(
        sid=sid,
        agent=agent,
        verb="terminated",
        obj=quiz_object(where),
        at=at,
        context=_context(where, parent_quiz=False),
    )


def _module_context(version: str) -> dict:
    return {
        "platform": "Signaal",
        "language": LANGUAGE,
        "extensions": {extension("module-version"): version},
    }


def launched(*, sid, agent, module_id: int, module_title: str, version: str, at) -> dict:
    """The learner started the module (a new enrolment: first time, renewal or update)."""
    return _statement(
        sid=sid,
        agent=agent,
        verb="launched",
        obj=_activity(module_iri(module_id), MODULE, module_title),
        at=at,
        context=_module_context(version),
    )


def completed(*, sid, agent, module_id: int, module_title: str, version: str, at) -> dict:
    """The module completed (its lessons and quiz, courses' completion rule)."""
    return _statement(
        sid=sid,
        agent=agent,
        verb="completed",
        obj=_activity(module_iri(module_id), MODULE, module_title),
        at=at,
        result={"completion": True},
        context=_module_context(version),
    )
