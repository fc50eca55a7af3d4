"""Catalogue search on Elasticsearch: query bodies offline, real searches when ES is around."""

import os
from types import SimpleNamespace
from unittest import mock
from uuid import uuid4

import pytest
from elasticsearch_dsl.response import Response

from courses.search_index import (
    DURATION_BUCKETS,
    ModuleDocument,
    ModuleSearchData,
    build_catalogue_search,
    document_for,
    index_modules,
    module_index,
    parse_catalogue_response,
    run_catalogue_search,
)

MULTI_MATCH_FIELDS = ["title^3", "summary^2", "learning_objectives", "lesson_text"]


def body(**kwargs):
    return build_catalogue_search(index="signaal-modules", **kwargs).to_dict()


def facet_filter(search_body, facet):
    return search_body["aggs"][facet]["filter"]


class TestFullText:
    def test_empty_query_matches_all_sorted_by_title(self):
        search_body = body()

        assert search_body["query"] == {"match_all": {}}
        assert search_body["sort"] == ["title.raw"]
        assert "post_filter" not in search_body
        assert search_body["size"] == 100

    def test_whitespace_query_counts_as_empty(self):
        assert body(query="   ")["query"] == {"match_all": {}}

    def test_query_uses_dutch_multi_match_and_title_phrase_prefix(self):
        search_body = body(query="vlag")

        should = search_body["query"]["bool"]["should"]
        assert should[0] == {
            "multi_match": {
                "query": "vlag",
                "fields": MULTI_MATCH_FIELDS,
                "type": "best_fields",
                "operator": "and",
                "analyzer": "dutch",
            }
        }
        assert "fuzziness" not in should[0]["multi_match"]
        assert should[1] == {"match_phrase_prefix": {"title": {"query": "vlag"}}}
        # Filters in the same bool would otherwise make both should clauses optional.
        assert search_body["query"]["bool"]["minimum_should_match"] == 1

    def test_query_is_sorted_by_relevance(self):
        assert "sort" not in body(query="vlag")

    def test_size_is_passed_through(self):
        assert body(size=12)["size"] == 12


class TestFilters:
    def test_themes_and_levels_go_to_post_filter(self):
        search_body = body(themes=["rode-vlaggen", "meldcode"], levels=["basis"])

        assert search_body["post_filter"] == {
            "bool": {
                "filter": [
                    {"terms": {"themes": ["rode-vlaggen", "meldcode"]}},
                    {"terms": {"level": ["basis"]}},
                ]
            }
        }
        assert search_body["query"] == {"match_all": {}}

    def test_sectors_and_duration_go_to_query_filter(self):
        search_body = body(sectors=["zorg", "onderwijs"], duration="middel")

        assert search_body["query"] == {
            "bool": {
                "must": [{"match_all": {}}],
                "filter": [
                    {"terms": {"sectors": ["zorg", "onderwijs"]}},
                    {"range": {"estimated_minutes": {"gte": 30, "lt": 60}}},
                ],
            }
        }
        assert "post_filter" not in search_body

    def test_query_filters_sit_next_to_full_text(self):
        search_body = body(query="vlag", sectors=["zorg"], themes=["meldcode"])

        query_bool = search_body["query"]["bool"]
        assert query_bool["filter"] == [{"terms": {"sectors": ["zorg"]}}]
        assert len(query_bool["should"]) == 2
        assert search_body["post_filter"] == {
            "bool": {"filter": [{"terms": {"themes": ["meldcode"]}}]}
        }

    @pytest.mark.parametrize(
        ("duration", "expected"),
        [
            ("kort", {"lt": 30}),
            ("middel", {"gte": 30, "lt": 60}),
            ("lang", {"gte": 60}),
        ],
    )
    def test_duration_buckets(self, duration, expected):
        search_body = body(duration=duration)

        assert search_body["query"]["bool"]["filter"] == [
            {"range": {"estimated_minutes": expected}}
        ]

    def test_duration_bucket_table(self):
        assert DURATION_BUCKETS == {"kort": (None, 30), "middel": (30, 60), "lang": (60, None)}

    def test_unknown_duration_raises(self):
        with pytest.raises(ValueError, match="Unknown duration 'eeuwig'.*kort, lang, middel"):
            build_catalogue_search(index="signaal-modules", duration="eeuwig")


