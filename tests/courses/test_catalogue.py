"""The catalogue: filters that combine, facet counts, search, and a fixed query count."""

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from courses.selectors.catalogue import CatalogueFilters, catalogue
from tests.courses.conftest import make_module

pytestmark = pytest.mark.django_db


@pytest.fixture
def modules(catalogue):
    return {
        "vlaggen": make_module(
            catalogue, "Rode vlaggen", themes=("rode-vlaggen",), level="basis", minutes=25,
            sectors=("politie",), summary="Over rode vlaggen zoals wurging en stalking.",
        ),
        "terreur": make_module(
            catalogue, "Intieme terreur", themes=("intieme-terreur", "dwingende-controle"),
            level="verdieping", minutes=50, sectors=("veilig-thuis",),
        ),
        "meldcode": make_module(
            catalogue, "Meldcode", themes=("meldcode",), level="basis", minutes=90,
            sectors=("onderwijs", "politie"),
        ),
    }  # fmt: skip


def titles(result) -> list[str]:
    return [module.title for module in result.modules]


def filters(query: str) -> CatalogueFilters:
    return CatalogueFilters.from_querydict(QueryDict(query))


def test_without_filters_all_live_modules_in_catalogue_order(modules):
    assert titles(catalogue(filters(""))) == ["Rode vlaggen", "Intieme terreur", "Meldcode"]


def test_filters_combine_with_and_between_kinds_and_or_within_a_kind(modules):
    assert titles(catalogue(filters("thema=rode-vlaggen&thema=meldcode"))) == [
        "Rode vlaggen",
        "Meldcode",
    ]
    assert titles(catalogue(filters("thema=rode-vlaggen&thema=meldcode&duur=kort"))) == [
        "Rode vlaggen"
    ]
    assert titles(catalogue(filters("niveau=basis&sector=politie"))) == ["Rode vlaggen", "Meldcode"]
    assert titles(catalogue(filters("niveau=verdieping&sector=politie"))) == []
    assert titles(catalogue(filters("duur=middel"))) == ["Intieme terreur"]
    assert titles(catalogue(filters("duur=lang&niveau=basis"))) == ["Meldcode"]


def test_facet_counts_ignore_their_own_filter_but_apply_the_others(modules):
    result = catalogue(filters("thema=meldcode&niveau=basis"))
    assert titles(result) == ["Meldcode"]
    # Theme counts: level=basis applies, the theme choice does not.
    assert result.theme_counts == {"rode-vlaggen": 1, "meldcode": 1}
    # Level counts: theme=meldcode applies, the level choice does not.
    assert result.level_counts == {"basis": 1}
    unfiltered = catalogue(filters(""))
    assert unfiltered.level_counts == {"basis": 2, "verdieping": 1}
    assert unfiltered.theme_counts == {
        "rode-vlaggen": 1, "intieme-terreur": 1, "dwingende-controle": 1, "meldcode": 1
    }  # fmt: skip
    with_sector = catalogue(filters("sector=politie"))
    assert with_sector.level_counts == {"basis": 2}


def test_values_that_are_no_choice_are_ignored(modules):
    chosen = filters("thema=bestaat-niet&niveau=expert&duur=eeuwig&sector=x")
    assert not chosen.active
    assert len(catalogue(chosen).modules) == 3


def test_unpublished_modules_are_not_listed(modules):
    modules["meldcode"].unpublish()
    assert "Meldcode" not in titles(catalogue(filters("")))


@pytest.mark.usefixtures("search_index")
def test_search_finds_text_in_modules_and_in_their_lessons(modules):
    assert titles(catalogue(filters("q=wurging"))) == ["Rode vlaggen"]
    # 'Tekst van Les 1' is in every lesson.
    assert set(titles(catalogue(filters("q=Tekst")))) == {
        "Rode vlaggen",
        "Intieme terreur",
        "Meldcode",
    }
    assert titles(catalogue(filters("q=wurging&niveau=verdieping"))) == []


@pytest.mark.postgresql
@pytest.mark.usefixtures("search_index")
def test_dutch_word_forms_are_found_on_postgresql(modules):
    assert titles(catalogue(filters("q=vlag"))) == ["Rode vlaggen"]
    assert titles(catalogue(filters("q=stalken"))) == ["Rode vlaggen"]


def test_catalogue_query_count_does_not_grow_with_the_number_of_modules(catalogue, client):
    make_module(catalogue, "Een", lessons=1)
    client.get("/modules/?thema=rode-vlaggen")  # warm the site and settings caches
    with CaptureQueriesContext(connection) as few:
        assert client.get("/modules/?thema=rode-vlaggen").status_code == 200
    for number in range(5):
        make_module(catalogue, f"Module {number}", themes=("rode-vlaggen", "meldcode"), lessons=2)
    client.get("/modules/?thema=rode-vlaggen")
    with CaptureQueriesContext(connection) as many:
        response = client.get("/modules/?thema=rode-vlaggen")
    assert len(response.context["catalogue"].modules) == 6
    assert len(many) == len(few)


def test_catalogue_page_shows_filters_and_counts(modules, client):
    content = client.get("/modules/?thema=meldcode").content.decode()
    assert 'value="meldcode" id="thema-meldcode" checked' in content
    assert "Meldcode" in content
    assert client.post("/modules/").status_code == 405
