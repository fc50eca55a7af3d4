"""Views for the catalogue, module and lesson pages and 'Mijn leren'. Thin: they read
through courses.selectors and write through courses.services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
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


def catalogue_page(request: HttpRequest, page: CourseIndexPage) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    filters = selectors.CatalogueFilters.from_querydict(request.GET)
    result = selectors.catalogue(filters)
    context = {
        "page": page,
        "self": page,
        "filters": filters,
        "catalogue": result,
        "themes": Theme.objects.all(),
        "levels": Level.choices,
        "sectors": Sector.objects.all(),
        "durations": [(key, DURATION_LABELS[key]) for key in DURATION_BUCKETS],
    }
    return TemplateResponse(request, "courses/course_index_page.html", context)


def module_page(request: HttpRequest, page: ModulePage) -> HttpResponse:
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(page.url)
        enrolment = services.start_module(user=request.user, module=page)
        outline = selectors.module_outline(module=page, enrolment=enrolment)
        target = enrolment.last_lesson or next(
            (s.lesson for s in outline.steps if not s.done), None
        )
        if target is None and outline.steps:
            target = outline.steps[0].lesson
        return redirect(target.url if target else page.url)
    enrolment = selectors.learner_enrolment(user=request.user, module=page)
    outline = selectors.module_outline(module=page, enrolment=enrolment)
    context = {
        "page": page,
        "self": page,
        "enrolment": enrolment,
        "outline": outline,
        "themes": page.themes.all(),
        "sectors": page.target_sectors.all(),
        "accreditations": page.accreditations.all(),
    }
    return TemplateResponse(request, "courses/module_page.html", context)


def lesson_page(request: HttpRequest, page: LessonPage) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(page.url)
    module = page.get_parent().specific
    if request.method == "POST":
        return _lesson_action(request, page, module)
    enrolment = services.start_module(user=request.user, module=module)
    services.record_lesson_visit(enrolment=enrolment, lesson=page)
    outline = selectors.module_outline(module=module, enrolment=enrolment, current=page)
    previous_lesson, next_lesson = outline.neighbours(page)
    context = {
        "page": page,
        "self": page,
        "module": module,
        "enrolment": enrolment,
        "outline": outline,
        "previous_lesson": previous_lesson,
        "next_lesson": next_lesson,
        "lesson_done": any(step.done for step in outline.steps if step.current),
        "reflections": selectors.reflection_answers(user=request.user, lesson=page),
    }
    return TemplateResponse(request, "courses/lesson_page.html", context)


def _lesson_action(request: HttpRequest, page: LessonPage, module: ModulePage) -> HttpResponse:
    action = request.POST.get("action")
    if action == "complete":
        enrolment = services.complete_lesson(user=request.user, lesson=page)
        outline = selectors.module_outline(module=module, enrolment=enrolment, current=page)
        _previous, next_lesson = outline.neighbours(page)
        if enrolment.completed_at:
            messages.success(request, _("You have completed this module."))
            return redirect(module.url)
        return redirect(next_lesson.url if next_lesson else module.url)
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
