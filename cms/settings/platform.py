"""Signaal's own rules that an operator may tune: certificates, review and reminder horizons,
the small-group threshold, background tasks, organisations' limits and audit retention."""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .env import BASE_DIR, DEBUG

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

# Accreditation points to PE-online (certificates.accreditation.pe_online): the provider
# account's credentials that PE-online gives (EDU role). Without them, attendance is
# downloaded as a file per register and period and uploaded by hand.
PE_ONLINE_ENDPOINT = os.environ.get(
    "PE_ONLINE_ENDPOINT",
    "https://www.pe-online.org/pe-services/pe-attendanceelearning/WriteAttendance.asmx/ProcessXML",
)
PE_ONLINE_USER_ID = os.environ.get("PE_ONLINE_USER_ID", "")
PE_ONLINE_USER_KEY = os.environ.get("PE_ONLINE_USER_KEY", "")
PE_ONLINE_ORG_ID = os.environ.get("PE_ONLINE_ORG_ID", "")
# Where PE-online mails its processing report (may be empty).
PE_ONLINE_REPORT_EMAIL = os.environ.get("PE_ONLINE_REPORT_EMAIL", "")
