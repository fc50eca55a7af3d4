"""The national overview report in the Wagtail admin (Reports), for platform administrators
(superusers) only: per sector and region the organisations, members and compliant share,
from the monthly compliance snapshots, with cells about fewer than five people hidden.
Registered in organisations/wagtail_hooks.py."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from organisations.compliance.national import national_overview
from organisations.compliance.reports import PEOPLE_FORMATS, national_overview_file
from organisations.services.audit import record_audit

from .models import AuditAction


def _month(value: str) -> datetime.date | None:
    try:
        return datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        return None


class NationalOverviewView(WagtailAdminTemplateMixin, TemplateView):
    page_title = gettext_lazy("National overview")
    header_icon = "table"
    template_name = "organisations/admin/national_overview.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        asked = request.GET.get("month", "")
        month = _month(asked) if asked else None
        self.overview = national_overview(month=month)
        if asked and (month is None or month not in self.overview.months):
            messages.warning(request, _("There are no figures for that month; showing the latest."))
            self.overview = national_overview()
        fmt = request.GET.get("export", "")
        if fmt in PEOPLE_FORMATS:
            result = national_overview_file(self.overview, fmt)
            record_audit(
                actor=request.user,
                organisation=None,
                action=AuditAction.EXPORTED,
                detail={"format": fmt, "report": "national_overview", "filters": result.filters},
            )
            response = HttpResponse(result.content, content_type=result.content_type)
            response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
            return response
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["overview"] = self.overview
        context["hidden"] = f"< {self.overview.minimum_group}"
        return context
