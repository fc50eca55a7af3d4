"""Admin for platform administrators: a Wagtail listing of certificates (search by code or
holder, filter by status and module, paginated), each one's details, and revoking with a
reason. Revocations are logged (who, when, why) and show on the verification page at once.
Certificates are never added, edited or deleted here: only issue_for issues them."""

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import BaseColumn, Column
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from accounts.models import User
from core.admin_audit import AuditedViewSetMixin
from courses.models import ModulePage

from . import selectors, services, sharing
from .models import Certificate, CertificateStatus, RevocationReason

REVOKE = "revoke"


class AdministratorsOnlyPolicy(BasePermissionPolicy):
    """Only platform administrators (superusers) see certificates, and they may only view
    and revoke them; group permissions cannot grant more."""

    actions = frozenset({"view", REVOKE})

    def user_has_permission(self, user, action):
        return action in self.actions and user.is_active and user.is_superuser

    def users_with_any_permission(self, actions):
        if not self.actions.intersection(actions):
            return User.objects.none()
        return User.objects.filter(is_active=True, is_superuser=True)


# Registered before the viewset asks for a policy (Wagtail would create a fallback).
register_permission_policy(Certificate, AdministratorsOnlyPolicy(Certificate))


class CertificateFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"),
        choices=CertificateStatus.choices,
        method="filter_status",
        empty_label=gettext_lazy("All"),
        widget=forms.RadioSelect,
    )
    module = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Module"), queryset=ModulePage.objects.order_by("title")
    )

    class Meta:
        model = Certificate
        fields = ["status", "module"]

    def filter_status(self, queryset, name, value):
        return queryset.with_status(value, today=timezone.localdate())


def status_text(certificate: Certificate) -> str:
    text = str(certificate.status().label).capitalize()
    revocation = getattr(certificate, "revocation", None)
    if revocation is not None:
        text += _(": %(reason)s (%(name)s, %(date)s)") % {
            "reason": revocation.reason,
            "name": revocation.revoked_by_name,
            "date": date_format(timezone.localtime(revocation.revoked_at), "DATETIME_FORMAT"),
        }
    return text


def module_text(certificate: Certificate) -> str:
    return f"{certificate.module_title} (v{certificate.module_version})"


class RevokeColumn(BaseColumn):
    """A visible 'Revoke' link on rows that can still be revoked."""

    cell_template_name = "certificates/admin/revoke_cell.html"


class CertificateIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("revocation")

    def search_queryset(self, queryset):
        # A code is matched in any spelling (hyphens, lower case, O for 0); a name in part.
        if not self.is_searching:
            return queryset
        return selectors.search_certificates(queryset, self.search_query)


class CertificateInspectView(InspectView):
    def get_code_display_value(self):
        return self.object.formatted_code

    def get_issued_at_display_value(self):
        # In the platform's time zone, as everywhere else in the admin.
        return date_format(timezone.localtime(self.object.issued_at), "DATETIME_FORMAT")

    def get_revoked_at_display_value(self):
        revocation = getattr(self.object, "revocation", None)
        if revocation is None:
            return "—"
        return _("%(date)s by %(name)s: %(reason)s") % {
            "date": date_format(timezone.localtime(revocation.revoked_at), "DATETIME_FORMAT"),
            "name": revocation.revoked_by_name,
            "reason": revocation.reason,
        }

    def get_module_version_display_value(self):
        return str(self.object.module_version)

    def get_accreditations_display_value(self):
        return (
            "; ".join(
                f"{item['register']}: {item['points']}" for item in self.object.accreditations
            )
            or "—"
        )


