"""The admin home's panel for authors and reviewers (issue 21.5): their drafts, what waits
for their review, modules due for review and quizzes that cannot be published as drafted.
Each list is one bounded query (quizzes: one per listed draft at most, cached per
revision), whatever the size of the catalogue."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.ui.components import Component
from wagtail.models import Page, TaskState
from wagtail.permission_policies.pages import PagePermissionPolicy

from courses.api import modules_due_for_review
from courses.models import ModulePage
from quizzes.api import revision_problems
from quizzes.models import ScenarioQuizPage

LIMIT = 10  # per list; the reports and the page explorer have the rest


def _kind(page: Page) -> str:
    model = page.content_type.model_class()
    return str(model._meta.verbose_name) if model else ""


@dataclass(frozen=True)
class DraftItem:
    page: Page
    kind: str


@dataclass(frozen=True)
class ReviewItem:
    page: Page
    kind: str
    task: str
    requested_by: str
    blocked_by_module: str  # the module that is not live yet, when approval would be refused


@dataclass(frozen=True)
class QuizProblems:
    quiz: ScenarioQuizPage
    problems: list[str]


def my_drafts(user) -> list[DraftItem]:
    """Pages whose latest, unpublished changes are the user's, newest first."""
    pages = (
        Page.objects.filter(has_unpublished_changes=True, latest_revision__user=user)
        .select_related("content_type")
        .order_by("-latest_revision_created_at", "-pk")[:LIMIT]
    )
    return [DraftItem(page, _kind(page)) for page in pages]


def waiting_for_review(user) -> list[ReviewItem]:
    """Pages in a workflow task the user may approve, oldest first, each saying when
    its module is not live yet (courses.workflow would refuse the approval)."""
    states = list(
        TaskState.objects.reviewable_by(user)
        .filter(status=TaskState.STATUS_IN_PROGRESS)
        .select_related("task", "workflow_state__requested_by")
        .order_by("started_at")[:LIMIT]
    )
    ids = [int(state.workflow_state.object_id) for state in states]
    pages = Page.objects.select_related("content_type").in_bulk(ids)
    parents = {page.path[: -Page.steplen] for page in pages.values()}
    draft_modules = dict(
        ModulePage.objects.filter(path__in=parents, live=False).values_list("path", "title")
    )
    items = []
    for state in states:
        page = pages.get(int(state.workflow_state.object_id))
        if page is None:
            continue
        requester = state.workflow_state.requested_by
        items.append(
            ReviewItem(
                page=page,
                kind=_kind(page),
                task=state.task.name,
                requested_by=requester.display_name if requester else "",
                blocked_by_module=draft_modules.get(page.path[: -Page.steplen], ""),
            )
        )
    return items


def modules_to_review(*, days: int) -> list[ModulePage]:
    on = timezone.localdate() + datetime.timedelta(days=days)
    return list(modules_due_for_review(on=on).only("title", "next_review", "live")[:LIMIT])


def quizzes_with_problems(user) -> list[QuizProblems]:
    """Quiz drafts the user may edit that cannot be published as they stand, with the
    publication check's messages (checked once per revision: quizzes.api)."""
    drafts = [
        quiz
        for quiz in ScenarioQuizPage.objects.filter(
            has_unpublished_changes=True, latest_revision__isnull=False
        ).order_by("-latest_revision_created_at", "-pk")[:LIMIT]
        if quiz.permissions_for_user(user).can_edit()
    ]
    problems = revision_problems([quiz.latest_revision_id for quiz in drafts])
    return [
        QuizProblems(quiz, problems[quiz.latest_revision_id])
        for quiz in drafts
        if problems.get(quiz.latest_revision_id)
    ]


class AuthorPanel(Component):
    """First on the admin home for anyone who may edit pages."""

    name = "signaal_author"
    template_name = "cms/admin/author_panel.html"
    order = 50

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context):
        user = self.request.user
        days = settings.REVIEW_HORIZON_DAYS
        return {
            "drafts": my_drafts(user),
            "reviews": waiting_for_review(user),
            "modules": modules_to_review(days=days),
            "quizzes": quizzes_with_problems(user),
            "horizon_days": days,
            "today": timezone.localdate(),
            "review_report_url": reverse("courses_review_due") + f"?horizon={days}",
        }


def construct_panels(request, panels) -> None:
    """construct_homepage_panels: the panel for people who may edit pages."""
    policy = PagePermissionPolicy()
    if policy.user_has_any_permission(request.user, ["add", "change", "publish"]):
        panels.append(AuthorPanel(request))
