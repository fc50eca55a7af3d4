"""Test runs: production-like (DEBUG off), with a throwaway key and fast hashing."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-any-real-deployment-0123456789")
os.environ["DJANGO_DEBUG"] = "0"
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

from .base import *  # noqa: E402, F403

ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests run over plain HTTP (the live server for browser tests), so cookies may not be
# restricted to HTTPS here; production keeps them secure.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LANGUAGE_COOKIE_SECURE = False
# ... and an organisation's IdP sends people back to the live server's plain-HTTP callback.
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    # A file, not memory, so tests can close and reopen the connection like a server does.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test-db.sqlite3")}  # noqa: F405

# Tests sign with a throwaway key, generated once per run.
SIGNAAL_SIGNING_KEY_FILE = Path(tempfile.gettempdir()) / f"signaal-test-key-{os.getpid()}.pem"
TESTING = True
# Static files from the sources as in development: tests need no collectstatic and no
# manifest (tests/cms/test_production.py checks the production storage); whitenoise looks
# files up per request instead of scanning STATIC_ROOT for every test client.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
# Background tasks run at once in tests (a test that needs a queue overrides TASKS).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
