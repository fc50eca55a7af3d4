"""Production serving: media storage choice, structured logs, collected static files
through whitenoise, gunicorn's configuration and a short real run of gunicorn."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import boto3
import pytest
from django.db import connection
from moto import mock_aws

from certificates import services as certificate_services
from certificates.models import Certificate
from courses import services as course_services
from quizzes.services import play_best_path
from tests.courses.conftest import lessons_of
from tests.factories import UserFactory
from tests.quizzes.conftest import catalogue, make_quiz, module, quiz  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
SECRET = "production-like-secret-for-tests-" + "k" * 30
# Environment variables of the surrounding run that must not leak into a subprocess.
LEAKY = {
    "SECRET_KEY",
    "DJANGO_DEBUG",
    "DJANGO_SETTINGS_MODULE",
    "SECURE_SSL_REDIRECT",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "LOG_FORMAT",
    "MEDIA_STORAGE",
    "STATIC_ROOT",
    "STATICFILES_BACKEND",
}


def production_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in LEAKY and not k.startswith("AWS_")}
    env.update(
        DJANGO_SETTINGS_MODULE="cms.settings.production",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="0",
    )
    env.update(extra)
    return env


def run_python(code: str, env: dict[str, str], timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


# Media storage ---------------------------------------------------------------------------

SHOW_STORAGE = """
import json, django
django.setup()
from django.conf import settings
from django.core.files.storage import default_storage
default_storage._setup()
storage = default_storage._wrapped
print(json.dumps({
    "backend": settings.STORAGES["default"]["BACKEND"],
    "class": type(storage).__module__ + "." + type(storage).__name__,
    "bucket": getattr(storage, "bucket_name", None),
    "endpoint": getattr(storage, "endpoint_url", None),
    "region": getattr(storage, "region_name", None),
    "acl": getattr(storage, "default_acl", None),
    "querystring_auth": getattr(storage, "querystring_auth", None),
    "file_overwrite": getattr(storage, "file_overwrite", None),
    "static": settings.STORAGES["staticfiles"]["BACKEND"],
}))
"""


@pytest.mark.subprocess
def test_media_on_disk_by_default_and_hashed_compressed_static_files_in_production():
    result = run_python(SHOW_STORAGE, production_env())
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout.strip().splitlines()[-1])
    assert shown["class"] == "django.core.files.storage.filesystem.FileSystemStorage"
    assert shown["static"] == "core.storage.StaticFilesStorage"


@pytest.mark.subprocess
def test_media_storage_s3_selects_a_private_bucket_without_touching_the_network():
    env = production_env(
        MEDIA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="signaal-media",
        AWS_S3_ENDPOINT_URL="https://s3.example.nl",
        AWS_S3_REGION_NAME="nl-ams",
        AWS_ACCESS_KEY_ID="AKIAEXAMPLE",
        AWS_SECRET_ACCESS_KEY="example-secret",
    )
    result = run_python(SHOW_STORAGE, env)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout.strip().splitlines()[-1])
    assert shown == {
        "backend": "storages.backends.s3.S3Storage",
        "class": "storages.backends.s3.S3Storage",
        "bucket": "signaal-media",
        "endpoint": "https://s3.example.nl",
        "region": "nl-ams",
        "acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
        "static": "core.storage.StaticFilesStorage",
    }


@pytest.mark.subprocess
def test_media_storage_s3_without_a_bucket_refuses_to_start():
    result = run_python(SHOW_STORAGE, production_env(MEDIA_STORAGE="s3"))
    assert result.returncode != 0
    assert "AWS_STORAGE_BUCKET_NAME" in result.stderr


@pytest.fixture
def s3_media(settings, monkeypatch):
    """The default storage in a private S3 bucket, simulated in-process by moto."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-1",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("s3", region_name="eu-west-1")
        client.create_bucket(
            Bucket="signaal-media",
            CreateBucketConfiguration={"LocationConstraint": "eu-west-1"},
        )
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": "signaal-media",
                    "region_name": "eu-west-1",
                    "default_acl": "private",
                    "querystring_auth": True,
                    "file_overwrite": False,
                },
            },
        }
        yield client


