"""Template context for every page, without database queries."""

from django.conf import settings
from django.http import HttpRequest
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

# The course content (modules, lessons, quizzes, signals) is written in Dutch only.
CONTENT_LANGUAGE = settings.LANGUAGE_CODE


def content_language(request: HttpRequest) -> dict:
    """`content_lang`: a ` lang="nl"` attribute for elements holding course content when
    the interface is in another language, so screen readers pronounce it as Dutch (WCAG
    3.1.2); empty in Dutch, where the page's own lang already says so. `content_is_foreign`
    tells the base template to say the content is in Dutch only."""
    foreign = (get_language() or CONTENT_LANGUAGE) != CONTENT_LANGUAGE
    return {
        "content_lang": mark_safe(f' lang="{CONTENT_LANGUAGE}"') if foreign else "",  # noqa: S308 - a setting
        "content_is_foreign": foreign,
    }
