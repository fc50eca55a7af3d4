"""Settings shared by every environment, read from environment variables. Accounts and
sign-in live in accounts.py, Signaal's own tunable rules in platform.py."""

import logging
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from .env import BASE_DIR, DEBUG, PROJECT_DIR, env_bool, env_list

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        # A guessable key would let anyone forge sessions and password-reset links.
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
            "(or DJANGO_DEBUG=1 for local development only)."
        )
    SECRET_KEY = "django-insecure-signaal-development-only-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "cms",
    "core",
    "accounts",
    "courses",
    "quizzes",
    "certificates",
    "organisations",
    "lti",
    "xapi",
    "identity",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "accounts.apps.SignaalUsersAppConfig",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "csp",
    "django_tasks_db",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "core.middleware.RequestIdMiddleware",
    # A NUL character in a request is a 400 before anything touches the database.
    "core.middleware.RejectNulMiddleware",
    # A view whose database connection fails answers 503 'Even niet bereikbaar'.
    "core.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files (collected, hashed, compressed) before anything else touches them.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Cache-Control by one rule; outside sessions and CSRF so it sees their cookies.
    "core.middleware.CacheHeadersMiddleware",
    "core.middleware.SignaalCSPMiddleware",
    # Signaal inside an LMS's iframe (LTI): frame-ancestors for the registered platforms,
    # SameSite=None cookies for a launched session; between CSP and sessions (lti.embedding).
    "lti.embedding.LtiEmbeddingMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.PreferredLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # After authentication and allauth: ends password-only sessions of accounts with a
    # second factor and asks for it before the admin.
    "accounts.middleware.SecondFactorMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # A reviewer's approval refused by courses.workflow becomes a message, not an error page.
    "courses.workflow.ApprovalRefusedMiddleware",
]

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "core.context_processors.content_language",
                "cms.context_processors.coordinator_nav",
            ],
        },
    },
]

# Database: the embedded default is an SQLite file; DATABASE_URL selects PostgreSQL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USING_POSTGRESQL = DATABASES["default"]["ENGINE"].endswith("postgresql")

# Cache: Redis when REDIS_URL is set (shared between processes, so login rate limits hold
# across workers); otherwise a per-process memory cache.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "signaal",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Internationalisation: Dutch first, English second.
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
LANGUAGE_COOKIE_NAME = "signaal_language"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SAMESITE = "Lax"
LOCALE_PATHS = [PROJECT_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

# Static files: our own CSS, plus the NL Design System packages that npm installs.
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    ("vendor/utrecht", NODE_MODULES / "@utrecht" / "component-library-css" / "dist"),
    ("vendor/utrecht-tokens", NODE_MODULES / "@utrecht" / "design-tokens" / "dist"),
    ("vendor/dagre", NODE_MODULES / "@dagrejs" / "dagre" / "dist"),
]
# The only scripts taken from those packages: dagre lays out the scenario map in the quiz
# editor and the insight report (quizzes/static/quizzes/scenario-map.js).
VENDOR_SCRIPTS = ("vendor/dagre/dagre.min.js",)
# Of those packages only stylesheets, fonts, images and VENDOR_SCRIPTS (core/finders.py).
STATICFILES_FINDERS = [
    "core.finders.AssetsFileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"
# Without debug, `collectstatic` writes hashed, compressed copies (whitenoise) that
# WhiteNoiseMiddleware serves with a far-future max-age; debug serves the sources.
STATICFILES_BACKEND = os.environ.get(
    "STATICFILES_BACKEND",
    "django.contrib.staticfiles.storage.StaticFilesStorage"
    if DEBUG
    else "core.storage.StaticFilesStorage",
)
# Uploaded files, certificate PDFs and exports: on disk under MEDIA_ROOT ("filesystem"),
# or in an S3-compatible bucket ("s3"), private: files are reached only through signed,
# expiring URLs or through our own views.
MEDIA_STORAGE = os.environ.get("MEDIA_STORAGE", "filesystem")
if MEDIA_STORAGE == "filesystem":
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif MEDIA_STORAGE == "s3":
    if not os.environ.get("AWS_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
            # The keys come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (read by
            # django-storages and boto3 themselves), or from an instance role.
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "addressing_style": os.environ.get("AWS_S3_ADDRESSING_STYLE") or None,
            "location": os.environ.get("AWS_LOCATION", ""),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": int(os.environ.get("AWS_QUERYSTRING_EXPIRE", "3600")),
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "private, max-age=3600"},
        },
    }
