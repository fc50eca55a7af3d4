"""Search and reference index upkeep, off for tests unless they ask for it.

Every saved page, snippet and image updates Wagtail's search index and its reference index
(two tasks per save, run at once in tests): about a third of the time a test spends
building modules. Few tests read either index, so the session switches the upkeep off in
the test process and the tests that search or ask what uses what switch it back on with
the `search_index` and `reference_index` fixtures (tests/conftest.py); so do browser tests
that look at search results. Other processes the tests start keep both.

Search: modelsearch's save handlers are disconnected (deleting still removes index rows).
References: Wagtail's own switch, `reference_index_auto_update_disabled`, which holds per
thread, so a live server's threads keep their upkeep (an author's edits in a browser test
are indexed for 'used by'); the search switch holds for the whole process."""

from contextlib import contextmanager

from django.db.models.signals import post_save
from modelsearch import index
from modelsearch.signal_handlers import post_save_signal_handler
from wagtail.signal_handlers import reference_index_auto_update_disabled


def _indexed_models():
    return [
        model for model in index.get_indexed_models() if getattr(model, "search_auto_update", True)
    ]


def switch_off() -> None:
    for model in _indexed_models():
        post_save.disconnect(post_save_signal_handler, sender=model)
    reference_index_auto_update_disabled.value = True


def switch_on() -> None:
    for model in _indexed_models():
        post_save.connect(post_save_signal_handler, sender=model)
    reference_index_auto_update_disabled.value = False


@contextmanager
def search_index_kept():
    for model in _indexed_models():
        post_save.connect(post_save_signal_handler, sender=model)
    try:
        yield
    finally:
        for model in _indexed_models():
            post_save.disconnect(post_save_signal_handler, sender=model)


@contextmanager
def reference_index_kept():
    reference_index_auto_update_disabled.value = False
    try:
        yield
    finally:
        reference_index_auto_update_disabled.value = True