class TestFacets:
    def test_facets_are_filtered_terms_aggregations(self):
        aggs = body()["aggs"]

        assert aggs["theme_facet"] == {
            "filter": {"match_all": {}},
            "aggs": {"themes": {"terms": {"field": "themes", "size": 100}}},
        }
        assert aggs["level_facet"] == {
            "filter": {"match_all": {}},
            "aggs": {"levels": {"terms": {"field": "level", "size": 10}}},
        }

    def test_each_facet_ignores_its_own_filter(self):
        search_body = body(themes=["rode-vlaggen"], levels=["basis", "verdieping"])

        assert facet_filter(search_body, "theme_facet") == {
            "bool": {"filter": [{"terms": {"level": ["basis", "verdieping"]}}]}
        }
        assert facet_filter(search_body, "level_facet") == {
            "bool": {"filter": [{"terms": {"themes": ["rode-vlaggen"]}}]}
        }

    def test_theme_filter_alone_narrows_only_level_facet(self):
        search_body = body(themes=["meldcode"])

        assert facet_filter(search_body, "theme_facet") == {"match_all": {}}
        assert facet_filter(search_body, "level_facet") == {
            "bool": {"filter": [{"terms": {"themes": ["meldcode"]}}]}
        }

    def test_sector_and_duration_filters_stay_out_of_facet_filters(self):
        # They are in the main query, so they already narrow every aggregation.
        search_body = body(sectors=["zorg"], duration="kort")

        assert facet_filter(search_body, "theme_facet") == {"match_all": {}}
        assert facet_filter(search_body, "level_facet") == {"match_all": {}}


def test_parse_catalogue_response():
    search = build_catalogue_search(index="signaal-modules", query="vlag")
    raw = {
        "took": 3,
        "timed_out": False,
        "hits": {
            "total": {"value": 2, "relation": "eq"},
            "max_score": 4.2,
            "hits": [
                {"_index": "signaal-modules", "_id": "7", "_score": 4.2},
                {"_index": "signaal-modules", "_id": "3", "_score": 1.1},
            ],
        },
        "aggregations": {
            "theme_facet": {
                "doc_count": 5,
                "themes": {
                    "doc_count_error_upper_bound": 0,
                    "sum_other_doc_count": 0,
                    "buckets": [
                        {"key": "rode-vlaggen", "doc_count": 4},
                        {"key": "meldcode", "doc_count": 1},
                    ],
                },
            },
            "level_facet": {
                "doc_count": 2,
                "levels": {
                    "doc_count_error_upper_bound": 0,
                    "sum_other_doc_count": 0,
                    "buckets": [
                        {"key": "basis", "doc_count": 1},
                        {"key": "verdieping", "doc_count": 1},
                    ],
                },
            },
        },
    }

    result = parse_catalogue_response(Response(search, raw))

    assert result.module_ids == [7, 3]
    assert result.total == 2
    assert result.theme_counts == {"rode-vlaggen": 4, "meldcode": 1}
    assert result.level_counts == {"basis": 1, "verdieping": 1}


class FakeClient:
    """Just enough of Elasticsearch for Search.execute(): records the request."""

    def __init__(self, raw):
        self.raw = raw
        self.requests = []

    def search(self, *, index, body, **params):
        self.requests.append({"index": index, "body": body})
        return SimpleNamespace(body=self.raw)


def test_run_catalogue_search_sends_the_built_body():
    raw = {
        "hits": {"total": {"value": 1, "relation": "eq"}, "hits": [{"_id": "5", "_score": 1.0}]},
        "aggregations": {
            "theme_facet": {"doc_count": 1, "themes": {"buckets": []}},
            "level_facet": {
                "doc_count": 1,
                "levels": {"buckets": [{"key": "basis", "doc_count": 1}]},
            },
        },
    }
    client = FakeClient(raw)

    result = run_catalogue_search(client=client, index="signaal-x", query="vlag", levels=["basis"])

    assert result.module_ids == [5]
    assert result.total == 1
    assert result.theme_counts == {}
    assert result.level_counts == {"basis": 1}
    [request] = client.requests
    assert request["index"] == ["signaal-x"]
    assert request["body"] == body(query="vlag", levels=["basis"])


def test_index_modules_creates_missing_index_bulk_indexes_and_refreshes():
    client = mock.MagicMock()
    client.indices.exists.return_value = False

    with mock.patch("courses.search_index.bulk") as bulk:
        index_modules(client=client, index="signaal-x", modules=SAMPLE_MODULES)

    client.indices.create.assert_called_once_with(
        index="signaal-x", body=module_index("signaal-x").to_dict()
    )
    [(bulk_client, actions), _] = bulk.call_args
    assert bulk_client is client
    actions = list(actions)
    assert [action["_id"] for action in actions] == [1, 2, 3]
    assert {action["_index"] for action in actions} == {"signaal-x"}
    assert actions[0]["_source"]["summary"] == SAMPLE_MODULES[0].summary
    client.indices.refresh.assert_called_once_with(index="signaal-x")


def test_index_modules_keeps_an_existing_index():
    client = mock.MagicMock()
    client.indices.exists.return_value = True

    with mock.patch("courses.search_index.bulk"):
        index_modules(client=client, index="signaal-x", modules=SAMPLE_MODULES)

    client.indices.create.assert_not_called()


