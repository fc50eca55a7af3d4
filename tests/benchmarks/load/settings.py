"""Settings for the load test's gunicorn: production's, plus one bare view (the ceiling).

The bare view lives in this benchmark's own urlconf, never in the project's: it answers
through the same middleware and the same gunicorn as every page, so its throughput is what
this server can do at best per request."""

from cms.settings.production import *  # noqa: F403

ROOT_URLCONF = "tests.benchmarks.load.urls"
