"""Finding the page for a URL in a fixed number of queries.

Wagtail walks the tree from the site's root page: for every URL segment a query for the
child with that slug and one for its specific type, so a quiz answer at
/modules/<module>/<quiz>/ spent six queries (about 20 ms, half the request) on routing
alone. Every page stores its URL in `url_path`, kept up to date by Wagtail on moves and
slug changes; the home page (the site's root) looks the page and its parent up by that in
one query and loads both specific objects, three queries at any depth. The result is the
same as Wagtail's walk (tests/cms/test_routing.py): the page must be live (its ancestors
need not be, as in Wagtail), and anything not found this way goes to Wagtail's walk
(which answers 404, or lets a page route its own sub-paths)."""

import functools

from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from wagtail.models import Page, get_page_models
from wagtail.url_routing import RouteResult


@functools.cache
def pages_route_themselves() -> bool:
    """True when a page type routes its own sub-paths (RoutablePageMixin, a custom route):
    then only Wagtail's walk is right, and it is used throughout."""
    from .models import HomePage

    return any(
        model.route is not Page.route for model in get_page_models() if model is not HomePage
    )


def _specific(pk: int, content_type_id: int) -> Page | None:
    model = ContentType.objects.get_for_id(content_type_id).model_class()
    if model is None:
        return None  # a page type removed from the code: Wagtail's walk copes
    return model._default_manager.get(pk=pk)


def descendant_route(root: Page, request, path_components: list[str]) -> RouteResult | None:
    """The route to the page two or more levels below `root` at these URL segments, with
    its parent loaded (views ask for it); None to leave it to Wagtail's walk."""
    if len(path_components) < 2 or pages_route_themselves():
        return None
    url_path = f"{root.url_path}{'/'.join(path_components)}/"
    parent_url_path = f"{root.url_path}{'/'.join(path_components[:-1])}/"
    rows = {
        row[2]: row
        for row in Page.objects.filter(
            url_path__in=[url_path, parent_url_path],
            path__startswith=root.path,
            depth__gt=root.depth,
        ).values_list("pk", "content_type_id", "url_path", "live")
    }
    if url_path not in rows or parent_url_path not in rows:
        return None
    pk, content_type_id, _url_path, live = rows[url_path]
    if not live:
        raise Http404
    page = _specific(pk, content_type_id)
    parent = _specific(*rows[parent_url_path][:2])
    if page is None or parent is None:
        return None
    # As Wagtail's walk does: views asking for the parent get it without a query.
    page._cached_parent_obj = parent
    return page.route(request, [])
