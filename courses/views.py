"""Views for the catalogue, module and lesson pages and 'Mijn leren'. Thin: they read
through courses.selectors and write through courses.services."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks

from . import services
from .models import CourseIndexPage, LessonPage, Level, ModulePage, Sector, Theme
from .search_index import DURATION_BUCKETS
from .selectors import learning
from .selectors.catalogue import CatalogueFilters, catalogue

DURATION_LABELS = {
    "kort": gettext_lazy("Less than 30 minutes"),
    "middel": gettext_lazy("30 to 60 minutes"),
    "lang": gettext_lazy("60 minutes or more"),
}


# The finish line of a completed module is built from panels that the apps above courses
# register under this Wagtail hook name (certificates: the certificate; organisations: what
# the learner's organisations ask next): courses shows them without importing those apps.
COMPLETION_PANELS_HOOK = "signaal_completion_panels"


def completion_panels(request: HttpRequest, enrolment) -> list[str]:
    """Each registered panel's HTML for a completed enrolment, in hook order; a hook that
    has nothing to say returns an empty string and is left out."""
    panels = (panel(request, enrolment) for panel in hooks.get_hooks(COMPLETION_PANELS_HOOK))
    return [html for html in panels if html]


def catalogue_context(request: HttpRequest, page: CourseIndexPage) -> dict:
    themes, sectors = list(Theme.objects.all()), list(Sector.objects.all())
    filters = CatalogueFilters.from_querydict(request.GET, themes=themes, sectors=sectors)
    return {
        "filters": filters,
        "catalogue": catalogue(filters),
        "themes": themes,
        "levels": Level.choices,
        "sectors": sectors,
        "durations": [(key, DURATION_LABELS[key]) for key in DURATION_BUCKETS],
    }


def module_context(request: HttpRequest, page: ModulePage) -> dict:
    enrolment = learning.learner_enrolment(user=request.user, module=page)
    offer = learning.certificate_offer(user=request.user, module=page, enrolment=enrolment)
    outline = learning.module_outline(module=page, enrolment=enrolment)
    return {
        "enrolment": enrolment,
        "completion_panels": (
            completion_panels(request, enrolment) if enrolment and enrolment.completed_at else []
        ),
        "certificate_offer": offer,
        "start_label": learning.start_button_label(
            module=page, enrolment=enrolment, offer=offer, is_update=outline.is_update
        ),
        "assessment": learning.module_assessment(module=page, enrolment=enrolment),
        "outline": outline,
        "themes": page.themes.all(),
        "sectors": page.target_sectors.all(),
        "accreditations": page.accreditations.all(),
    }


def start_module(request: HttpRequest, page: ModulePage) -> HttpResponse:
    """POST on a module page: enrol and go to where the learner should be."""
    if not request.user.is_authenticated:
        return redirect_to_login(page.url)
    enrolment = services.start_module(user=request.user, module=page)
    outline = learning.module_outline(module=page, enrolment=enrolment)
    next_step = outline.next_step
    target = enrolment.last_lesson or (next_step.lesson if next_step else None)
    if target is None and outline.steps:
        target = outline.steps[0].lesson
    return redirect(target.url if target else page.url)


def open_lesson(request: HttpRequest, page: LessonPage) -> HttpResponse | None:
    """GET on a lesson: learners must be logged in; the visit is where they resume.
    A visitor may read a module's first lesson as a taster, and nothing is recorded.
    Returns a response when the page should not be rendered."""
    if not request.user.is_authenticated:
        if learning.is_taster(page):
            return None
        return redirect_to_login(page.url)
    module = page.get_parent().specific
    enrolment = services.start_module(user=request.user, module=module)
    services.record_lesson_visit(enrolment=enrolment, lesson=page)
    return None


def lesson_context(request: HttpRequest, page: LessonPage) -> dict:
    # Read-only, so that an editor's preview of a draft records nothing.
    module = page.get_parent().specific
    enrolment = learning.learner_enrolment(user=request.user, module=module)
    outline = learning.module_outline(module=module, enrolment=enrolment, current=page)
    previous_lesson, next_lesson = outline.neighbours(page)
    return {
        "module": module,
        "enrolment": enrolment,
        "outline": outline,
        "previous_lesson": previous_lesson,
        "next_lesson": next_lesson,
        "lesson_done": any(step.done for step in outline.steps if step.current),
        "reflections": learning.reflection_answers(user=request.user, lesson=page),
        # After 'save answer' without JavaScript: the confirmation goes next to that answer.
        "saved_block": request.GET.get("opgeslagen", "")[:64],
        "is_taster": not request.user.is_authenticated,
    }


def lesson_action(request: HttpRequest, page: LessonPage) -> HttpResponse:
    """POST on a lesson: mark it done, or save reflection answers. Every reflection on the
    page belongs to the lesson's one form, so whatever the learner clicks, what they typed
    is saved first: nothing typed is lost."""
    if not request.user.is_authenticated:
        return redirect_to_login(page.url)
    module = page.get_parent().specific
    action = request.POST.get("action", "")
    if action == "autosave":
        return _autosave(request, page)
    try:
        saved = _save_reflections(request, page)
    except ValueError:
        messages.error(request, _("Your answer could not be saved. Keep it under 5000 characters."))
        return redirect(page.url)
    if action == "complete":
        enrolment = services.complete_lesson(user=request.user, lesson=page)
        outline = learning.module_outline(module=module, enrolment=enrolment, current=page)
        _previous, next_lesson = outline.neighbours(page)
        if saved:
            messages.success(request, _("Your answer has been saved. Only you can see it."))
        if enrolment.completed_at:
            messages.success(request, _("You have completed this module."))
            return redirect(module.url)
        if next_lesson:
            return redirect(next_lesson.url)
        assessment = learning.module_assessment(module=module, enrolment=enrolment)
        if assessment and not assessment.passed and outline.done == outline.total:
            messages.success(
                request, _("You have read every lesson. The scenario quiz completes the module.")
            )
            return redirect(assessment.quiz.url)
        return redirect(module.url)
    block_id = action.removeprefix("reflect:") if action.startswith("reflect:") else ""
    if action == "reflect":
        block_id = request.POST.get("block_id", "")[:64]
    if block_id:
        return redirect(f"{page.url}?opgeslagen={block_id}#reflectie-{block_id}")
    messages.error(request, _("That action is not possible here."))
    return redirect(page.url)


def _save_reflections(request: HttpRequest, page: LessonPage) -> int:
    """Save the reflection answers in the post (`answer-<block id>`, or the older single
    `block_id` + `answer`); returns how many hold text. Raises ValueError when one is
    refused, before anything is saved."""
    answers = {
        name.removeprefix("answer-")[:64]: value
        for name, value in request.POST.items()
        if name.startswith("answer-")
    }
    if request.POST.get("action") == "reflect" and "block_id" in request.POST:
        answers[request.POST["block_id"][:64]] = request.POST.get("answer", "")
    with transaction.atomic():
        for block_id, answer in answers.items():
            services.save_reflection(
                user=request.user, lesson=page, block_id=block_id, answer=answer
            )
    return sum(1 for answer in answers.values() if answer.strip())


def _autosave(request: HttpRequest, page: LessonPage) -> JsonResponse:
    """A reflection saved while the learner types (courses/reflection.js)."""
    try:
        services.save_reflection(
            user=request.user,
            lesson=page,
            block_id=request.POST.get("block_id", "")[:64],
            answer=request.POST.get("answer", ""),
        )
    except ValueError:
        return JsonResponse({"saved": False}, status=400)
    return JsonResponse({"saved": True, "at": date_format(timezone.localtime(), "TIME_FORMAT")})