@pytest.mark.django_db
def test_certificate_pdfs_are_kept_private_in_s3_and_read_back(
    s3_media,
    module,  # noqa: F811
    quiz,  # noqa: F811
    monkeypatch,
):
    learner = UserFactory(full_name="Fatima el Amrani")
    for lesson in lessons_of(module):
        course_services.complete_lesson(user=learner, lesson=lesson)
    play_best_path(user=learner, quiz=quiz)
    certificate = Certificate.objects.get(user=learner)

    content = certificate_services.certificate_pdf(certificate, base_url="https://signaal.test/")
    assert content.startswith(b"%PDF")
    certificate.refresh_from_db()
    key = certificate.pdf.name
    assert key == f"certificaten/{certificate.code}.pdf"
    stored = s3_media.get_object(Bucket="signaal-media", Key=key)
    assert stored["Body"].read() == content
    grants = s3_media.get_object_acl(Bucket="signaal-media", Key=key)["Grants"]
    assert not [g for g in grants if g["Grantee"].get("URI", "").endswith("/AllUsers")]
    # Links to the file are signed and expire.
    url = certificate.pdf.url
    assert "&Signature=" in url and "&Expires=" in url

    # The second time it comes from the bucket, not from WeasyPrint.
    def no_rendering(*args, **kwargs):
        raise AssertionError("rendered again")

    monkeypatch.setattr("certificates.pdf.render_certificate_pdf", no_rendering)
    assert certificate_services.certificate_pdf(certificate, base_url="https://x/") == content


# Structured logs -------------------------------------------------------------------------

LOG_SOMETHING = """
import logging, django
django.setup()
from django.test import Client
logging.getLogger("signaal.check").warning("hello %s", "world", extra={"module_count": 3})
Client().get("/taal/", HTTP_X_REQUEST_ID="req-12345678")  # 405: django.request warns
"""


@pytest.mark.subprocess
def test_production_logs_are_json_lines_with_level_logger_message_and_request_id():
    result = run_python(LOG_SOMETHING, production_env())
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.strip().splitlines()]
    hello = next(line for line in lines if line["logger"] == "signaal.check")
    assert hello["level"] == "WARNING"
    assert hello["message"] == "hello world"
    assert hello["module_count"] == 3
    assert hello["request_id"] == "-"
    assert "time" in hello
    refused = next(line for line in lines if line["logger"] == "django.request")
    assert refused["request_id"] == "req-12345678"
    assert "Method Not Allowed" in refused["message"]


@pytest.mark.subprocess
def test_plain_logs_when_asked():
    result = run_python(LOG_SOMETHING, production_env(LOG_FORMAT="plain"))
    assert result.returncode == 0, result.stderr
    assert "WARNING signaal.check [-] hello world" in result.stderr


# Static files ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def collected_static(tmp_path_factory) -> Path:
    """`collectstatic` with the production storage into a temporary STATIC_ROOT."""
    static_root = tmp_path_factory.mktemp("static")
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=production_env(STATIC_ROOT=str(static_root)),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    return static_root


def hashed_name(static_root: Path, name: str) -> str:
    manifest = json.loads((static_root / "staticfiles.json").read_text())
    return manifest["paths"][name]


FETCH_STATIC = """
import json, sys, django
django.setup()
from django.templatetags.static import static
from django.test import Client
url = static("cms/css/signaal.css")
response = Client().get(url, HTTP_ACCEPT_ENCODING="gzip, br")
print(json.dumps({
    "url": url,
    "status": response.status_code,
    "encoding": response.get("Content-Encoding"),
    "cache": response.get("Cache-Control"),
    "type": response.get("Content-Type"),
}))
"""


@pytest.mark.subprocess
def test_whitenoise_serves_hashed_compressed_files_after_collectstatic(collected_static):
    hashed = hashed_name(collected_static, "cms/css/signaal.css")
    assert hashed != "cms/css/signaal.css"
    assert (collected_static / (hashed + ".br")).exists()
    assert (collected_static / (hashed + ".gz")).exists()
    result = run_python(FETCH_STATIC, production_env(STATIC_ROOT=str(collected_static)))
    assert result.returncode == 0, result.stderr
    fetched = json.loads(result.stdout.strip().splitlines()[-1])
    assert fetched["url"] == f"/static/{hashed}"
    assert fetched["status"] == 200
    assert fetched["encoding"] == "br"
    assert fetched["type"].startswith("text/css")
    assert "max-age=315360000" in fetched["cache"] and "immutable" in fetched["cache"]


