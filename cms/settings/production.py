"""Production: DEBUG is always off, so SECRET_KEY and ALLOWED_HOSTS must be set."""

import os

os.environ["DJANGO_DEBUG"] = "0"

from .base import *  # noqa: E402, F403
