"""Admin pieces for modules: themes, sectors and the source register as snippets, and the
review report."""

import datetime

import django_filters
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.reports import PageReportView
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import workflow
from .models import ModulePage, Register, Sector, Source, Theme
from .selectors.learning import modules_due_for_review

# How far ahead the review report looks; the author can choose another in the report.
REVIEW_HORIZONS = (30, 90, 180, 365)


class ThemeViewSet(SnippetViewSet):
    model = Theme
    icon = "tag"
    menu_label = _("Themes")
    list_display = ["name", "slug"]
    search_fields = ["name"]
    add_to_admin_menu = False


class SectorViewSet(SnippetViewSet):
    model = Sector
    icon = "group"
    menu_label = _("Sectors")
    list_display = ["name", "slug"]
    search_fields = ["name"]


class SourceViewSet(SnippetViewSet):
    """The source register that modules, lessons and quiz steps cite."""

    model = Source
    icon = "doc-full"
    menu_label = _("Sources")
    list_display = ["title", "issuer", "kind", "date", "checked_on", "key"]
    list_filter = ["kind"]
    search_fields = ["title", "issuer", "key"]


class RegisterViewSet(SnippetViewSet):
    """Professional registers in which modules earn accreditation points."""

    model = Register
    icon = "list-ul"
    menu_label = _("Professional registers")
    list_display = ["name", "slug", "identifier_label", "reporting"]
    search_fields = ["name"]


register_snippet(ThemeViewSet)
register_snippet(RegisterViewSet)
register_snippet(SectorViewSet)
register_snippet(SourceViewSet)


def review_horizon_days(value) -> int:
    """The report's horizon: a day count from REVIEW_HORIZONS, else the setting."""
    try:
        days = int(value)
    except (TypeError, ValueError):
        days = 0
    return days if days in REVIEW_HORIZONS else settings.REVIEW_HORIZON_DAYS


class ReviewDueFilterSet(WagtailFilterSet):
    horizon = django_filters.ChoiceFilter(
        label=_("Due within"),
        choices=[(str(days), _("%(days)s days") % {"days": days}) for days in REVIEW_HORIZONS],
        empty_label=None,
        method="filter_horizon",
    )
    live = django_filters.BooleanFilter(label=_("Live"))

    class Meta:
        model = ModulePage
        fields = ["horizon", "live"]

    def filter_horizon(self, queryset, name, value):
        # The base queryset already applies the horizon (also when none is chosen).
        return queryset


class ModulesDueForReviewView(PageReportView):
    page_title = _("Modules due for review")
    header_icon = "time"
    index_url_name = "courses_review_due"
    index_results_url_name = "courses_review_due_results"
    results_template_name = "courses/admin/review_due_results.html"
    filterset_class = ReviewDueFilterSet
    list_export = ["title", "next_review", "last_reviewed", "content_owner", "current_version"]
    export_headings = {
        "title": _("Module"),
        "next_review": _("Next review"),
        "last_reviewed": _("Last reviewed"),
        "content_owner": _("Content owner"),
        "current_version": _("Version"),
    }
    any_permission_required = ["add", "change", "publish"]

    def get_base_queryset(self):
        return modules_due_for_review(
            on=timezone.localdate() + datetime.timedelta(days=self.horizon_days)
        )

    @property
    def horizon_days(self) -> int:
        return review_horizon_days(self.request.GET.get("horizon"))

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        context["today"] = timezone.localdate()
        context["horizon_days"] = self.horizon_days
        return context


@hooks.register("before_publish_page")
def publish_only_under_a_live_module(request, page):
    """A lesson or quiz goes live only when its module is live: otherwise it would be
    public under a module that learners cannot open. The page stays saved as a draft."""
    module = workflow.module_not_live(page)
    if module is None:
        return None
    messages.error(
        request,
        _(
            "'%(page)s' has been saved as a draft but not published: its module "
            "'%(module)s' is not live yet. Publish the module first."
        )
        % {"page": page.title, "module": module.title},
    )
    return redirect("wagtailadmin_pages:edit", page.pk)


@hooks.register("after_create_page")
@hooks.register("after_edit_page")
def warn_when_submitted_under_a_draft_module(request, page):
    """The author learns at once that a reviewer cannot approve this page before its
    module (courses.workflow refuses such an approval)."""
    if request.method == "POST" and "action-submit" in request.POST:
        warning = workflow.submit_warning(page)
        if warning:
            messages.warning(request, warning)


@hooks.register("before_edit_page")
def warn_the_reviewer_before_approving(request, page):
    """A reviewer opening a page that waits for review sees before approving that it
    cannot go live yet."""
    if request.method == "GET" and page.workflow_in_progress:
        refusal = workflow.approval_refusal(page)
        queued = messages.get_messages(request)
        # After a refused approval the same words are already there, as an error.
        shown = any(str(message) == refusal for message in queued)
        queued.used = False  # looking at the queue must not empty it
        if refusal and not shown:
            messages.warning(request, refusal)


@hooks.register("register_admin_urls")
def register_review_report_urls():
    return [
        path(
            "reports/modules-review/", ModulesDueForReviewView.as_view(), name="courses_review_due"
        ),
        path(
            "reports/modules-review/results/",
            ModulesDueForReviewView.as_view(results_only=True),
            name="courses_review_due_results",
        ),
    ]


class ReviewReportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("wagtailadmin.access_admin")


@hooks.register("register_reports_menu_item")
def register_review_report_menu_item():
    return ReviewReportMenuItem(
        _("Modules due for review"), reverse("courses_review_due"), icon_name="time", order=50
    )
