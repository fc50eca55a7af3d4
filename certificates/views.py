"""Learners' certificates and the public verification page. Thin: selectors and services
decide; the verification page shows status, holder, module, dates and issuer only."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.client_address import rate_limit_key
from courses.models import Register

from . import codes, keys, open_badges, selectors, services, sharing
from .accreditation import attendance, numbers
from .models import Certificate

NOINDEX = "noindex, nofollow"


@login_required
def my_certificates(request: HttpRequest) -> HttpResponse:
    base_url = request.build_absolute_uri("/")
    rows = selectors.certificate_overview(user=request.user)
    points = attendance.reported_points([row.certificate for row in rows])
    return TemplateResponse(
        request,
        "certificates/my_certificates.html",
        {
            "rows": rows,
            # (row, LinkedIn's fields, LinkedIn's link, where its points go): only a valid
            # certificate goes to LinkedIn.
            "cards": [_card(row, base_url, points.get(row.certificate.pk, [])) for row in rows],
            "renewal_window_days": settings.CERTIFICATE_RENEWAL_WINDOW_DAYS,
            "has_accreditations": any(row.certificate.accreditations for row in rows),
        },
    )


def _card(row: selectors.CertificateRow, base_url: str, records: list) -> tuple:
    by_register = {record.register.name: record for record in records}
    # Each accreditation on the certificate with its report to that register, if any.
    points = [(item, by_register.get(item["register"])) for item in row.certificate.accreditations]
    if row.status != "valid":
        return row, None, None, points
    fields = sharing.linkedin_fields(row.certificate, base_url=base_url)
    return row, fields, sharing.linkedin_add_url(fields), points


@login_required
def registration_numbers(request: HttpRequest) -> HttpResponse:
    """The learner's numbers in professional registers: give one (with consent to report
    completions there), change it, or withdraw it."""
    registers = list(Register.objects.all())
    kept = numbers.registration_numbers(request.user)
    errors: dict[int, str] = {}
    if request.method == "POST":
        register = next(
            (r for r in registers if str(r.pk) == request.POST.get("register", "")), None
        )
        if register is None:
            return HttpResponseBadRequest(_("Choose a register."))
        if request.POST.get("action") == "withdraw":
            numbers.withdraw_registration_number(user=request.user, register=register)
            messages.success(
                request,
                _("Your number for %(register)s has been removed; nothing more is reported there.")
                % {"register": register.name},
            )
            return redirect("registration_numbers")
        try:
            numbers.save_registration_number(
                user=request.user,
                register=register,
                number=request.POST.get("number", ""),
                consent=request.POST.get("consent") == "on",
            )
        except numbers.NumberRefused as refusal:
            errors[register.pk] = str(refusal)
        else:
            messages.success(
                request,
                _("Saved. Completions of modules accredited by %(register)s are reported there.")
                % {"register": register.name},
            )
            return redirect("registration_numbers")
    return TemplateResponse(
        request,
        "certificates/registration_numbers.html",
        {
            "items": [(r, kept.get(r.pk), errors.get(r.pk)) for r in registers],
            "posted": request.POST if request.method == "POST" else {},
        },
        status=400 if errors else 200,
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


@require_GET
def verify_api(request: HttpRequest, code: str) -> JsonResponse:
    """The verification page as JSON for other systems (an HR system, a register): the
    same facts, the same rate limit. 200 for a known code whatever its status, 404 for an
    unknown code or a typing error, 429 over the limit."""
    if not selectors.verification_allowed(rate_limit_key(request)):
        response = JsonResponse({"error": "rate_limited"}, status=429)
        response["Retry-After"] = str(selectors.VERIFY_WINDOW_SECONDS)
    else:
        verification = selectors.verify(code[:64])
        response = JsonResponse(
            sharing.verification_document(verification, base_url=request.build_absolute_uri("/")),
            status=404 if verification.certificate is None else 200,
            json_dumps_params={"ensure_ascii": False},
        )
    # Public facts, meant to be read by other sites too.
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "no-store"
    return _noindex(response)


def _noindex(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = NOINDEX
    return response


@login_required
def open_badge(request: HttpRequest, code: str) -> HttpResponse:
    """The learner's certificate as a signed Open Badges 3.0 credential (JWT proof format);
    the media type matches the header's typ (certificates.open_badges)."""
    certificate = Certificate.objects.filter(code=code, user=request.user).first()
    if certificate is None:
        raise Http404
    if certificate.revoked_at:
        return _badge_of_revoked(request, certificate)
    base_url = request.build_absolute_uri("/")
    token = open_badges.sign(
        open_badges.credential(certificate, base_url=base_url), base_url=base_url
    )
    response = HttpResponse(token, content_type=open_badges.CREDENTIAL_MEDIA_TYPE)
    response["Content-Disposition"] = f'attachment; filename="signaal-open-badge-{code}.jwt"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def open_badge_baked(request: HttpRequest, code: str) -> HttpResponse:
    """The badge image with the learner's signed credential baked in (SVG)."""
    certificate = Certificate.objects.filter(code=code, user=request.user).first()
    if certificate is None:
        raise Http404
    if certificate.revoked_at:
        return _badge_of_revoked(request, certificate)
    base_url = request.build_absolute_uri("/")
    token = open_badges.sign(
        open_badges.credential(certificate, base_url=base_url), base_url=base_url
    )
    image = open_badges.badge_svg(certificate.module_title, credential_jws=token)
    response = HttpResponse(image, content_type="image/svg+xml")
    response["Content-Disposition"] = f'attachment; filename="signaal-open-badge-{code}.svg"'
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