class TestMapping:
    def test_text_fields_use_dutch_analyzer(self):
        properties = module_index("x").to_dict()["mappings"]["properties"]

        for field in ("title", "summary", "learning_objectives", "lesson_text"):
            assert properties[field]["type"] == "text"
            assert properties[field]["analyzer"] == "dutch"
        assert properties["title"]["fields"]["raw"]["type"] == "keyword"

    def test_filter_fields_are_keywords(self):
        properties = ModuleDocument._doc_type.mapping.to_dict()["properties"]

        for field in ("themes", "level", "sectors"):
            assert properties[field] == {"type": "keyword"}
        assert properties["estimated_minutes"] == {"type": "integer"}
        assert properties["url"]["type"] == "keyword"

    def test_index_settings(self):
        assert module_index("x").to_dict()["settings"] == {
            "number_of_shards": 1,
            "number_of_replicas": 0,
        }

    def test_building_an_index_does_not_rebind_the_document(self):
        module_index("signaal-test-a")
        module_index("signaal-test-b")

        assert ModuleDocument._index._name == "signaal-modules"

    def test_document_for_uses_module_id(self):
        data = SAMPLE_MODULES[0]
        action = document_for(data).to_dict(include_meta=True)

        assert action["_id"] == data.module_id
        assert action["_source"]["title"] == data.title
        assert action["_source"]["themes"] == data.themes
        assert action["_source"]["estimated_minutes"] == data.estimated_minutes


SAMPLE_MODULES = [
    ModuleSearchData(
        module_id=1,
        title="Signalen herkennen",
        summary="Leer rode vlaggen herkennen bij kinderen en volwassenen.",
        learning_objectives=["Je benoemt signalen van huiselijk geweld."],
        lesson_text="Kijk naar gedrag, uiterlijk en de thuissituatie.",
        themes=["rode-vlaggen"],
        level="basis",
        sectors=["zorg", "onderwijs"],
        estimated_minutes=20,
        url="/modules/signalen-herkennen/",
    ),
    ModuleSearchData(
        module_id=2,
        title="Het gesprek aangaan",
        summary="Oefen een moeilijk gesprek met ouders over je zorgen.",
        learning_objectives=["Je voert een gesprek volgens de vijf stappen."],
        lesson_text="Begin met wat je hebt gezien en luister goed.",
        themes=["gespreksvoering", "rode-vlaggen"],
        level="verdieping",
        sectors=["onderwijs"],
        estimated_minutes=45,
        url="/modules/het-gesprek-aangaan/",
    ),
    ModuleSearchData(
        module_id=3,
        title="Meldcode in de praktijk",
        summary="Pas de stappen van de meldcode toe in lastige situaties.",
        learning_objectives=["Je weegt af of een melding nodig is."],
        lesson_text="Gebruik het afwegingskader en leg je besluit vast.",
        themes=["meldcode"],
        level="specialist",
        sectors=["zorg"],
        estimated_minutes=90,
        url="/modules/meldcode-in-de-praktijk/",
    ),
]


@pytest.mark.skipif(
    not os.environ.get("ELASTICSEARCH_URL"), reason="set ELASTICSEARCH_URL to run against ES"
)
def test_catalogue_search_against_elasticsearch():
    from elasticsearch import Elasticsearch

    client = Elasticsearch(os.environ["ELASTICSEARCH_URL"])
    index = f"signaal-test-{uuid4().hex[:8]}"
    try:
        index_modules(client=client, index=index, modules=SAMPLE_MODULES)
        # A second run must reuse the existing index and overwrite by id.
        index_modules(client=client, index=index, modules=SAMPLE_MODULES)

        def search(**filters):
            return run_catalogue_search(client=client, index=index, **filters)

        everything = search()
        assert everything.module_ids == [2, 3, 1]  # title order
        assert everything.total == 3
        assert everything.theme_counts == {"rode-vlaggen": 2, "gespreksvoering": 1, "meldcode": 1}
        assert everything.level_counts == {"basis": 1, "verdieping": 1, "specialist": 1}

        # Dutch stemming: "vlag" finds the summary that says "rode vlaggen".
        assert search(query="vlag").module_ids == [1]
        # A half-typed title word still finds the module through the phrase prefix.
        assert 3 in search(query="Meldc").module_ids

        in_care = search(sectors=["zorg"])
        assert in_care.module_ids == [3, 1]
        assert in_care.theme_counts == {"rode-vlaggen": 1, "meldcode": 1}
        assert in_care.level_counts == {"basis": 1, "specialist": 1}

        red_flags = search(themes=["rode-vlaggen"])
        assert red_flags.module_ids == [2, 1]
        assert red_flags.total == 2
        # The theme facet ignores the theme filter; the level facet respects it.
        assert red_flags.theme_counts == everything.theme_counts
        assert red_flags.level_counts == {"basis": 1, "verdieping": 1}

        red_flags_basic = search(themes=["rode-vlaggen"], levels=["basis"])
        assert red_flags_basic.module_ids == [1]
        assert red_flags_basic.theme_counts == {"rode-vlaggen": 1}
        assert red_flags_basic.level_counts == {"basis": 1, "verdieping": 1}

        assert search(duration="kort").module_ids == [1]
        assert search(duration="middel").module_ids == [2]
        assert search(duration="lang").module_ids == [3]
    finally:
        client.indices.delete(index=index, ignore_unavailable=True)
        client.close()
