"""The quiz page: intro, the current step, feedback, results. Plain form posts (it works
without JavaScript); the server decides everything through quizzes.services."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from wagtail.images import get_image_model

from courses.api import completion_panels

from . import scenario as rules
from . import selectors, services
from .models import ScenarioQuizPage

MAX_CHOICES = 50


def open_quiz(request: HttpRequest, page: ScenarioQuizPage) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(page.url)
    return None


def quiz_context(request: HttpRequest, page: ScenarioQuizPage) -> dict:
    # Read-only: an editor's preview renders the whole graph and records nothing.
    module = page.get_parent().specific
    context = {"module": module, "is_preview": getattr(request, "is_preview", False)}
    if context["is_preview"]:
        context["scenario"] = page.scenario
        context["preview_problems"] = rules.problems(page.scenario)
        return context
    state = selectors.quiz_state(user=request.user, quiz=page)
    context["state"] = state
    shown = selectors.learner_attempt(
        user=request.user, quiz=page, attempt_id=request.GET.get("poging")
    )
    if shown and shown.is_finished:
        report = selectors.attempt_report(shown)
        context["report"] = report
        context["citations"] = selectors.step_citations(report.scenario)
        context["feedback_entry"] = _feedback_asked(request, report)
        if shown.passed and shown.enrolment.completed_at and not context["feedback_entry"]:
            # The finish line: what the apps above courses add (certificate, what the
            # organisation asks next), through courses' extension point.
            context["completion_panels"] = completion_panels(request, shown.enrolment)
            context["completed_module"] = shown.enrolment.module
        return context
    attempt = state.open_attempt
    if attempt:
        report = selectors.attempt_report(attempt)
        step = report.scenario.step(attempt.current_step)
        remaining = rules.remaining_questions(report.scenario, step.key)
        context.update(
            attempt=attempt,
            report=report,
            feedback_entry=_feedback_asked(request, report),
            per_step=report.scenario.feedback == rules.FeedbackTiming.PER_STEP,
            step=step,
            choices=selectors.displayed_choices(attempt, step),
            positions=range(1, len(step.choices) + 1),
            step_number=len(report.path) + 1,
            citations=selectors.step_citations(report.scenario),
            show_feedback=report.scenario.feedback == rules.FeedbackTiming.PER_STEP,
            # 'Question 3 of 5', or 'of at least 5' when the branches differ in length.
            questions_total=len(report.path) + remaining.fewest,
            questions_exact=remaining.most == remaining.fewest,
            step_image=(
                get_image_model().objects.filter(pk=step.image_id).first()
                if step.image_id
                else None
            ),
        )
    return context


def _feedback_asked(request: HttpRequest, report: selectors.AttemptReport):
    """The answer whose feedback the page shows before the next step: the last one, when
    the quiz gives feedback per step and the address asks for it (`?feedback=<number of
    answers>`, so an old address never shows stale feedback)."""
    if report.scenario.feedback != rules.FeedbackTiming.PER_STEP or not report.path:
        return None
    if request.GET.get("feedback") != str(len(report.path)):
        return None
    return report.last


def quiz_action(request: HttpRequest, page: ScenarioQuizPage) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(page.url)
    action = request.POST.get("action")
    if action == "start":
        try:
            services.start_attempt(user=request.user, quiz=page)
        except services.QuizRefusal as refusal:
            messages.error(request, str(refusal))
        return redirect(f"{page.url}#vraag")
    if action == "answer":
        return _answer(request, page)
    messages.error(request, _("That action is not possible here."))
    return redirect(page.url)


def _answer(request: HttpRequest, page: ScenarioQuizPage) -> HttpResponse:
    attempt = selectors.learner_attempt(
        user=request.user, quiz=page, attempt_id=request.POST.get("attempt")
    )
    if attempt is None:
        messages.error(request, _("That attempt does not exist."))
        return redirect(page.url)
    step_key = request.POST.get("step", "")[:60]
    try:
        choice_ids = _choice_ids(request, attempt, step_key)
        result = services.answer(attempt=attempt, step_key=step_key, choice_ids=choice_ids)
    except services.QuizRefusal as refusal:
        messages.error(request, str(refusal))
        return redirect(f"{page.url}#vraag")
    attempt = result.attempt
    answered = attempt.answers.count()
    per_step = selectors.scenario_for_revision(attempt.revision_id).feedback == (
        rules.FeedbackTiming.PER_STEP
    )
    # Feedback first, where the learner looks; the next step (or the result) when they go on.
    if attempt.is_finished:
        if per_step:
            return redirect(f"{page.url}?poging={attempt.pk}&feedback={answered}#feedback")
        # No fragment: the result (or the finish line above it) takes focus itself.
        return redirect(f"{page.url}?poging={attempt.pk}")
    if per_step:
        return redirect(f"{page.url}?feedback={answered}#feedback")
    return redirect(f"{page.url}#vraag")


def _choice_ids(request, attempt, step_key: str) -> list[str]:
    try:
        return choice_ids_from(request.POST)
    except rules.AnswerError as error:
        raise services.QuizRefusal(str(error)) from error


def choice_ids_from(data: QueryDict) -> list[str]:
    """The choices from the answer form (the live quiz's, and the author's 'play as a
    learner' preview). A put-in-order answer arrives as a position per item (select boxes,
    usable without a mouse or JavaScript) and becomes the ordered ids. Raises AnswerError."""
    positions = {
        name.removeprefix("position-"): value
        for name, value in data.items()
        if name.startswith("position-")
    }
    if not positions:
        chosen = data.getlist("choice")[:MAX_CHOICES]
        return [choice[:64] for choice in chosen]
    if len(positions) > MAX_CHOICES:
        raise rules.AnswerError(_("That choice does not belong to this question."))
    try:
        numbered = {item[:64]: int(value) for item, value in positions.items()}
    except ValueError:
        raise rules.AnswerError(_("Give every item a place number.")) from None
    if len(set(numbered.values())) != len(numbered):
        raise rules.AnswerError(
            _("Two items have the same place. Give every item a place of its own.")
        )
    return sorted(numbered, key=numbered.get)
