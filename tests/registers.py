"""The registers from the content files (taxonomy, sources, signals), made once per session.

Most tests that build a module or a quiz need them but do not test them; loading them
through the content loader costs about a second per test (every row is saved and
indexed). The session loads them once into the test database (tests/conftest.py), each
test's transaction leaves them as they were, and the helpers here load them only where
they are missing: after a transactional test emptied the tables, or in a test that
removed them (`no_registers`) to test the loading itself.
"""

from __future__ import annotations

import functools

from courses import content_loader as course_content
from courses.models import Sector, Source, Theme
from quizzes import content_loader as quiz_content
from quizzes.models import Signal


@functools.cache
def _keys() -> dict[str, frozenset[str]]:
    taxonomy = course_content.load_taxonomy_file()
    return {
        "themes": frozenset(theme["slug"] for theme in taxonomy["themes"]),
        "sectors": frozenset(sector["slug"] for sector in taxonomy["sectors"]),
        "sources": frozenset(entry["key"] for entry in course_content.read_source_file()),
        "signals": frozenset(signal["slug"] for signal in quiz_content.read_signal_file()),
    }


def _complete(queryset, field: str, keys: frozenset[str]) -> bool:
    return queryset.filter(**{f"{field}__in": keys}).count() == len(keys)


def ensure_taxonomy() -> None:
    keys = _keys()
    if not (
        _complete(Theme.objects, "slug", keys["themes"])
        and _complete(Sector.objects, "slug", keys["sectors"])
    ):
        course_content.ensure_taxonomy()


def ensure_sources() -> dict[str, int]:
    """The source register; returns key -> id, as the content loader's ensure_sources."""
    if not _complete(Source.objects, "key", _keys()["sources"]):
        return course_content.ensure_sources()
    return course_content.source_ids()


def ensure_signals() -> None:
    ensure_taxonomy()
    if not _complete(Signal.objects, "slug", _keys()["signals"]):
        quiz_content.ensure_signals()


def ensure_all() -> None:
    ensure_taxonomy()
    ensure_sources()
    ensure_signals()


def remove_all() -> None:
    """An empty database as far as the registers go (for tests of loading them)."""
    Signal.objects.all().delete()
    Source.objects.all().delete()
    Theme.objects.all().delete()
    Sector.objects.all().delete()
