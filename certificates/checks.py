"""System checks for what certificate PDFs need from the machine."""

from ctypes.util import find_library

from django.core.checks import Warning, register


@register()
def harfbuzz_subset_installed(app_configs=None, **kwargs) -> list[Warning]:
    # WeasyPrint subsets fonts with HarfBuzz-Subset when the library is there and falls
    # back to fontTools otherwise: about 0.8 s instead of 0.1 s of CPU per certificate
    # PDF, holding the web process's GIL all that time.
    if find_library("harfbuzz-subset"):
        return []
    return [
        Warning(
            "HarfBuzz-Subset is not installed: certificate PDFs render about 8 times slower.",
            hint="Install the system package libharfbuzz-subset0 (Debian, Ubuntu).",
            id="certificates.W001",
        )
    ]


@register()
def open_badges_signed_with_rsa(app_configs=None, **kwargs) -> list[Warning]:
    # Debug and tests generate the keys they lack on first use (certificates.keys).
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    from . import keys

    if settings.DEBUG or getattr(settings, "TESTING", False):
        return []
    try:
        configured = keys.configured()
    except (
        ImproperlyConfigured,
        ValueError,
    ):  # a missing or broken key is reported when a credential is signed
        return []
    if configured.rsa:
        return []
    return [
        Warning(
            "Open Badges credentials are signed with Ed25519 (EdDSA): Open Badges 3.0 "
            "verifiers need only support RS256.",
            hint="Put an RSA private key (PEM, 2048 bits or more) before the Ed25519 key in "
            "SIGNAAL_SIGNING_KEY; credentials signed earlier keep verifying.",
            id="certificates.W002",
        )
    ]
