"""Views for the catalogue, module and lesson pages and 'Mijn leren'. Thin: they read
through courses.selectors and write through courses.services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import selectors, services
from .models import CourseIndexPage, LessonPage, Level, ModulePage, Sector, Theme
from .search_index import DURATION_BUCKETS

DURATION_LABELS = {
    "kort": gettext_lazy("Less than 30 minutes"),
    "middel": gettext_lazy("30 to 60 minutes"),
    "lang": gettext_lazy("60 minutes or more"),
}


def catalogue_context(request: HttpRequest, page: CourseIndexPage) -> dict:
    themes, sectors = list(Theme.objects.all()), list(Sector.objects.all())
    filters = selectors.CatalogueFilters.from_querydict(request.GET, themes=themes, sectors=sectors)
    return {
        "filters": filters,
        "catalogue": selectors.catalogue(filters),
        "themes": themes,
        "levels": Level.choices,
        "sectors": sectors,
        "durations": [(key, DURATION_LABELS[key]) for key in DURATION_BUCKETS],
    }


def module_context(request: HttpRequest, page: ModulePage) -> dict:
    enrolment = selectors.learner_enrolment(user=request.user, module=page)
    return {
        "enrolment": enrolment,
        "certificate_offer": selectors.certificate_offer(
            user=request.user, module=page, enrolment=enrolment
        ),
        "assessment": selectors.module_assessment(module=page, enrolment=enrolment),
        "outline": selectors.module_outline(module=page, enrolment=enrolment),
        "themes": page.themes.all(),
        "sectors": page.target_sectors.all(),
        "accreditations": page.accreditations.all(),
    }


def start_module(request: HttpRequest, page: ModulePage) -> HttpResponse:
    """POST on a module page: enrol and go to where the learner should be."""
    if not request.user.is_authenticated:
        return redirect_to_login(page.url)
    enrolment = services.start_module(user=request.user, module=page)
    outline = selectors.module_outline(module=page, enrolment=enrolment)
    next_step = outline.next_step
    target = enrolment.last_lesson or (next_step.lesson if next_step else None)
    if target is None and outline.steps:
        target = outline.steps[0].lesson
    return redirect(target.url if target else page.url)


def open_lesson(request: HttpRequest, page: LessonPage) -> HttpResponse | None:
    """GET on a lesson: learners must be logged in; the visit is where they resume.
    Returns a response when the page should not be rendered."""
    if not request.user.is_authenticated:
        return redirect_to_login(page.url)
    module = page.get_parent().specific
    enrolment = services.start_module(user=request.user, module=module)
    services.record_lesson_visit(enrolment=enrolment, lesson=page)
    return None


def lesson_context(request: HttpRequest, page: LessonPage) -> dict:
    # Read-only, so that an editor's preview of a draft records nothing.
    module = page.get_parent().specific
    enrolment = selectors.learner_enrolment(user=request.user, module=module)
    outline = selectors.module_outline(module=module, enrolment=enrolment, current=page)
    previous_lesson, next_lesson = outline.neighbours(page)
    return {
        "module": module,
        "enrolment": enrolment,
        "outline": outline,
        "previous_lesson": previous_lesson,
        "next_lesson": next_lesson,
        "lesson_done": any(step.done for step in outline.steps if step.current),
        "reflections": selectors.reflection_answers(user=request.user, lesson=page),
    }


def lesson_action(request: HttpRequest, page: LessonPage) -> HttpResponse:
    """POST on a lesson: mark it done, or save a reflection answer."""
    if not request.user.is_authenticated:
        return redirect_to_login(page.url)
    module = page.get_parent().specific
    action = request.POST.get("action")
    if action == "complete":
        enrolment = services.complete_lesson(user=request.user, lesson=page)
        outline = selectors.module_outline(module=module, enrolment=enrolment, current=page)
        _previous, next_lesson = outline.neighbours(page)
        if enrolment.completed_at:
            messages.success(request, _("You have completed this module."))
            return redirect(module.url)
        if next_lesson:
            return redirect(next_lesson.url)
        assessment = selectors.module_assessment(module=module, enrolment=enrolment)
        if assessment and not assessment.passed and outline.done == outline.total:
            messages.success(
                request, _("You have read every lesson. The scenario quiz completes the module.")
            )
            return redirect(assessment.quiz.url)
        return redirect(module.url)
    if action == "reflect":
        block_id = request.POST.get("block_id", "")
        try:
            services.save_reflection(
                user=request.user,
                lesson=page,
                block_id=block_id,
                answer=request.POST.get("answer", ""),
            )
        except ValueError:
            messages.error(
                request, _("Your answer could not be saved. Keep it under 5000 characters.")
            )
            return redirect(page.url)
        messages.success(request, _("Your answer has been saved. Only you can see it."))
        return redirect(f"{page.url}#reflectie-{block_id}")
    messages.error(request, _("That action is not possible here."))
    return redirect(page.url)


@login_required
def my_learning(request: HttpRequest) -> HttpResponse:
    overview = selectors.my_learning(user=request.user)
    return TemplateResponse(request, "courses/my_learning.html", {"overview": overview})
