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
