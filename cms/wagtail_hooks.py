"""Admin pieces drawing on several apps: the admin home's panel for authors and reviewers,
and the editor's preview panel keeping the preview mode the author chose."""

from django.templatetags.static import static
from django.utils.html import format_html
from wagtail import hooks

from .admin_home import construct_panels

hooks.register("construct_homepage_panels", construct_panels)


@hooks.register("insert_editor_js")
def preview_mode_js():
    return format_html('<script src="{}"></script>', static("cms/js/preview-mode.js"))
