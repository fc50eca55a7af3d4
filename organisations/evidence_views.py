"""Evidence for an inspection (issue 20.11): the coordinator's page to export the audit
trail for a period (CSV) and a signed, dated compliance statement (PDF), and the public
page where an inspector checks a statement by its code. Thin: reads through
organisations.selectors.audit_trail, writes through organisations.compliance.statement."""

import datetime

from django import forms
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from .access import coordinator_area, private
from .compliance.reports import to_csv
from .compliance.statement import issue_statement, verify_statement
from .evidence_sections import evidence_sections
from .invitation_views import base_url_of
from .models import AuditAction, ComplianceStatement
from .selectors.audit_trail import audit_trail
from .services.audit import record_audit

# An inspection asks about months, not years; the log itself keeps two years
# (AUDIT_LOG_RETENTION_DAYS).
MAX_PERIOD_DAYS = 366
STATEMENTS_LISTED = 10


class AuditPeriodForm(forms.Form):
    start = forms.DateField(
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d-%m-%Y"],
        error_messages={
            "required": _("Enter the first day of the period."),
            "invalid": _("Enter the first day as a date, for example 01-03-2026."),
        },
    )
    end = forms.DateField(
        label=_("Up to and including"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d-%m-%Y"],
        error_messages={
            "required": _("Enter the last day of the period."),
            "invalid": _("Enter the last day as a date, for example 31-05-2026."),
        },
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                raise forms.ValidationError(_("The first day is after the last day."))
            if end > timezone.localdate():
                raise forms.ValidationError(_("The last day is in the future."))
            if (end - start).days + 1 > MAX_PERIOD_DAYS:
                raise forms.ValidationError(
                    _("Choose a period of at most %(days)d days."),
                    params={"days": MAX_PERIOD_DAYS},
                )
        return data


def _default_period() -> dict:
    today = timezone.localdate()
    return {"start": today.replace(day=1) - datetime.timedelta(days=90), "end": today}


def _page(request, organisation, form, *, status=200):
    return private(
        TemplateResponse(
            request,
            "organisations/evidence.html",
            {
                "organisation": organisation,
                "form": form,
                "statements": ComplianceStatement.objects.filter(organisation=organisation)[
                    :STATEMENTS_LISTED
                ],
                "max_days": MAX_PERIOD_DAYS,
                "more_sections": evidence_sections(organisation),
            },
            status=status,
        )
    )


@coordinator_area
@require_GET
def evidence(request, organisation):
    return _page(request, organisation, AuditPeriodForm(initial=_default_period()))


@coordinator_area
@require_POST
def audit_trail_export(request, organisation):
    """The audit trail of the period as CSV for Dutch Excel; the export is itself audited.
    A bad period gets the page back with the reason, and nothing is exported."""
    form = AuditPeriodForm(request.POST)
    if not form.is_valid():
        return _page(request, organisation, form, status=400)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    headers = [
        gettext("Date and time"),
        gettext("Who"),
        gettext("Email address"),
        gettext("What"),
        gettext("About"),
        gettext("Number of people"),
        gettext("Details"),
    ]
    trail = list(audit_trail(organisation, start, end))
    rows = [
        [
            row.at.strftime("%d-%m-%Y %H:%M:%S"),
            row.actor_name,
            row.actor_email,
            row.action,
            row.about,
            row.about_count,
            row.details,
        ]
        for row in trail
    ]
    # Recorded after reading, so the trail does not list its own export; the people it names
    # find it in their data download.
    record_audit(
        actor=request.user,
        organisation=organisation,
        action=AuditAction.EXPORTED,
        detail={
            "format": "csv",
            "report": "audit_trail",
            "period": f"{start.isoformat()}/{end.isoformat()}",
            "rows": len(rows),
        },
        subjects=[pk for row in trail for pk in row.named],
    )
    response = HttpResponse(to_csv(headers, rows), content_type="text/csv; charset=utf-8")
    filename = f"signaal-{slugify(organisation.slug)}-audittrail-{start}-{end}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return private(response)


@coordinator_area
@require_POST
def statement_export(request, organisation):
    issued = issue_statement(organisation, actor=request.user, base_url=base_url_of(request))
    response = HttpResponse(issued.pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{issued.filename}"'
    return private(response)


def _groups(digest: str) -> str:
    return " ".join(digest[index : index + 8] for index in range(0, len(digest), 8))


@require_GET
def verify(request, code: str):
    """Public: an inspector checks a statement by its code (no one's data on it)."""
    verification = verify_statement(code)
    if verification is None:
        return TemplateResponse(
            request, "organisations/statement_verify.html", {"code": code}, status=404
        )
    return TemplateResponse(
        request,
        "organisations/statement_verify.html",
        {
            "code": code,
            "verification": verification,
            "claims": verification.claims,
            # In groups of eight, to compare by eye and to wrap on a phone.
            "digest_groups": _groups(verification.claims["pdf_sha256"])
            if verification.claims
            else "",
        },
    )


@require_GET
def statement_jws(request, code: str):
    """The signed statement as a compact JWS, to check against the published keys."""
    verification = verify_statement(code)
    if verification is None:
        raise Http404
    response = HttpResponse(verification.statement.jws, content_type="application/jwt")
    response["Content-Disposition"] = (
        f'attachment; filename="signaal-verklaring-{verification.statement.code}.jwt"'
    )
    return response
