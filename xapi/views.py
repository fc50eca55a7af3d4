"""The coordinator's statement export (/organisaties/<slug>/leerregistraties/): the
organisation's xAPI statements of a period as JSON lines, for organisations without an
LRS. Coordinators of that organisation only (organisations' coordinator_area); every
download is in the audit log."""

from datetime import timedelta

from django import forms
from django.http import StreamingHttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from organisations.api import coordinator_area, private

from . import selectors, services
from .models import LrsConfig

MAX_DAYS = 366


def _date_input() -> forms.DateInput:
    # A date picker's value is always ISO, whatever the language.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=_date_input())
    end = forms.DateField(label=_("To (inclusive)"), widget=_date_input())

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError(_("The end date is before the start date."))
            if (end - start).days >= MAX_DAYS:
                raise forms.ValidationError(_("Choose a period of at most a year."))
        return cleaned


@coordinator_area
@require_http_methods(["GET", "POST"])
def statement_export(request, organisation):
    config = LrsConfig.objects.filter(organisation=organisation).first()
    today = timezone.localdate()
    form = PeriodForm(
        request.POST or None,
        initial={"start": today - timedelta(days=30), "end": today},
    )
    if request.method == "POST" and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        rows = services.audited_export(
            actor=request.user, organisation=organisation, start=start, end=end
        )
        response = StreamingHttpResponse(
            selectors.export_lines(rows), content_type="application/x-ndjson; charset=utf-8"
        )
        filename = f"xapi-{organisation.slug}-{start:%Y%m%d}-{end:%Y%m%d}.jsonl"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return private(response)
    return private(
        TemplateResponse(
            request,
            "xapi/export.html",
            {"organisation": organisation, "config": config, "form": form},
            status=400 if form.is_bound else 200,
        )
    )
