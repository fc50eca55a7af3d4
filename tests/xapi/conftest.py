"""Fixtures for the xAPI tests: an organisation whose member plays a quiz, its LRS
connection, and Ralph (a real LRS) for the tests marked `lrs`.

Ralph lives in its own virtualenv (`make lrs`). Without it the `lrs` tests are skipped
locally; CI sets SIGNAAL_REQUIRE_LRS=1 (.ci/run), where a missing Ralph is a failure."""

import os

import pytest

from tests.courses.conftest import catalogue, make_module  # noqa: F401 (fixture)
from tests.factories import UserFactory
from tests.organisations.factories import MembershipFactory, OrganisationFactory
from tests.quizzes.conftest import make_quiz
from xapi.models import LrsConfig

from . import ralph


def pytest_collection_modifyitems(config, items):
    if ralph.installed():
        return
    if os.environ.get("SIGNAAL_REQUIRE_LRS"):
        raise pytest.UsageError(
            f"LRS tests required but Ralph is not installed in {ralph.VENV} (run `make lrs`)."
        )
    skip = pytest.mark.skip(
        reason=f"Ralph (an LRS) is not installed in {ralph.VENV}: run `make lrs`"
    )
    for item in items:
        if "lrs" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def ralph_server():
    server = ralph.Ralph()
    server.start()
    yield server
    server.close()


@pytest.fixture
def lrs(ralph_server):
    if ralph_server.process is None:
        ralph_server.start()
    ralph_server.clear()
    yield ralph_server
    if ralph_server.process is None:
        ralph_server.start()


@pytest.fixture
def module(catalogue):  # noqa: F811
    return make_module(catalogue, "Rode vlaggen", lessons=1)


@pytest.fixture
def quiz(module):
    return make_quiz(module)


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Veilig Thuis Testregio")


@pytest.fixture
def learner(organisation):
    user = UserFactory(email="leerling@example.nl")
    MembershipFactory(user=user, organisation=organisation)
    return user


@pytest.fixture
def export_only(organisation):
    return LrsConfig.objects.create(organisation=organisation, enabled=True, actor="mbox")


@pytest.fixture
def lrs_config(organisation, lrs):
    return LrsConfig.objects.create(
        organisation=organisation,
        enabled=True,
        endpoint=lrs.endpoint,
        key=ralph.USERNAME,
        secret=ralph.PASSWORD,
        actor="mbox",
    )
