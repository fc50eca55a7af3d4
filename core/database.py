"""The database as the kernel sees it: is it reachable, which search backend runs on it."""

from django.conf import settings
from django.db import DatabaseError, connection


def database_search_backend() -> str:
    """The Wagtail search backend on the database: 'database' next to Elasticsearch
    (settings.WAGTAILSEARCH_BACKENDS), otherwise the default one."""
    return "database" if "database" in settings.WAGTAILSEARCH_BACKENDS else "default"


def database_is_reachable() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False
