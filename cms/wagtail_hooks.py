"""Admin pieces drawing on several apps: the admin home's panel for authors and reviewers."""

from wagtail import hooks

from .admin_home import construct_panels

hooks.register("construct_homepage_panels", construct_panels)