else:
    raise ImproperlyConfigured("MEDIA_STORAGE must be 'filesystem' or 's3'.")
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {"BACKEND": STATICFILES_BACKEND},
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Email: console by default; EMAIL_BACKEND and EMAIL_* select a real server.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
# An email the server did not take is sent again by `manage.py send_queued_email` (cron,
# every few minutes) for this long: three days, as long as a verification link is valid.
EMAIL_RETRY_HOURS = int(os.environ.get("EMAIL_RETRY_HOURS", "72"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Signaal <noreply@signaal.test>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Wagtail
WAGTAIL_SITE_NAME = "Signaal"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILADMIN_LOGIN_URL = "account_login"
# One way in: allauth's login and password reset (rate limits, verified email, second
# factor). Wagtail's own login, password reset, password and email change are switched off
# or redirected (cms/urls.py).
WAGTAIL_FRONTEND_LOGIN_URL = "/account/login/"
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
# Email addresses change through allauth, which verifies the new one first.
WAGTAIL_EMAIL_MANAGEMENT_ENABLED = False
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "txt", "xlsx"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAIL_ENABLE_UPDATE_CHECK = False
# An approved workflow publishes only what may go live (no lesson or quiz under a module
# that is not live).
WAGTAIL_FINISH_WORKFLOW_ACTION = "courses.workflow.publish_workflow_state"
# No Gravatar: it would send a hash of every editor's email address to a third party.
WAGTAIL_GRAVATAR_PROVIDER_URL = None

# Search: Wagtail's database backend (PostgreSQL full-text search with the Dutch
# configuration when on PostgreSQL), or Elasticsearch 8 when ELASTICSEARCH_URL is set.
ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")
ELASTICSEARCH_INDEX = os.environ.get("ELASTICSEARCH_INDEX", "signaal")
if USING_POSTGRESQL:
    DATABASE_SEARCH_BACKEND = {"BACKEND": "core.search_backends", "SEARCH_CONFIG": "dutch"}
else:
    # The embedded default: SQLite's full-text search (no Dutch stemming).
    DATABASE_SEARCH_BACKEND = {"BACKEND": "wagtail.search.backends.database"}
if ELASTICSEARCH_URL:
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": "wagtail.search.backends.elasticsearch8",
            "URLS": [ELASTICSEARCH_URL],
            "INDEX": ELASTICSEARCH_INDEX,
            "TIMEOUT": 5,
            "OPTIONS": {},
            "INDEX_SETTINGS": {},
        },
        # Kept up to date as well, so that search falls back to it when Elasticsearch
        # does not answer (cms.selectors.search_pages, courses.selectors.catalogue.catalogue).
        "database": DATABASE_SEARCH_BACKEND,
    }
else:
    WAGTAILSEARCH_BACKENDS = {"default": DATABASE_SEARCH_BACKEND}

# Security headers. The Content-Security-Policy allows only our own origin; the admin gets
# the additions Wagtail's editor needs (core.middleware.SignaalCSPMiddleware).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
# How long shared caches (a CDN, a proxy) may keep an anonymous visitor's Wagtail page;
# signed-in and other personal responses are never shared (core.middleware). 0: never.
PUBLIC_CACHE_SECONDS = int(os.environ.get("PUBLIC_CACHE_SECONDS", "300"))
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Load balancers probe /healthz over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if env_bool("SECURE_PROXY_SSL_HEADER", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Logs go to stderr: "plain" lines, or with LOG_FORMAT=json (the default in production)
# one JSON object per line with time, level, logger, message and request_id (core.logs).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain")
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured("LOG_FORMAT must be 'plain' or 'json'.")
if LOG_FORMAT == "json":
    # Python's warnings become records of the logger py.warnings: every line is JSON.
    logging.captureWarnings(True)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.logs.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "core.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Wagtail's search and reference index run as tasks; one line each is noise.
        "django_tasks": {"level": "WARNING"},
        # WeasyPrint's progress and fontTools' subsetting write dozens of lines per PDF.
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

from .accounts import *  # noqa: E402, F403
from .platform import *  # noqa: E402, F403
