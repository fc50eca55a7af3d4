"""'Play as a learner' (issue 21.3): a preview mode in which the author plays the draft
quiz from its first step as a learner would, with feedback, branches and the result.

It records nothing: no attempt, answer, enrolment, progress or certificate. The answers
given so far travel in a signed token in the page address (the preview panel renders the
page for a GET only: its POST is the editor's form), and every request replays them from
the start with the live quiz's own rules (quizzes.scenario.replay, take_step)."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.core import signing
from django.http import HttpRequest, QueryDict
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from wagtail.images import get_image_model

from . import scenario as rules
from . import selectors
from .views import choice_ids_from

PLAY_MODE = "play"
SALT = "quizzes.play-preview"
MAX_ANSWERS = 200  # far beyond any real quiz; a token is never allowed to grow unbounded


@dataclass(frozen=True)
class PreviewAnswer:
    """What the feedback template reads of an answer (as QuizAnswer has it)."""

    choice_ids: tuple[str, ...]
    score: int
    counted: bool


@dataclass(frozen=True)
class PreviewEntry:
    step: rules.Step
    answer: PreviewAnswer
    evaluation: rules.Evaluation

    @property
    def chosen_labels(self) -> list[str]:
        return [self.step.choice(choice_id).label for choice_id in self.answer.choice_ids]


def _token(answers: list[tuple[str, list[str]]], page_key: str) -> str:
    return signing.dumps([page_key, answers], salt=SALT, compress=True)


def _answers(token: str, page_key: str) -> list[tuple[str, list[str]]]:
    """The answers in a token made for this page; none for a missing or foreign one."""
    if not token:
        return []
    try:
        key, answers = signing.loads(token, salt=SALT)
    except (signing.BadSignature, TypeError, ValueError):
        return []
    if key != page_key or not isinstance(answers, list):
        return []
    return [(str(step), [str(choice) for choice in chosen]) for step, chosen in answers][
        :MAX_ANSWERS
    ]


def serve_play(page, request: HttpRequest) -> TemplateResponse:
    """The preview response for the 'play' mode. `request.play_query` holds the preview
    address's query (ScenarioQuizPage.make_preview_request passes it on)."""
    query = getattr(request, "play_query", None) or QueryDict()
    scenario = page.scenario
    page_key = str(page.pk or "new")
    answers = _answers(query.get("play", ""), page_key)
    notice = error = ""
    try:
        play = rules.replay(scenario, answers)
    except rules.AnswerError:
        # The draft changed under the answers given so far: start again.
        answers, notice = [], _("The draft has changed: playing again from the first step.")
        play = _replay_or_none(scenario, answers)
    just_answered = None
    step_key = query.get("step", "")[:60]
    if play and not play.finished and step_key:
        try:
            given = (step_key, choice_ids_from(query))
            play = rules.replay(scenario, [*answers, given])
            answers = [*answers, given]
            just_answered = play.answers[-1]
        except rules.AnswerError as refusal:
            error = str(refusal)
    entries = [_entry(played) for played in play.answers] if play else []
    per_step = scenario.feedback == rules.FeedbackTiming.PER_STEP
    in_panel = bool(getattr(request, "in_preview_panel", False))
    token = _token(answers, page_key)
    panel = {"in_preview_panel": "true"} if in_panel else {}
    context = {
        "page": page,
        "self": page,
        "module": _module(page),
        "is_preview": True,
        "play": play,
        "entries": entries,
        "notice": notice,
        "error": error,
        "problems": rules.problems(scenario),
        "hidden": {"mode": PLAY_MODE, "play": token, **panel},
        "continue_query": "?" + urlencode({"mode": PLAY_MODE, "play": token, **panel}),
        "restart_query": "?" + urlencode({"mode": PLAY_MODE, **panel}),
        # Per-step feedback shows first, with a way on; at the end it waits for the result.
        "feedback_entry": entries[-1] if just_answered and per_step else None,
        "citations": selectors.step_citations(scenario),
    }
    if play and not play.finished:
        step = play.current
        remaining = rules.remaining_questions(scenario, step.key)
        context.update(
            step=step,
            choices=selectors.shuffled_choices(
                step, shuffle=scenario.shuffle, seed=f"preview:{page_key}:{step.key}"
            ),
            positions=range(1, len(step.choices) + 1),
            step_image=(
                get_image_model().objects.filter(pk=step.image_id).first()
                if step.image_id
                else None
            ),
            step_number=len(play.answers) + 1,
            questions_total=len(play.answers) + remaining.fewest,
            questions_exact=remaining.most == remaining.fewest,
        )
    elif play:
        context.update(
            best_possible=rules.best_score(scenario),
            missed_signals=selectors.signals_to_review(
                (entry.evaluation.missed, entry.evaluation.recognised) for entry in entries
            ),
        )
    return TemplateResponse(request, "quizzes/play_preview.html", context)


def _replay_or_none(scenario, answers):
    try:
        return rules.replay(scenario, answers)
    except rules.AnswerError:
        return None  # nothing to play (no steps yet)


def _entry(played: rules.PlayedAnswer) -> PreviewEntry:
    return PreviewEntry(
        step=played.step,
        answer=PreviewAnswer(played.choice_ids, played.move.score, played.move.counted),
        evaluation=played.move.evaluation,
    )


def _module(page):
    try:
        return page.get_parent().specific
    except AttributeError:
        return None
