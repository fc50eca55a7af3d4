"""Load or update a site's course content from the content files: `manage.py load_content`.

The YAML in the repository is the source of truth; the admin is where reviewers approve
what the files change. Each page becomes a new revision that goes to the review workflow
(or is published with `publish`). What was loaded is recorded (`LoadedContent` for pages,
`loaded_hash` on snippets), so that:

- running again with unchanged files changes nothing;
- a page or snippet edited in the admin since the last load is not overwritten: it is
  reported as a conflict, and only `force` overwrites it.

This module handles the taxonomy, the source register, modules and lessons; quizzes and
signals are in quizzes.content_sync, which uses the helpers here."""

from .courses import (
    LESSON_FIELDS,
    MODULE_FIELDS,
    sync_courses,
    sync_module,
    sync_sources,
    sync_taxonomy,
)
from .engine import (
    Options,
    Outcome,
    Report,
    Result,
    digest,
    fields_of,
    fingerprint,
    snippet_sync,
    sync_page,
)

__all__ = [
    "LESSON_FIELDS",
    "MODULE_FIELDS",
    "Options",
    "Outcome",
    "Report",
    "Result",
    "digest",
    "fields_of",
    "fingerprint",
    "snippet_sync",
    "sync_courses",
    "sync_module",
    "sync_page",
    "sync_sources",
    "sync_taxonomy",
]
