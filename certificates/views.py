"""Learners' certificates and the public verification page. Thin: selectors and services
decide; the verification page shows status, holder, module, dates and issuer only."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from core.client_address import rate_limit_key

from . import codes, keys, open_badges, selectors, services
from .models import Certificate

NOINDEX = "noindex, nofollow"


@login_required
def my_certificates(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(
        request,
        "certificates/my_certificates.html",
        {
            "rows": selectors.certificate_overview(user=request.user),
            "renewal_window_days": settings.CERTIFICATE_RENEWAL_WINDOW_DAYS,
        },
    )


@login_required
def certificate_pdf(request: HttpRequest, code: str) -> HttpResponse:
    certificate = Certificate.objects.filter(code=code, user=request.user).first()
    if certificate is None:
        raise Http404
    content = services.certificate_pdf(certificate, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="signaal-certificaat-{code}.pdf"'
    return response


@require_GET
def verify_form(request: HttpRequest) -> HttpResponse:
    typed = request.GET.get("code", "").strip()[:64]
    if typed:
        try:
            return redirect("certificate_verify", code=codes.normalise(typed))
        except codes.CodeError:
            return _verification_response(request, typed)
    return _noindex(TemplateResponse(request, "certificates/verify.html", {}))


@require_GET
def verify(request: HttpRequest, code: str) -> HttpResponse:
    return _verification_response(request, code)


def _verification_response(request, typed: str) -> HttpResponse:
    # The limit first: a client over it never reaches the database.
    if not selectors.verification_allowed(rate_limit_key(request)):
        response = TemplateResponse(request, "certificates/verify.html", {"limited": True})
        response.status_code = 429
        return _noindex(response)
    verification = selectors.verify(typed)
    response = TemplateResponse(
        request,
        "certificates/verify.html",
        {
            "verification": verification,
            "typed": typed,
            "form_url": reverse("certificate_verify_form"),
        },
    )
    if verification.outcome in ("unknown", "typo"):
        response.status_code = 404
    return _noindex(response)


def _noindex(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = NOINDEX
    return response


@login_required
def open_badge(request: HttpRequest, code: str) -> HttpResponse:
    """The learner's certificate as a signed Open Badges 3.0 credential (VC-JWT)."""
    certificate = Certificate.objects.filter(code=code, user=request.user).first()
    if certificate is None:
        raise Http404
    base_url = request.build_absolute_uri("/")
    token = open_badges.sign(
        open_badges.credential(certificate, base_url=base_url), base_url=base_url
    )
    response = HttpResponse(token, content_type="application/vc+jwt")
    response["Content-Disposition"] = f'attachment; filename="signaal-open-badge-{code}.jwt"'
    return response


@require_GET
def open_badges_issuer(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {"@context": open_badges.CONTEXTS}
        | open_badges.issuer_profile(request.build_absolute_uri("/"))
    )


@require_GET
def open_badges_key(request: HttpRequest) -> JsonResponse:
    """The public key that verifies our credentials (a JSON Web Key Set)."""
    return JsonResponse({"keys": [keys.public_jwk()]})


@require_GET
def open_badges_status_list(request: HttpRequest, number: int) -> HttpResponse:
    base_url = request.build_absolute_uri("/")
    revoked = selectors.revoked_status_indexes(list_number=number)
    credential = open_badges.status_list_credential(number, revoked, base_url=base_url)
    response = HttpResponse(
        open_badges.sign(credential, base_url=base_url), content_type="application/vc+jwt"
    )
    response["Cache-Control"] = "public, max-age=300"
    return response
