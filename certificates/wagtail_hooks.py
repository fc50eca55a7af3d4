"""Admin for platform administrators: find a certificate and revoke it with a reason.
Revocations are logged (who, when, why) and show on the verification page at once."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from . import codes, services
from .models import Certificate

PAGE_SIZE = 50


class AdministratorsOnly:
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class CertificateIndexView(AdministratorsOnly, WagtailAdminTemplateMixin, TemplateView):
    page_title = gettext_lazy("Certificates")
    header_icon = "doc-full"
    template_name = "certificates/admin/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "").strip()[:100]
        certificates = Certificate.objects.select_related("revocation").order_by("-issued_at")
        if query:
            try:
                certificates = certificates.filter(code=codes.normalise(query))
            except codes.CodeError:
                certificates = certificates.filter(holder_name__icontains=query)
        context.update(query=query, certificates=certificates[:PAGE_SIZE])
        return context


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=gettext_lazy("Shown in the revocation log, not on the public page."),
    )


class RevokeView(AdministratorsOnly, WagtailAdminTemplateMixin, FormView):
    header_icon = "doc-full"
    template_name = "certificates/admin/revoke.html"
    form_class = RevokeForm

    def dispatch(self, request, *args, **kwargs):
        self.certificate = get_object_or_404(Certificate, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Revoke certificate %(code)s") % {"code": self.certificate.formatted_code}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"certificate": self.certificate}

    def form_valid(self, form):
        try:
            services.revoke(
                certificate=self.certificate,
                by=self.request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValueError:
            messages.error(self.request, _("This certificate has already been revoked."))
            return redirect("certificates_admin_index")
        messages.success(self.request, _("The certificate has been revoked."))
        return redirect("certificates_admin_index")


@hooks.register("register_admin_urls")
def register_certificate_admin_urls():
    return [
        path("certificaten/", CertificateIndexView.as_view(), name="certificates_admin_index"),
        path(
            "certificaten/<int:pk>/intrekken/",
            RevokeView.as_view(),
            name="certificates_admin_revoke",
        ),
    ]


class AdministratorsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser


@hooks.register("register_admin_menu_item")
def register_certificates_menu_item():
    return AdministratorsMenuItem(
        gettext_lazy("Certificates"),
        reverse("certificates_admin_index"),
        icon_name="doc-full",
        order=900,
    )
