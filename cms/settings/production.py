"""Production: DEBUG is always off, so SECRET_KEY and ALLOWED_HOSTS must be set."""

import os

os.environ["DJANGO_DEBUG"] = "0"
# One JSON object per log line, for the log collector (LOG_FORMAT=plain to read by eye).
os.environ.setdefault("LOG_FORMAT", "json")

from .base import *  # noqa: E402, F403
