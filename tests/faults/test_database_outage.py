"""PostgreSQL going away while learners answer a quiz: its connections are terminated
between two requests and in the middle of one. Every answer the learner saw acknowledged
is stored; the request whose connection died gets the 503 page 'Even niet bereikbaar'
(no traceback) and stored nothing; the next request succeeds without a restart."""

import json
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from django.db import close_old_connections, connection
from django.test import Client

from quizzes.models import QuizAnswer, QuizAttempt
from tests.factories import UserFactory
from tests.quizzes.conftest import choice_id

ROOT = Path(__file__).resolve().parents[2]
TERMINATE = (
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
)


def second_connection() -> psycopg.Connection:
    """A connection of our own to the test database, outside Django."""
    settings = connection.settings_dict
    return psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        autocommit=True,
    )


def terminate_app_connections() -> int:
    """As in a database restart or failover: every other backend of this database is
    terminated. Waits until they are gone; returns how many there were."""
    with second_connection() as other:
        killed = len(other.execute(TERMINATE).fetchall())
        for _ in range(100):
            (left,) = other.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchone()
            if not left:
                break
            time.sleep(0.02)
    return killed


@contextmanager
def killed_when(fragment: str):
    """Terminate the app's connections just before its next query containing `fragment`
    runs, so that query (and the request) meets a dead connection."""
    fired = []

    def wrapper(execute, sql, params, many, context):
        if not fired and fragment in sql:
            fired.append(terminate_app_connections())
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield fired


def serve(client: Client, method: str, *args, **kwargs):
    """One request as the WSGI handler serves it: the test client leaves out Django's
    connection housekeeping at request start and end (close_old_connections, which closes
    a connection that failed or is too old), so it is done here as a server would."""
    close_old_connections()
    try:
        return getattr(client, method)(*args, **kwargs)
    finally:
        close_old_connections()


def stored_answers(attempt_id: int) -> list[str]:
    """What the database holds, read over a connection that saw none of the failures."""
    with second_connection() as other:
        rows = other.execute(
            "SELECT step_key FROM quizzes_quizanswer WHERE attempt_id = %s ORDER BY sequence",
            [attempt_id],
        ).fetchall()
    return [key for (key,) in rows]


def assert_503_page(response):
    assert response.status_code == 503
    page = response.content.decode()
    assert "Even niet bereikbaar" in page
    assert "Traceback" not in page and "Server Error" not in page
    assert int(response["Retry-After"]) > 0


def answer_form(quiz, attempt, step_key) -> dict:
    form = {"action": "answer", "attempt": attempt.pk, "step": step_key}
    step = quiz.scenario.step(step_key)
    if step_key == "meldcode":
        items = [c.id for c in step.choices]
        return form | {f"position-{item}": place for place, item in enumerate(items, start=1)}
    if step_key == "signalen":
        return form | {"choice": [c.id for c in step.choices if c.correct]}
    return form | {"choice": choice_id(quiz, step_key, 0)}


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_answers_survive_terminated_connections(quiz, record_property):
    learner = UserFactory()
    client = Client(raise_request_exception=False)
    client.force_login(learner)
    assert serve(client, "post", quiz.url, {"action": "start"}).status_code == 302
    attempt = QuizAttempt.objects.get(user=learner)
    acknowledged = []

    response = serve(client, "post", quiz.url, answer_form(quiz, attempt, "start"))
    assert response.status_code == 302
    acknowledged.append("start")

    # Between two requests (the database restarted while the learner read the question):
    # the health check at the next request notices and reconnects; nothing is lost.
    assert terminate_app_connections() >= 1
    started = time.monotonic()
    response = serve(client, "post", quiz.url, answer_form(quiz, attempt, "signalen"))
    record_property("reconnect_seconds", round(time.monotonic() - started, 3))
    assert response.status_code == 302
    acknowledged.append("signalen")
    assert stored_answers(attempt.pk) == acknowledged

    # In the middle of a request, as it locks the attempt to store the answer: that
    # request answers 503 and stores nothing of the answer.
    with killed_when("FOR UPDATE") as fired:
        response = serve(client, "post", quiz.url, answer_form(quiz, attempt, "meldcode"))
    assert fired, "the connection was not terminated"
    assert_503_page(response)
    assert stored_answers(attempt.pk) == acknowledged

    # The learner tries again: the app has recovered without a restart.
    started = time.monotonic()
    response = serve(client, "post", quiz.url, answer_form(quiz, attempt, "meldcode"))
    record_property("recovery_seconds", round(time.monotonic() - started, 3))
    assert response.status_code == 302
    # The last answer's feedback first; its 'continue' leads to the result.
    assert f"feedback={len(acknowledged) + 1}" in response["Location"]
    acknowledged.append("meldcode")
    assert stored_answers(attempt.pk) == acknowledged
    attempt.refresh_from_db()
    assert attempt.is_finished and attempt.passed
    assert QuizAnswer.objects.filter(attempt=attempt).count() == len(acknowledged)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_connection_lost_outside_the_view_also_gets_the_503_page(quiz):
    # The session is read by a middleware (the language choice) before any view runs, so
    # this reaches the 500 handler, which recognises the database error.
    learner = UserFactory()
    client = Client(raise_request_exception=False)
    client.force_login(learner)
    with killed_when("django_session") as fired:
        response = serve(client, "get", quiz.url)
    assert fired
    assert_503_page(response)
    assert serve(client, "get", quiz.url).status_code == 200


REQUEST_PAGES = """
import django, json
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
outcome = []
for path in ("/", "/modules/", "/zoeken/?q=vlag"):
    response = client.get(path)
    outcome.append({
        "path": path,
        "status": response.status_code,
        "retry_after": response.get("Retry-After"),
        "friendly": "Even niet bereikbaar" in response.content.decode(),
        "traceback": "Traceback" in response.content.decode(),
    })
print(json.dumps(outcome))
"""


@pytest.mark.subprocess
def test_pages_answer_503_when_the_database_is_unreachable():
    # A separate process whose PostgreSQL is not there at all (a closed port).
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DJANGO_SETTINGS_MODULE="cms.settings.test",
        DATABASE_URL="postgres://signaal@127.0.0.1:1/signaal",
    )
    result = subprocess.run(
        [sys.executable, "-c", REQUEST_PAGES],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    for page in json.loads(result.stdout.strip().splitlines()[-1]):
        assert page["status"] == 503, page
        assert page["friendly"] and not page["traceback"], page
        assert page["retry_after"], page
