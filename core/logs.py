"""Structured logs: one JSON object per line (LOG_FORMAT=json, the default in production),
with the request id of the request being served.

Used by Django's LOGGING (cms/settings/base.py) and by gunicorn's own loggers
(gunicorn.conf.py), so this module must not import Django at import time.
"""

import contextvars
import logging
import re
import uuid

from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

# The id of the request this thread or task is serving ("-" outside a request).
current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar(
    "signaal_request_id", default="-"
)
# An id a proxy or load balancer sends along is kept when it looks like an id; anything
# else (too long, odd characters that could forge log lines) is replaced by our own.
INCOMING_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")


def request_id_from(header_value: str | None) -> str:
    if header_value and INCOMING_ID.match(header_value):
        return header_value
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (handlers' filter, so third-party loggers get it
    too)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id.get()
        return True


# gunicorn's access log passes these atoms as the record's arguments; we log them as
# named fields instead of one Apache-style line.
ACCESS_FIELDS = {
    "h": "remote_addr",
    "m": "method",
    "U": "path",
    "q": "query",
    "H": "protocol",
    "s": "status",
    "B": "bytes",
    "M": "duration_ms",
    "f": "referer",
    "a": "user_agent",
    "{x-request-id}o": "request_id",
}


class JsonFormatter(BaseJsonFormatter):
    """`level`, `logger`, `message`, `time` and `request_id` on every line, plus any
    `extra` fields; gunicorn's access records get the request's fields."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("fmt", ["levelname", "name", "message"])
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        # ISO 8601 in UTC with microseconds, the same in gunicorn's master and the workers
        # (Django sets the workers' local time zone).
        kwargs.setdefault("timestamp", "time")
        super().__init__(*args, **kwargs)

    def add_fields(self, log_data, record, message_dict) -> None:
        super().add_fields(log_data, record, message_dict)
        log_data.setdefault("request_id", getattr(record, "request_id", None) or "-")
        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            atoms = record.args
            for atom, field in ACCESS_FIELDS.items():
                value = atoms.get(atom.lower() if atom.startswith("{") else atom)
                if value in (None, "", "-"):
                    continue
                if field == "status" and str(value).isdigit():
                    value = int(value)
                log_data[field] = value
            log_data["message"] = f"{atoms.get('m')} {atoms.get('U')} {atoms.get('s')}"
