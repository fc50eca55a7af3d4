"""More evidence an organisation can take away, offered by higher apps (xapi's learning
records): registered in their AppConfig.ready(), listed on the evidence page, so that
organisations never imports them."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from .models import Organisation


@dataclass(frozen=True)
class EvidenceSection:
    title: str
    description: str
    url_name: str  # takes the organisation's slug
    # Whether this organisation has anything of it (e.g. an LRS connection switched on).
    shown: Callable[[Organisation], bool]


_sections: list[EvidenceSection] = []


def register_evidence_section(
    *, title: str, description: str, url_name: str, shown: Callable[[Organisation], bool]
) -> None:
    if all(section.url_name != url_name for section in _sections):
        _sections.append(EvidenceSection(title, description, url_name, shown))


def evidence_sections(organisation: Organisation) -> list[dict]:
    return [
        {
            "title": section.title,
            "description": section.description,
            "url": reverse(section.url_name, args=[organisation.slug]),
        }
        for section in _sections
        if section.shown(organisation)
    ]
