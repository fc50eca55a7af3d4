import pytest

# Every test here reads the search index, kept up to date as outside the tests.
pytestmark = pytest.mark.usefixtures("search_index")


@pytest.mark.django_db
def test_search_page_finds_a_live_page_by_a_word_in_its_text(client, home_page):
    response = client.get("/zoeken/", {"q": "femicide"})
    assert response.status_code == 200
    assert response.context["results"].paginator.count == 1
    assert home_page.title in response.content.decode()


@pytest.mark.django_db
def test_search_without_a_query_shows_only_the_form(client, home_page):
    response = client.get("/zoeken/")
    assert response.status_code == 200
    assert response.context["results"] is None


@pytest.mark.django_db
def test_search_does_not_show_unpublished_pages(client, home_page):
    from cms.models import HomePage

    draft = HomePage(title="Conceptpagina dwingende controle", slug="concept", live=False)
    home_page.add_child(instance=draft)
    response = client.get("/zoeken/", {"q": "Conceptpagina"})
    assert response.context["results"].paginator.count == 0


@pytest.mark.django_db
def test_overlong_queries_are_cut_not_refused(client, home_page):
    response = client.get("/zoeken/", {"q": "vlag " * 200})
    assert response.status_code == 200
    assert len(response.context["search_query"]) <= 200


@pytest.mark.postgresql
@pytest.mark.django_db
def test_dutch_stemming_on_postgresql_finds_plural_from_singular(client, home_page):
    # The home page says 'rode vlaggen'; the Dutch configuration stems both to 'vlag'.
    response = client.get("/zoeken/", {"q": "vlag"})
    assert response.context["results"].paginator.count == 1
