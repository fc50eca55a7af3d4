"""Admin pieces for quizzes: signals as snippets, the insight report authors use to see
how a quiz is played (aggregated only, no names), and the quiz editor's map and checks."""

import json

from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import Button
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import scenario as rules
from .editor import FormDataError, map_strings, scenario_from_form_data
from .insight import MINIMUM_GROUP, quiz_insight
from .insight_map import insight_diagram
from .models import ScenarioQuizPage, Signal


class SignalViewSet(SnippetViewSet):
    model = Signal
    icon = "warning"
    menu_label = _("Signals")
    list_display = ["name", "kind", "theme"]
    list_filter = ["kind", "theme"]
    search_fields = ["name"]


register_snippet(SignalViewSet)


def _editable_quizzes(user):
    return [
        quiz
        for quiz in ScenarioQuizPage.objects.all().order_by("path")
        if quiz.permissions_for_user(user).can_edit()
    ]


class QuizInsightIndexView(WagtailAdminTemplateMixin, TemplateView):
    page_title = _("Scenario quiz insight")
    header_icon = "radio-full"
    template_name = "quizzes/admin/insight_index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = [
            (quiz, quiz_insight(quiz)) for quiz in _editable_quizzes(self.request.user)
        ]
        context["minimum_group"] = MINIMUM_GROUP
        return context


class QuizInsightView(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "radio-full"
    template_name = "quizzes/admin/insight.html"

    def dispatch(self, request, *args, **kwargs):
        self.quiz = get_object_or_404(ScenarioQuizPage, pk=kwargs["page_id"])
        if not self.quiz.permissions_for_user(request.user).can_edit():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Insight: %(title)s") % {"title": self.quiz.title}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            quiz=self.quiz,
            module=self.quiz.get_parent(),
            insight=quiz_insight(self.quiz),
            minimum_group=MINIMUM_GROUP,
            best_possible=rules.best_score(self.quiz.scenario),
        )
        context["diagram"] = insight_diagram(self.quiz, context["insight"])
        context["map_strings"] = json.dumps(map_strings())
        return context


@require_POST
def scenario_map(request):
    """The map and checks beside the steps: the graph and publication problems of the
    steps as the posted page form holds them (nothing is saved, nothing else is read)."""
    stream_block = ScenarioQuizPage._meta.get_field("steps").stream_block
    try:
        scenario = scenario_from_form_data(stream_block, request.POST, request.FILES)
    except FormDataError:
        return JsonResponse({"error": gettext("These are not a quiz's steps.")}, status=400)
    return JsonResponse(rules.diagram(scenario).as_json())


@hooks.register("register_admin_urls")
def register_insight_urls():
    return [
        path("reports/quiz-insight/", QuizInsightIndexView.as_view(), name="quizzes_insight_index"),
        path(
            "reports/quiz-insight/<int:page_id>/",
            QuizInsightView.as_view(),
            name="quizzes_insight",
        ),
        path("quizzes/scenario-map/", scenario_map, name="quizzes_scenario_map"),
    ]


class InsightMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("wagtailadmin.access_admin")


@hooks.register("register_reports_menu_item")
def register_insight_menu_item():
    return InsightMenuItem(
        _("Scenario quiz insight"),
        reverse("quizzes_insight_index"),
        icon_name="radio-full",
        order=60,
    )


@hooks.register("register_page_header_buttons")
def insight_header_button(page, user, view_name, next_url=None):
    if isinstance(page.specific_deferred, ScenarioQuizPage):
        yield Button(
            _("Insight"),
            url=reverse("quizzes_insight", args=[page.pk]),
            icon_name="radio-full",
            priority=66,
        )
