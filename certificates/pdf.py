"""The certificate as an A4 PDF (WeasyPrint), tagged for accessibility (PDF/UA-1, with the
document language), with a QR code (segno) that opens the public verification page, in the
holder's language. A revoked certificate's PDF says so on its face."""

import segno
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import ngettext

from .models import Certificate, Revocation
from .sharing import verification_url


def study_load(minutes: int | None) -> str:
    """The module's estimated study load in words: '45 minutes', 'about 1.5 hours'."""
    if not minutes:
        return ""
    if minutes < 60:
        return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    hours = round(minutes / 60 * 2) / 2  # to the half hour: it is an estimate
    shown = number_format(hours, decimal_pos=0 if hours.is_integer() else 1)
    return ngettext("about %(count)s hour", "about %(count)s hours", int(hours) or 1) % {
        "count": shown
    }


def render_certificate_pdf(certificate: Certificate, *, base_url: str) -> bytes:
    from weasyprint import HTML

    url = verification_url(certificate, base_url=base_url)
    qr_svg = segno.make(url, error="m").svg_data_uri(scale=4, border=2)
    revocation = (
        Revocation.objects.filter(certificate_id=certificate.pk).first()
        if certificate.revoked_at
        else None
    )
    language = getattr(certificate.user, "preferred_language", "") or "nl"
    with translation.override(language):
        html = render_to_string(
            "certificates/pdf.html",
            {"certificate": certificate, "verification_url": url, "qr_svg": qr_svg,
             "language": language, "revocation": revocation,
             "study_load": study_load(certificate.study_minutes)},
        )  # fmt: skip
    return HTML(string=html, base_url=base_url).write_pdf(pdf_variant="pdf/ua-1")
