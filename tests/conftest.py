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
    return ensure_site()
