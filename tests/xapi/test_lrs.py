"""Against a real LRS (Ralph, started by the session, tests/xapi/ralph.py): a learner's
quiz reaches the organisation's LRS, read back through its statements API; after an
outage the statements arrive once each; a resend of what the LRS already has changes
nothing there."""

import io
import json
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from xapi import selectors
from xapi.models import Statement

from .play import REFLECTION, play, write_reflection

pytestmark = [pytest.mark.django_db, pytest.mark.lrs, pytest.mark.subprocess]

ADL = "http://adlnet.gov/expapi/verbs/"


def play_and_send(client, quiz, capture) -> None:
    # The learner's requests only write rows; delivery runs after their commits.
    with capture(execute=True):
        play(client, quiz)


def test_a_played_quiz_arrives_in_the_organisations_lrs(
    client, quiz, module, learner, lrs, lrs_config, django_capture_on_commit_callbacks
):
    write_reflection(learner, module)
    client.force_login(learner)
    play_and_send(client, quiz, django_capture_on_commit_callbacks)

    rows = list(Statement.objects.filter(organisation=lrs_config.organisation))
    assert len(rows) == 8
    assert all(row.delivered_at for row in rows), [row.last_error for row in rows]

    stored = lrs.get(agent=json.dumps({"mbox": "mailto:leerling@example.nl"}))["statements"]
    assert sorted(s["id"] for s in stored) == sorted(str(row.statement_id) for row in rows)
    verbs = Counter(s["verb"]["id"] for s in stored)
    assert verbs == {
        ADL + "launched": 1,
        ADL + "initialized": 1,
        ADL + "answered": 3,
        ADL + "passed": 1,
        ADL + "terminated": 1,
        ADL + "completed": 1,
    }
    for row in rows:
        (one,) = lrs.get(statementId=str(row.statement_id))["statements"]
        assert one["id"] == str(row.statement_id)
        assert one["verb"] == row.payload["verb"]
        assert one.get("result") == row.payload.get("result")

    signalen = next(s for s in stored if s["object"]["id"].endswith("/step/signalen"))
    extensions = signalen["result"]["extensions"]
    step = quiz.scenario.step("signalen")
    assert extensions[next(k for k in extensions if k.endswith("/choices"))] == [step.choices[0].id]
    assert [v for k, v in extensions.items() if k.endswith("/missed-signals")] == [
        ["http://127.0.0.1:8000/xapi/signal/dwangmatige-controle"]
    ]
    assert REFLECTION not in json.dumps(stored)
    assert learner.full_name not in json.dumps(stored)


def test_after_an_outage_the_statements_arrive_once_each(
    client, quiz, learner, lrs, lrs_config, django_capture_on_commit_callbacks, monkeypatch
):
    from xapi import delivery

    monkeypatch.setattr(delivery, "BATCH_SIZE", 4)  # two batches
    lrs.stop()
    client.force_login(learner)
    play_and_send(client, quiz, django_capture_on_commit_callbacks)

    # The learner was not held up; everything waits in the outbox.
    from quizzes.models import QuizAttempt

    assert QuizAttempt.objects.get(user=learner).passed
    rows = Statement.objects.filter(organisation=lrs_config.organisation)
    assert rows.count() == 7
    assert not rows.filter(delivered_at__isnull=False).exists()
    assert all(row.attempts >= 1 and row.last_error for row in rows)
    assert "0 afgeleverd, 7 wachtend" in selectors.status_line(lrs_config)

    # A cron run while it is still down: exits non-zero, the statements keep waiting.
    with pytest.raises(CommandError, match="LRS unavailable"):
        call_command("send_xapi_statements", "--now", stdout=io.StringIO())
    assert rows.filter(delivered_at__isnull=True).count() == 7
    # One failed batch (4) ends the run for the organisation: no hammering a dead LRS.
    assert rows.filter(attempts=2).count() == 4

    lrs.start()
    # The cron run respects the back-off: nothing is due yet.
    call_command("send_xapi_statements", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert rows.filter(delivered_at__isnull=True).count() == 7
    out = io.StringIO()
    call_command("send_xapi_statements", "--now", stdout=out)
    assert "7 delivered, 0 rejected, 0 waiting" in out.getvalue()
    assert rows.filter(delivered_at__isnull=True).count() == 0
    assert "7 afgeleverd, 0 wachtend" in selectors.status_line(lrs_config)

    ids = [str(pk) for pk in rows.values_list("statement_id", flat=True)]
    for statement_id in ids:
        assert [s["id"] for s in lrs.get(statementId=statement_id)["statements"]] == [statement_id]
    assert Counter(line["id"] for line in lrs.stored_lines()) == dict.fromkeys(ids, 1)

    # The LRS's answer got lost: everything is sent again. It knows every id (409), the
    # rows count as delivered and the LRS still holds each statement once.
    rows.update(delivered_at=None)
    call_command("send_xapi_statements", "--now", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert rows.filter(delivered_at__isnull=True).count() == 0
    assert Counter(line["id"] for line in lrs.stored_lines()) == dict.fromkeys(ids, 1)
    assert len(lrs.get()["statements"]) == 7


def test_wrong_credentials_keep_the_statements_waiting_with_the_reason(
    client, quiz, learner, lrs, lrs_config, django_capture_on_commit_callbacks
):
    lrs_config.secret = "niet-het-wachtwoord"
    lrs_config.save()
    client.force_login(learner)
    play_and_send(client, quiz, django_capture_on_commit_callbacks)
    rows = Statement.objects.filter(organisation=lrs_config.organisation)
    assert not rows.filter(delivered_at__isnull=False).exists()
    assert set(rows.values_list("last_error", flat=True)) == {"HTTP 401"}
    assert lrs.get()["statements"] == []
