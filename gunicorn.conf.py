"""gunicorn's settings for Signaal, read from the environment. gunicorn loads this file
by itself when started from the project directory:

    gunicorn cms.wsgi

Graceful restart (new code and settings, no dropped requests): `kill -HUP <master pid>`;
graceful stop: `kill -TERM <master pid>` (requests in flight get GUNICORN_GRACEFUL_TIMEOUT
seconds). See README.md, 'Running in production'.
"""

import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the cores this container may use
    except AttributeError:
        return os.cpu_count() or 1


# Where to listen: GUNICORN_BIND, else every interface on PORT (8000).
bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{_int('PORT', 8000)}"

# Processes: 2 x cores + 1, at most GUNICORN_MAX_WORKERS (8), unless GUNICORN_WORKERS says.
# Each process holds the whole app (about 150 MB) and its own database connections.
workers = _int("GUNICORN_WORKERS", min(2 * _cores() + 1, _int("GUNICORN_MAX_WORKERS", 8)))
# Threads per process (gthread worker): requests mostly wait on PostgreSQL. Database
# connections needed: workers x threads (each thread keeps its own).
threads = _int("GUNICORN_THREADS", 4)
worker_class = "gthread" if threads > 1 else "sync"

# A request taking longer than this kills its worker (certificate PDFs take about a second).
timeout = _int("GUNICORN_TIMEOUT", 30)
# On HUP/TERM, workers finish the requests they have for this long.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Replace each worker after this many requests (plus jitter), against slow memory growth.
# Not fewer: a new worker costs about 2 s of CPU to load the app and answers its first
# requests slowly; at 1,000 the load test's p95 latencies nearly doubled
# (docs/performance.md, 'Load test').
max_requests = _int("GUNICORN_MAX_REQUESTS", 10000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 1000)
# Code is loaded in each worker, so a HUP brings new code without a full stop.
preload_app = False
# Heartbeat files in memory, not on a possibly slow container disk.
if os.path.isdir("/dev/shm"):  # noqa: S108 (gunicorn's own files, made private by it)
    worker_tmp_dir = "/dev/shm"  # noqa: S108
# No runtime control socket unless asked for (it would be shared by every gunicorn of
# the user otherwise).
control_socket_disable = not os.environ.get("GUNICORN_CONTROL_SOCKET")
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
proc_name = "signaal"

# Logs: the access log to stdout, gunicorn's own messages to stderr; with LOG_FORMAT=json
# (the default here, as in production) one JSON object per line, the same format as the
# application's (core.logs), with the request id the app returns in X-Request-ID.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = (
    '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(f)s" "%(a)s" request_id=%({x-request-id}o)s'
)
if os.environ.setdefault("LOG_FORMAT", "json") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "core.logs.JsonFormatter"}},
        "handlers": {
            "access": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stdout",
            },
            "error": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            },
        },
        "loggers": {
            "gunicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
            "gunicorn.error": {
                "handlers": ["error"],
                "level": loglevel.upper(),
                "propagate": False,
            },
        },
        "root": {"handlers": ["error"], "level": "INFO"},
    }
