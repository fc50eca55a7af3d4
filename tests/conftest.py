import pytest
from django.core.cache import cache

from cms.services import ensure_site


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate-limit counters live in the cache; each test starts with none.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def home_page(db):
    return ensure_site()
