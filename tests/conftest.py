import pytest
from django.core.cache import cache

from cms.services import ensure_site


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate-limit counters live in the cache; each test starts with none. Revision ids are
    # reused after a rollback, so the per-revision scenario cache starts empty too.
    from quizzes.selectors import scenario_for_revision

    cache.clear()
    scenario_for_revision.cache_clear()
    yield
    cache.clear()
    scenario_for_revision.cache_clear()


@pytest.fixture
def home_page(db):
    # A transactional test (browser, concurrency) flushes the tables afterwards, taking
    # the locale and tree root that Wagtail's migrations made; put them back first.
    from django.conf import settings
    from wagtail.models import Locale, Page

    if Page.get_first_root_node() is None:
        locale, _created = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
        Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    return ensure_site()
