"""The catalogue with ELASTICSEARCH_URL set: results come from the module index, and the
database answers when Elasticsearch does not."""

import pytest
from django.http import QueryDict
from elasticsearch import ConnectionError as ElasticsearchConnectionError

from courses.selectors import catalogue as selectors
from courses.selectors.catalogue import CatalogueFilters
from tests.courses.conftest import make_module
from tests.courses.test_search_index import FakeClient

pytestmark = pytest.mark.django_db


class UnreachableClient:
    def search(self, **kwargs):
        raise ElasticsearchConnectionError("connection refused")


def test_catalogue_uses_elasticsearch_ids_order_and_facets(settings, monkeypatch, catalogue):
    first = make_module(catalogue, "Eerste")
    second = make_module(catalogue, "Tweede")
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9200"
    raw = {
        "hits": {
            "total": {"value": 2, "relation": "eq"},
            "hits": [{"_id": str(second.pk), "_score": 2.0}, {"_id": str(first.pk), "_score": 1.0}],
        },
        "aggregations": {
            "theme_facet": {
                "doc_count": 2,
                "themes": {"buckets": [{"key": "rode-vlaggen", "doc_count": 2}]},
            },
            "level_facet": {
                "doc_count": 2,
                "levels": {"buckets": [{"key": "basis", "doc_count": 2}]},
            },
        },
    }
    client = FakeClient(raw)
    monkeypatch.setattr(selectors, "elasticsearch_client", lambda: client)
    result = selectors.catalogue(CatalogueFilters.from_querydict(QueryDict("q=vlag&niveau=basis")))
    assert [module.title for module in result.modules] == ["Tweede", "Eerste"]
    assert result.theme_counts == {"rode-vlaggen": 2}
    assert result.level_counts == {"basis": 2}
    assert client.requests[0]["index"] == [f"{settings.ELASTICSEARCH_INDEX}-modules"]


def test_catalogue_falls_back_to_the_database_when_elasticsearch_is_down(
    settings, monkeypatch, catalogue, caplog
):
    make_module(catalogue, "Eerste")
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"
    monkeypatch.setattr(selectors, "elasticsearch_client", lambda: UnreachableClient())
    result = selectors.catalogue(CatalogueFilters())
    assert [module.title for module in result.modules] == ["Eerste"]
    assert "falls back to the database" in caplog.text


def test_module_search_data_holds_lesson_text_and_classification(catalogue):
    module = make_module(catalogue, "Rode vlaggen", themes=("rode-vlaggen", "meldcode"), lessons=2)
    data = selectors.module_search_data(module)
    assert data.module_id == module.pk
    assert sorted(data.themes) == ["meldcode", "rode-vlaggen"]
    assert "Tekst van Les 1." in data.lesson_text
    assert "<p>" not in data.lesson_text
