"""Settings shared by every environment, read from environment variables."""

import logging
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

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

# Accounts
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# Argon2id first (accounts.passwords); the others only read hashes made before and are
# upgraded to Argon2id at the next sign-in.
PASSWORD_HASHERS = [
    "accounts.passwords.SignaalArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        # ASVS 2.1.1: at least 12 characters.
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/mijn-leren/"
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupDetailsForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Signaal] "
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
# Failed logins are limited per address and per account (allauth keeps the counters in the
# cache). Written out so a reader sees the numbers.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    # A reset email at most three times per address per quarter of an hour: enough for a
    # person who mistyped, too few to flood someone's inbox.
    "reset_password": "20/m/ip,3/15m/key",
    "confirm_email": "1/3m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Signaal"
# Accept the code of the neighbouring 30-second window too: phones drift.
MFA_TOTP_TOLERANCE = 1
MFA_RECOVERY_CODE_COUNT = 10
# Privileged work (the Wagtail admin, a coordinator area) asks for the second factor again
# after this long without privileged activity, and in any case this long after it was
# given (accounts.second_factor).
PRIVILEGED_SESSION_IDLE_MINUTES = int(os.environ.get("PRIVILEGED_SESSION_IDLE_MINUTES", "30"))
PRIVILEGED_SESSION_MAX_HOURS = int(os.environ.get("PRIVILEGED_SESSION_MAX_HOURS", "12"))
# A privileged account enrols an authenticator only this soon after confirming a code sent
# to its verified address.
SECOND_FACTOR_ENROLMENT_PROOF_MINUTES = 15
# Sessions: a browser session, unless the person ticks 'remember me' at login (then
# SESSION_COOKIE_AGE, two weeks).
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14

# How many reverse proxies (load balancer, nginx) stand in front of the app and append to
# X-Forwarded-For. Every rate limit counts the client address behind them
# (core.client_address); 0 means the connecting address is the client's. Set it exactly:
# too high lets clients choose their own address, too low puts everyone in one bucket.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
# Where to report a vulnerability, published at /.well-known/security.txt (RFC 9116), e.g.
# "mailto:security@example.nl"; without it that address answers 404.
SECURITY_CONTACT = os.environ.get("SECURITY_CONTACT", "")

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
]
# Of those packages only stylesheets, fonts and images (cms/finders.py).
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

# Certificates. The Ed25519 key that signs Open Badges credentials: PEM in
# SIGNAAL_SIGNING_KEY, or a file (generated on first use when DEBUG is on).
SIGNAAL_SIGNING_KEY = os.environ.get("SIGNAAL_SIGNING_KEY", "")
SIGNAAL_SIGNING_KEY_FILE = Path(
    os.environ.get("SIGNAAL_SIGNING_KEY_FILE", BASE_DIR / "var" / "signing-key.pem")
)
CERTIFICATE_RENEWAL_WINDOW_DAYS = int(os.environ.get("CERTIFICATE_RENEWAL_WINDOW_DAYS", "60"))
# How far ahead the admin's "Modules due for review" report looks by default.
REVIEW_HORIZON_DAYS = int(os.environ.get("REVIEW_HORIZON_DAYS", "90"))
# How many days ahead reminder emails announce an expiry or an update deadline.
CERTIFICATE_REMINDER_DAYS = int(os.environ.get("CERTIFICATE_REMINDER_DAYS", "60"))

# Figures about fewer people than this are never shown outside a person's own pages: quiz
# insight (quizzes), knowledge gaps, the board's PDF and the national overview
# (organisations). The one threshold; the texts that mention it interpolate it.
SMALL_GROUP_MINIMUM = 5

# Background tasks (django-tasks, which Wagtail 8 uses for its search and reference index
# updates too). "database" queues them in the database (django-tasks-db) for a worker:
# `python manage.py db_worker`, run as a service next to the web server. "immediate" runs
# them inside the request: the default in debug (the demo) and in tests.
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "immediate" if DEBUG else "database")
if TASKS_BACKEND not in {"database", "immediate"}:
    raise ImproperlyConfigured("TASKS_BACKEND must be 'database' or 'immediate'.")
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend"
        if TASKS_BACKEND == "database"
        else "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default"],
    }
}

# Organisations: people-list exports of organisations up to this many members are built in
# the request; larger ones are built in the background (a task) and downloaded when ready.
ORGANISATION_EXPORT_IMMEDIATE_LIMIT = int(
    os.environ.get("ORGANISATION_EXPORT_IMMEDIATE_LIMIT", "500")
)

# How many invitations (single, imported, or sent again) one organisation may send a day:
# a coordinator's account cannot be used to mail thousands of addresses. Raise it for the
# day a large organisation is first imported.
INVITATIONS_PER_ORGANISATION_PER_DAY = int(
    os.environ.get("INVITATIONS_PER_ORGANISATION_PER_DAY", "500")
)

# Audit log entries older than this many days are deleted by `manage.py purge_audit_log`
# (run it daily from cron).
AUDIT_LOG_RETENTION_DAYS = int(os.environ.get("AUDIT_LOG_RETENTION_DAYS", str(365 * 2)))
