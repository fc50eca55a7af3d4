"""Pages below the home page are found by their URL in a fixed number of queries
(cms.routing), with the same outcome as Wagtail's walk down the tree."""

import pytest
from django.http import Http404
from django.test import RequestFactory
from wagtail.models import Page

from cms import routing
from courses.models import LessonPage, ModulePage
from tests.courses.conftest import add_lesson, catalogue, make_module  # noqa: F401 (fixture)
from tests.quizzes.conftest import make_quiz

pytestmark = pytest.mark.django_db


def walk(home, path: str):
    """Wagtail's own routing from the home page: a query per segment and page type."""
    request = RequestFactory().get(path)
    components = [part for part in path.split("/") if part]
    try:
        return Page.route(home, request, components).page
    except Http404:
        return None


def route(home, path: str):
    request = RequestFactory().get(path)
    components = [part for part in path.split("/") if part]
    try:
        return home.route(request, components).page
    except Http404:
        return None


@pytest.fixture
def site_pages(catalogue):  # noqa: F811
    module = make_module(catalogue, "Rode vlaggen", lessons=2)
    quiz = make_quiz(module)
    draft = add_lesson(module, "Nog niet af", publish=False)
    return {"home": catalogue.get_parent().specific, "module": module, "quiz": quiz, "draft": draft}


def test_every_page_is_found_as_wagtail_finds_it(site_pages):
    home = site_pages["home"]
    paths = [page.url for page in Page.objects.live().descendant_of(home)]
    paths += [
        site_pages["draft"].url,  # not live: 404
        "/modules/rode-vlaggen/bestaat-niet/",
        "/modules/bestaat-niet/les-1/",
        "/bestaat-niet/",
        "/modules/rode-vlaggen/les-1/verder/",
    ]
    assert len(paths) > 6
    for path in paths:
        assert route(home, path) == walk(home, path), path
    assert route(home, site_pages["draft"].url) is None


def test_a_lesson_or_quiz_takes_three_queries_with_its_parent_loaded(
    site_pages, django_assert_num_queries
):
    home = site_pages["home"]
    lesson = LessonPage.objects.child_of(site_pages["module"]).live().first()
    route(home, lesson.url)  # page types are looked up once per process
    with django_assert_num_queries(3):
        found = route(home, lesson.url)
    assert isinstance(found, LessonPage) and found.pk == lesson.pk
    with django_assert_num_queries(0):
        parent = found.get_parent().specific
    assert isinstance(parent, ModulePage) and parent.pk == site_pages["module"].pk
    with django_assert_num_queries(3):
        assert route(home, site_pages["quiz"].url).pk == site_pages["quiz"].pk


def test_a_live_page_below_an_unpublished_one_is_found_as_by_wagtail(site_pages):
    # Wagtail checks only the page itself; its ancestors may be unpublished.
    home = site_pages["home"]
    Page.objects.filter(pk=site_pages["module"].pk).update(live=False)
    lesson = LessonPage.objects.child_of(site_pages["module"]).live().first()
    assert route(home, lesson.url) == walk(home, lesson.url) == lesson


def test_the_site_serves_deep_pages_through_it(site_pages, client, django_user_model):
    first, second = LessonPage.objects.child_of(site_pages["module"]).live().order_by("path")[:2]
    assert client.get(first.url).status_code == 200  # the taster lesson, open to visitors
    assert client.get(second.url).status_code == 302  # the login, as before
    assert client.get(site_pages["module"].url).status_code == 200
    assert client.get("/modules/rode-vlaggen/bestaat-niet/").status_code == 404


def test_no_page_type_routes_its_own_sub_paths():
    # If one does (RoutablePageMixin, a custom route), cms.routing steps aside for all.
    assert routing.pages_route_themselves() is False