def _badge_of_revoked(request: HttpRequest, certificate: Certificate) -> HttpResponse:
    """A revoked certificate's badge is not handed out again: the page says it is revoked
    (a badge downloaded before is shown as revoked by the status list)."""
    response = TemplateResponse(
        request, "certificates/badge_revoked.html", {"certificate": certificate}
    )
    response.status_code = 410
    return response


@require_GET
def open_badges_issuer(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {"@context": open_badges.CONTEXTS}
        | open_badges.issuer_profile(request.build_absolute_uri("/"))
    )


@require_GET
def open_badges_key(request: HttpRequest) -> JsonResponse:
    """The public keys that verify our credentials (a JSON Web Key Set): the RSA key that
    signs them and the Ed25519 key that signed earlier ones."""
    response = JsonResponse({"keys": keys.public_jwks()})
    response["Content-Type"] = "application/jwk-set+json"
    return response


@require_GET
def open_badges_public_key(request: HttpRequest, kid: str) -> JsonResponse:
    """One public key as a JWK: what a credential header's `kid` dereferences to."""
    jwk = keys.public_jwk(kid)
    if jwk is None:
        raise Http404
    response = JsonResponse(jwk)
    response["Content-Type"] = "application/jwk+json"
    return response


@require_GET
def open_badges_image(request: HttpRequest, module_id: int | None = None) -> HttpResponse:
    """The badge image of a module's credentials (SVG), or of any Signaal certificate."""
    title = ""
    if module_id is not None:
        title = selectors.module_badge_title(module_id)
        if title is None:
            raise Http404
    response = HttpResponse(open_badges.badge_svg(title), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@require_GET
def open_badges_status_list(request: HttpRequest, number: int) -> HttpResponse:
    revoked = selectors.revoked_status_indexes(list_number=number)
    return _status_list_response(request, number, revoked, "open_badges_status_list")


@require_GET
def open_badges_legacy_status_list(request: HttpRequest, number: int) -> HttpResponse:
    revoked = selectors.revoked_legacy_status_indexes(list_number=number)
    return _status_list_response(request, number, revoked, "open_badges_legacy_status_list")


def _status_list_response(request, number: int, revoked: set[int], url_name: str):
    base_url = request.build_absolute_uri("/")
    credential = open_badges.status_list_credential(
        number, revoked, base_url=base_url, url_name=url_name
    )
    response = HttpResponse(
        open_badges.sign_status_list(credential, base_url=base_url),
        content_type=open_badges.STATUS_LIST_MEDIA_TYPE,
    )
    response["Cache-Control"] = "public, max-age=300"
    return response
