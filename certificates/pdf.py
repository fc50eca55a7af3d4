"""The certificate as an A4 PDF (WeasyPrint), with a QR code (segno) that opens the public
verification page, in the holder's language."""

import segno
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import Certificate


def verification_url(certificate: Certificate, *, base_url: str) -> str:
    return base_url.rstrip("/") + reverse("certificate_verify", args=[certificate.code])


def render_certificate_pdf(certificate: Certificate, *, base_url: str) -> bytes:
    from weasyprint import HTML

    url = verification_url(certificate, base_url=base_url)
    qr_svg = segno.make(url, error="m").svg_data_uri(scale=4, border=2)
    language = getattr(certificate.user, "preferred_language", "") or "nl"
    with translation.override(language):
        html = render_to_string(
            "certificates/pdf.html",
            {"certificate": certificate, "verification_url": url, "qr_svg": qr_svg,
             "language": language},
        )  # fmt: skip
    return HTML(string=html, base_url=base_url).write_pdf()
