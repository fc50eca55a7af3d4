"""Elasticsearch configured but not answering (a closed port): the catalogue and the site
search answer from the database, log a warning saying so, and the pages answer 200."""

import logging

import pytest
from django.conf import settings as django_settings

from tests.courses.conftest import make_module

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("search_index")]

UNREACHABLE = "http://127.0.0.1:9"


@pytest.fixture
def elasticsearch_down(settings):
    """The settings cms.settings.base makes for ELASTICSEARCH_URL, pointing at a port where
    nothing listens (the modules are indexed in the database before this applies)."""
    settings.ELASTICSEARCH_URL = UNREACHABLE
    settings.WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": "wagtail.search.backends.elasticsearch8",
            "URLS": [UNREACHABLE],
            "INDEX": settings.ELASTICSEARCH_INDEX,
            "TIMEOUT": 1,
            "OPTIONS": {"max_retries": 0},
            "INDEX_SETTINGS": {},
        },
        "database": django_settings.WAGTAILSEARCH_BACKENDS["default"],
    }


@pytest.fixture
def modules(catalogue):
    return [
        make_module(catalogue, "Rode vlaggen herkennen"),
        make_module(catalogue, "Meldcode in de praktijk", themes=("meldcode",)),
    ]


def test_catalogue_search_falls_back_to_the_database(modules, elasticsearch_down, client, caplog):
    caplog.set_level(logging.WARNING)
    response = client.get("/modules/", {"q": "meldcode"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Meldcode in de praktijk" in page
    assert "Rode vlaggen herkennen" not in page
    assert "catalogue falls back to the database" in caplog.text


def test_catalogue_without_text_falls_back_too(modules, elasticsearch_down, client, caplog):
    caplog.set_level(logging.WARNING)
    response = client.get("/modules/", {"niveau": "basis"})
    assert response.status_code == 200
    assert "Rode vlaggen herkennen" in response.content.decode()
    assert "falls back to the database" in caplog.text


def test_site_search_falls_back_to_the_database(modules, elasticsearch_down, client, caplog):
    caplog.set_level(logging.WARNING)
    response = client.get("/zoeken/", {"q": "rode vlaggen"})
    assert response.status_code == 200
    assert "Rode vlaggen herkennen" in response.content.decode()
    assert "site search falls back to the database" in caplog.text