class RevokeForm(forms.Form):
    category = forms.ChoiceField(
        label=gettext_lazy("Reason category"),
        choices=[("", "---------")] + RevocationReason.choices,
        help_text=gettext_lazy("Shown on the public verification page and on the PDF."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=gettext_lazy("Shown in the revocation log, not on the public page."),
    )


class RevokeView(WagtailAdminTemplateMixin, FormView):
    header_icon = "doc-full"
    template_name = "certificates/admin/revoke.html"
    form_class = RevokeForm
    index_url_name = None

    def dispatch(self, request, *args, **kwargs):
        if not AdministratorsOnlyPolicy(Certificate).user_has_permission(request.user, REVOKE):
            raise PermissionDenied
        self.certificate = get_object_or_404(Certificate, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Revoke certificate %(code)s") % {"code": self.certificate.formatted_code}

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.index_url_name), "label": _("Certificates")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "certificate": self.certificate,
            "index_url": reverse(self.index_url_name),
        }

    def form_valid(self, form):
        try:
            services.revoke(
                certificate=self.certificate,
                by=self.request.user,
                reason=form.cleaned_data["reason"],
                category=form.cleaned_data["category"],
            )
        except ValueError:
            messages.error(self.request, _("This certificate has already been revoked."))
            return redirect(self.index_url_name)
        messages.success(self.request, _("The certificate has been revoked."))
        return redirect(self.index_url_name)


class CertificateViewSet(AuditedViewSetMixin, ModelViewSet):
    model = Certificate
    name = "certificates"
    url_prefix = "certificaten"
    icon = "doc-full"
    menu_label = gettext_lazy("Certificates")
    menu_order = 900
    add_to_admin_menu = True
    index_view_class = CertificateIndexView
    inspect_view_class = CertificateInspectView
    inspect_view_enabled = True
    inspect_view_fields = [
        "code",
        "holder_name",
        "module_title",
        "module_version",
        "cycle",
        "accreditations",
        "issuer",
        "issued_at",
        "expires_on",
        "revoked_at",
    ]
    copy_view_enabled = False
    list_per_page = 50
    ordering = ["-issued_at"]
    filterset_class = CertificateFilterSet
    search_fields = ["code", "holder_name"]
    search_backend_name = None  # the database, through CertificateIndexView.search_queryset
    list_display = [
        "formatted_code",  # the title column, linking to the details
        "holder_name",
        Column(
            "module", label=gettext_lazy("Module"), accessor=module_text, sort_key="module_title"
        ),
        "issued_at",
        "expires_on",
        Column("status", label=gettext_lazy("Status"), accessor=status_text),
        RevokeColumn("revoke", label=""),
    ]

    def get_urlpatterns(self):
        # Listing, details and revoking only: no add, edit, copy, delete or history.
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path("<int:pk>/intrekken/", self.revoke_view, name=REVOKE),
        ]

    @property
    def revoke_view(self):
        return RevokeView.as_view(index_url_name=self.get_url_name("index"))

    def get_permissions_to_register(self):
        # Nothing for group settings: the policy ignores Django permissions.
        return Permission.objects.none()

    def audit_subjects(self, objects):
        # Views of the listing and details are audited (core.admin_audit).
        return [certificate.user_id for certificate in objects]


certificate_viewset = CertificateViewSet()


@hooks.register("register_admin_viewset")
def register_certificate_viewset():
    return certificate_viewset


@hooks.register("signaal_completion_panels", order=10)
def certificate_on_the_finish_line(request, enrolment) -> str:
    """The certificate a completed module earned, on its finish line (the quiz result and
    the module page): PDF, verification page, what an Open Badge is. courses shows it
    through its hook (courses.views.completion_panels) and never imports certificates."""
    from django.template.loader import render_to_string

    certificate = selectors.certificate_for_enrolment(enrolment)
    if certificate is None or certificate.revoked_at:
        return ""
    base_url = request.build_absolute_uri("/")
    linkedin = sharing.linkedin_fields(certificate, base_url=base_url)
    return render_to_string(
        "certificates/includes/finish_panel.html",
        {
            "certificate": certificate,
            "verify_url": sharing.verification_url(certificate, base_url=base_url),
            "linkedin": linkedin,
            "linkedin_url": sharing.linkedin_add_url(linkedin),
            "emailed": selectors.completion_email_sent(certificate),
        },
        request=request,
    )


@hooks.register("register_admin_urls")
def register_attendance_report_urls():
    from .accreditation.admin import AttendanceReportView

    return [
        path("reports/attendance/", AttendanceReportView.as_view(), name="certificates_attendance")
    ]


class AttendanceReportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser


@hooks.register("register_reports_menu_item")
def register_attendance_report_menu_item():
    return AttendanceReportMenuItem(
        _("Accreditation attendance"),
        reverse("certificates_attendance"),
        icon_name="list-ul",
        order=60,
    )
