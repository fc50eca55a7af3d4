"""The administrators' attendance report (Reports → Accreditation attendance): per register
and period, what is to be reported or was, as PE-online's XML or a CSV file, and sending
the pending completions to PE-online's web service when it is configured."""

import csv
import datetime
import io

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from core.dates import add_months
from courses.models import AttendanceReporting, Register

from . import pe_online
from .attendance import attendance_for_period, pending_attendance


class PeriodForm(forms.Form):
    register = forms.ModelChoiceField(
        Register.objects.all(), label=gettext_lazy("Register"), empty_label=None
    )
    start = forms.DateField(
        label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("The period ends before it starts."))
        return data


def _last_month() -> tuple[datetime.date, datetime.date]:
    first_of_this_month = timezone.localdate().replace(day=1)
    return add_months(first_of_this_month, -1), first_of_this_month - datetime.timedelta(days=1)


class AttendanceReportView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "certificates/admin/attendance.html"
    page_title = gettext_lazy("Accreditation attendance")
    header_icon = "list-ul"

    def dispatch(self, request, *args, **kwargs):
        # Registration numbers are personal data: platform administrators only.
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def _form(self, data):
        start, end = _last_month()
        register = Register.objects.first()
        initial = {"start": start, "end": end, "register": register}
        if "register" not in data:
            return PeriodForm(initial=initial), (register, start, end) if register else None
        form = PeriodForm(data)
        if form.is_valid():
            return form, (
                form.cleaned_data["register"],
                form.cleaned_data["start"],
                form.cleaned_data["end"],
            )
        return form, None

    def get(self, request, *args, **kwargs):
        form, chosen = self._form(request.GET)
        download = request.GET.get("download")
        if chosen and download in {"xml", "csv"}:
            return self._download(download, *chosen)
        return self.render_to_response(self.get_context_data(form=form, chosen=chosen))

    def post(self, request, *args, **kwargs):
        register = Register.objects.filter(pk=request.POST.get("register")).first()
        if register is None or register.reporting != AttendanceReporting.PE_ONLINE:
            messages.error(request, _("Choose a register that takes attendance through PE-online."))
        elif not pe_online.configured():
            messages.error(
                request,
                _("PE-online is not configured: set PE_ONLINE_USER_ID, _USER_KEY and _ORG_ID."),
            )
        else:
            try:
                delivery = pe_online.send_pending(register)
            except pe_online.ServiceUnavailable:
                delivery = None
            if delivery is None or delivery.waiting:
                messages.warning(
                    request,
                    _("PE-online could not be reached; the completions wait for the next run."),
                )
            else:
                messages.success(
                    request,
                    _("PE-online accepted %(accepted)s and refused %(rejected)s completions.")
                    % {"accepted": delivery.accepted, "rejected": delivery.rejected},
                )
        return redirect(reverse("certificates_attendance") + "?" + request.POST.get("query", ""))

    def get_context_data(self, *, form, chosen, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = form
        if chosen:
            register, start, end = chosen
            context.update(
                register=register,
                records=list(attendance_for_period(register, start=start, end=end)),
                pending=pending_attendance(register).count(),
                can_send=register.reporting == AttendanceReporting.PE_ONLINE
                and pe_online.configured(),
                query=self.request.GET.urlencode(),
            )
        return context

    def _download(self, kind: str, register, start, end) -> HttpResponse:
        records = list(attendance_for_period(register, start=start, end=end))
        name = f"aanwezigheid-{register.slug}-{start:%Y%m%d}-{end:%Y%m%d}"
        if kind == "xml":
            response = HttpResponse(
                pe_online.attendance_message(records, with_credentials=False),
                content_type="application/xml; charset=utf-8",
            )
            response["Content-Disposition"] = f'attachment; filename="{name}.xml"'
            return response
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";")
        writer.writerow([register.identifier_label, "cursus-ID", "datum", "punten", "status"])
        for record in records:
            writer.writerow(
                [
                    record.registration_number,
                    record.course_id,
                    record.completed_on.isoformat(),
                    str(record.points),
                    record.get_status_display(),
                ]
            )
        response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
