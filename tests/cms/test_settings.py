"""Settings come from the environment, and production refuses unsafe defaults."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

# Each test starts manage.py in a subprocess with another environment.
pytestmark = pytest.mark.subprocess

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean_env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {"SECRET_KEY", "DJANGO_DEBUG", "SECURE_SSL_REDIRECT", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    clean_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_secret_key():
    result = run_manage("check", env={"DJANGO_SETTINGS_MODULE": "cms.settings.production"})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_off_refuses_to_start_without_secret_key_in_any_settings_module():
    result = run_manage(
        "check", env={"DJANGO_SETTINGS_MODULE": "cms.settings.dev", "DJANGO_DEBUG": "0"}
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_deploy_check_is_clean_under_production_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DJANGO_SETTINGS_MODULE": "cms.settings.production",
            "SECRET_KEY": "x7!" * 20 + "production-like-random-secret-for-the-check",
            "ALLOWED_HOSTS": "signaal.example.nl",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_database_url_selects_the_database():
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])",
        env={
            "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
            "DATABASE_URL": "postgres://someone@db.example:5432/signaal",
        },
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.postgresql"


def test_elasticsearch_url_switches_the_search_backend():
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.WAGTAILSEARCH_BACKENDS['default'])",
        env={
            "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
            "ELASTICSEARCH_URL": "http://127.0.0.1:9200",
        },
    )
    assert result.returncode == 0, result.stderr
    assert "wagtail.search.backends.elasticsearch8" in result.stdout
    assert "http://127.0.0.1:9200" in result.stdout


def test_redis_url_selects_a_shared_cache():
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])",
        env={"DJANGO_SETTINGS_MODULE": "cms.settings.dev", "REDIS_URL": "redis://127.0.0.1:6379/3"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.core.cache.backends.redis.RedisCache"
