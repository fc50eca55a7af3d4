"""The test database: what its migrations made, kept across `--reuse-db` runs.

Migrations create rows the whole suite relies on: the locale, the page tree's root, the
default site, the root collection, Wagtail's Editors and Moderators groups with their
permissions, the default workflow. A transactional test (browser, live server,
concurrency) empties every table when it ends, as Django's TransactionTestCase does; the
content types and permissions come back through `post_migrate`, the rest does not. The
ordinary tests run before the transactional ones, so within a run nothing is missing; a
database kept with `--reuse-db` would start the next run without them. So the session
takes a copy of those rows when the database is ready (`snapshot`) and puts them back when
the run has emptied them (`restore`).
"""

from __future__ import annotations

from django.apps import apps
from django.core import serializers
from django.core.management.color import no_style
from django.db import connection, transaction

# Rows that the tables' emptying does not lose (`post_migrate` makes them again), and
# search index entries, which the index makes from the restored rows' content.
NOT_KEPT = {"contenttypes", "sessions", "modelsearch", "wagtailsearch"}
# The registers the session loads after the copy (tests/registers.py) are not kept either.
NOT_KEPT_MODELS = {
    "auth.permission",
    "courses.theme",
    "courses.sector",
    "courses.source",
    "quizzes.signal",
}


def kept_models() -> list:
    """The models whose rows are kept, those named by others' foreign keys first."""
    models = [
        model
        for model in apps.get_models()
        if model._meta.app_label not in NOT_KEPT
        and model._meta.label_lower not in NOT_KEPT_MODELS
        and model._meta.managed
        and not model._meta.proxy
    ]
    by_app = {}
    for model in models:
        by_app.setdefault(apps.get_app_config(model._meta.app_label), []).append(model)
    return serializers.sort_dependencies(by_app.items(), allow_cycles=True)


def is_emptied() -> bool:
    """True when the migrations' rows are gone: no tree root."""
    from wagtail.models import Page

    return not Page.objects.filter(depth=1).exists()


def snapshot() -> str:
    """Every kept row, with foreign keys to content types and permissions by name (their
    ids change when `post_migrate` makes them again)."""

    def rows():
        for model in kept_models():
            yield from model._base_manager.order_by("pk").iterator()

    return serializers.serialize("json", rows(), use_natural_foreign_keys=True)


def restore(data: str) -> None:
    """Put the snapshot's rows back into emptied tables, and the id sequences past them."""
    models = set()
    with transaction.atomic():
        deferred = []
        for row in serializers.deserialize("json", data, handle_forward_references=True):
            row.save()
            models.add(type(row.object))
            if row.deferred_fields:
                deferred.append(row)
        for row in deferred:
            row.save_deferred_fields()
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
