import pytest
from django.core.cache import cache
from hypothesis import settings as hypothesis_settings

from cms.services import ensure_site
from tests import database, index_upkeep, registers

# No per-example time limit: Hypothesis's deadline is a timed assertion, and under two
# workers with coverage on two cores a 50 ms example sometimes takes 270 ms. Speed is
# measured by the benchmarks, not by tests.
hypothesis_settings.register_profile("signaal", deadline=None)
hypothesis_settings.load_profile("signaal")


def pytest_collection_modifyitems(config, items):
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason=f"needs PostgreSQL; this run uses {connection.vendor}")
    for item in items:
        if "postgresql" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, django_db_keepdb, django_db_createdb):
    """pytest-django's test database, with the rows its migrations made (tests/database.py).

    With `--reuse-db` a database whose tables an interrupted run left empty is made again;
    after a run whose transactional tests emptied them, they are put back for the next."""
    from django.db import connection

    keep = django_db_keepdb and not django_db_createdb
    with django_db_blocker.unblock():
        if database.is_emptied():
            # Only a reused database can be (a fresh one was just migrated).
            connection.settings_dict["TEST"]["NAME"] = connection.settings_dict["NAME"]
            connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
        migrated_rows = database.snapshot()
        registers.ensure_all()
    yield migrated_rows
    if keep:
        with django_db_blocker.unblock():
            if database.is_emptied():
                database.restore(migrated_rows)


@pytest.fixture(scope="session", autouse=True)
def _index_upkeep_off():
    """Search and reference index upkeep off unless a test asks (tests/index_upkeep.py)."""
    index_upkeep.switch_off()
    yield
    index_upkeep.switch_on()


@pytest.fixture
def search_index():
    """Saved pages and snippets go into the search index, as outside the tests."""
    with index_upkeep.search_index_kept():
        yield


@pytest.fixture
def reference_index():
    """Saved objects update Wagtail's reference index ('used by'), as outside the tests."""
    with index_upkeep.reference_index_kept():
        yield


@pytest.fixture
def migrated(django_db_setup, django_db_blocker):
    """The rows the migrations made (locale, tree root, groups, collection, workflow, site),
    back after a transactional test emptied the tables; for tests that need them."""
    with django_db_blocker.unblock():
        if database.is_emptied():
            database.restore(django_db_setup)


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
def no_registers(db):
    """No taxonomy, sources or signals, as before the content is first loaded (the session
    loads them for everyone else, tests/registers.py)."""
    registers.remove_all()


@pytest.fixture
def home_page(db, migrated):
    return ensure_site()


@pytest.fixture
def lms():
    """A test LMS (an LTI 1.3 platform, tests/lti/platform.py) serving on its own port, for
    the LTI tests and the browser tests that show Signaal in an LMS."""
    from tests.lti.platform import TestPlatform

    platform = TestPlatform().start()
    yield platform
    platform.stop()