# gunicorn --------------------------------------------------------------------------------


@pytest.mark.subprocess
def test_gunicorn_accepts_the_configuration():
    result = subprocess.run(
        [str(GUNICORN), "--check-config", "cms.wsgi"],
        cwd=ROOT,
        env=production_env(GUNICORN_WORKERS="2"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.subprocess
def test_gunicorn_workers_default_to_twice_the_cores_plus_one_at_most_eight():
    code = (
        "import runpy, json; c = runpy.run_path('gunicorn.conf.py'); "
        "print(json.dumps({k: c[k] for k in ('workers', 'threads', 'worker_class', "
        "'timeout', 'graceful_timeout', 'accesslog', 'bind')}))"
    )
    result = run_python(code, production_env())
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout)
    cores = len(os.sched_getaffinity(0))
    assert config["workers"] == min(2 * cores + 1, 8)
    assert config["threads"] == 4 and config["worker_class"] == "gthread"
    assert config["accesslog"] == "-"
    assert config["bind"] == "0.0.0.0:8000"
    env = production_env(GUNICORN_WORKERS="3", GUNICORN_THREADS="1", PORT="9001")
    config = json.loads(run_python(code, env).stdout)
    assert (config["workers"], config["worker_class"], config["bind"]) == (
        3,
        "sync",
        "0.0.0.0:9001",
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    """The test database this run uses, as a DATABASE_URL."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def get(url: str, timeout: float = 5) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (localhost)
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def wait_for(url: str, process: subprocess.Popen, seconds: float = 60) -> tuple[int, dict]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn stopped: {process.stderr.read()}")
        try:
            status, headers, _body = get(url, timeout=2)
            return status, headers
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"gunicorn did not answer {url} within {seconds} s")


@pytest.mark.subprocess
def test_gunicorn_serves_healthz_and_static_files_for_real(
    django_db_setup, collected_static, tmp_path
):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = production_env(
        DATABASE_URL=database_url(),
        STATIC_ROOT=str(collected_static),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="1",
        GUNICORN_THREADS="2",
        GUNICORN_GRACEFUL_TIMEOUT="5",
        TASKS_BACKEND="immediate",
    )
    stdout = (tmp_path / "access.log").open("w+")
    process = subprocess.Popen(
        [str(GUNICORN), "cms.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        status, headers = wait_for(f"{base}/healthz", process)
        assert status == 200
        assert len(headers["X-Request-ID"]) == 32

        hashed = hashed_name(collected_static, "cms/css/signaal.css")
        status, headers, body = get(f"{base}/static/{hashed}")
        assert status == 200
        assert b"signaal" in body
        assert "max-age=315360000" in headers["Cache-Control"]

        # Graceful restart: the master replaces its workers and keeps answering.
        process.send_signal(signal.SIGHUP)
        time.sleep(1)
        status, _headers = wait_for(f"{base}/healthz", process)
        assert status == 200
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        errors = process.stderr.read()
        process.stderr.close()
    assert process.returncode == 0, errors

    # The access log: one JSON object per request, with the request id the app sent.
    stdout.seek(0)
    access = [json.loads(line) for line in stdout.read().splitlines() if line.strip()]
    stdout.close()
    health = [line for line in access if line.get("path") == "/healthz"]
    assert health and health[0]["status"] == 200 and health[0]["method"] == "GET"
    assert len(health[0]["request_id"]) == 32
    assert health[0]["logger"] == "gunicorn.access" and health[0]["level"] == "INFO"
    assert any(line.get("path") == f"/static/{hashed}" for line in access)


@pytest.mark.django_db(transaction=True)
def test_the_live_server_of_the_browser_tests_serves_every_stylesheet(live_server, home_page):
    # Tests use plain static files from the sources (no collectstatic, no manifest).
    status, _headers, body = get(f"{live_server.url}/")
    assert status == 200
    links = re.findall(r'href="(/static/[^"]+)"', body.decode())
    assert any(link.endswith(".css") for link in links)
    for link in links:
        status, headers, _body = get(f"{live_server.url}{link}")
        assert status == 200, link
        if link.endswith(".css"):
            assert headers["Content-Type"].startswith("text/css"), link
