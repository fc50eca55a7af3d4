"""The load test (tests/benchmarks/bench_load.py, not collected: it takes minutes) kept
working: its locustfile's flows run once against the live server with the accounts its
data module makes, and its report reads and writes locust's and pytest's real formats."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.benchmarks.load import data, report
from tests.courses.conftest import catalogue, make_module  # noqa: F401 (fixture)
from tests.organisations.factories import OrganisationFactory, RoleFactory
from tests.quizzes.conftest import make_quiz

ROOT = Path(__file__).resolve().parents[1]

# Every request kind the smoke run must make (tests/benchmarks/load/smoke.py).
KINDS = {
    "home",
    "catalogue",
    "module page",
    "my learning",
    "lesson",
    "lesson done",
    "quiz page",
    "quiz start",
    "quiz step",
    "quiz answer",
    "quiz results",
    "my certificates",
    "certificate pdf",
    "certificate verification",
    "logout",
    "login page",
    "login",
    "login code page",
    "login code",
    "dashboard",
    "people list",
}


@pytest.mark.subprocess
@pytest.mark.django_db(transaction=True)
def test_every_flow_of_the_load_mix_works_against_the_site(
    catalogue,  # noqa: F811 (the fixture imported above)
    live_server,
    tmp_path,
):
    module = make_module(catalogue, "Rode vlaggen", lessons=2)
    make_quiz(module)
    RoleFactory(slug=data.LEARNER_ROLE, name="Uitvoerend professional")
    RoleFactory(slug=data.COORDINATOR_ROLE, name="Leidinggevende")
    organisation = OrganisationFactory()
    data.ensure_learners(count=2, organisations=[organisation], say=lambda _message: None)
    data.ensure_coordinators(count=1, organisations=[organisation])
    plan = data.plan(learners=2, coordinators=1)
    # The second learner has no session yet: it signs in with its password.
    del plan["sessions"][data.learner_email(1)]
    plan_path = tmp_path / "plan.json"
    plan_path.write_text(json.dumps(plan))

    completed = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks.load.smoke", live_server.url],
        cwd=ROOT,
        env={**os.environ, "LOAD_PLAN": str(plan_path), "LOAD_THINK_SCALE": "0"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert result["errors"] == []
    made = {name for name, counts in result["requests"].items() if counts["requests"]}
    assert made >= KINDS, KINDS - made
    assert all(counts["failures"] == 0 for counts in result["requests"].values())


# Excerpts of real output: locust 2.47's --csv files and pytest's JUnit XML (xunit1).
STATS_CSV = """\
Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,\
Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,\
80%,90%,95%,98%,99%,99.9%,99.99%,100%
GET,catalogue,414,0,130,170.85,37.59,736.34,17693.93,2.7678,0.0,130,180,210,240,330,430,520,\
560,740,740,740
POST,quiz answer,245,1,100,121.4,21.2,610.0,0.0,1.6381,0.0067,100,120,140,150,220,320,410,\
480,610,610,610
GET,dashboard,50,50,130,150.2,90.1,400.0,1201.0,0.3342,0.3342,130,140,150,160,250,370,400,\
400,400,400,400
,Aggregated,709,51,120,156.87,16.92,1972.72,11941.40,4.7404,0.3409,120,160,190,210,310,400,\
560,660,1400,2000,2000
"""
FAILURES_CSV = """\
Method,Name,Error,Occurrences,First Seen,Last Seen
GET,dashboard,CatchResponseError('500 (expected 200) for /organisaties/load-3/'),16,\
2026-11-23T22:27:17Z,2026-11-23T22:29:13Z
GET,dashboard,CatchResponseError('500 (expected 200) for /organisaties/load-1/'),34,\
2026-11-23T22:26:56Z,2026-11-23T22:29:21Z
POST,quiz answer,RuntimeError('answer to step start refused'),1,2026-11-23T22:27:00Z,\
2026-11-23T22:27:00Z
"""
JUNIT = """<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" \
errors="0" failures="1" skipped="1" tests="4" time="80.1">\
<testcase classname="tests.faults.test_database_outage" \
name="test_answers_survive_terminated_connections" file="tests/faults/test_database_outage.py" \
line="118" time="2.3"><properties><property name="reconnect_seconds" value="0.071" />\
<property name="recovery_seconds" value="0.082" /></properties></testcase>\
<testcase classname="tests.faults.test_quiz_fuzz" name="test_fuzzed_answers" time="30.0" />\
<testcase classname="tests.faults.test_mail_outage" name="test_signup" time="1.0">\
<failure message="assert 500 == 302">trace</failure></testcase>\
<testcase classname="tests.faults.test_search_outage" name="test_es" time="0.1">\
<skipped message="no">skip</skipped></testcase></testsuite></testsuites>"""


def test_the_report_reads_locust_statistics_and_judges_the_goals():
    stats = report.parse_stats(STATS_CSV)
    stats.users = 200
    stats.failures = report.parse_failures(FAILURES_CSV)
    answer = stats.kind("quiz answer")
    assert (answer.method, answer.requests, answer.failures) == ("POST", 245, 1)
    assert (answer.median, answer.p95) == (100, 320)
    assert round(answer.rps, 2) == 1.64
    assert stats.total.name == "all"
    assert (stats.total.requests, stats.total.failures, stats.total.p95) == (709, 51, 400)
    assert stats.failures[0] == (
        "dashboard",
        "CatchResponseError('500 (expected 200) for /organisaties/load-1/')",
        34,
    )
    assert report.goals([stats]) == [
        "- zero errors: **not met** (51 errors in 709 requests)",
        "- quiz answer p95 under 150 ms at 200 users: **not met** (320 ms, 245 answers)",
    ]
    quick = report.parse_stats(STATS_CSV.replace(",320,410,", ",140,410,"))
    quick.users = 200
    assert "**met** (140 ms" in report.goals([quick])[1]


def test_the_report_reads_the_fault_tests_junit_xml():
    faults = report.parse_junit(JUNIT)
    assert (faults.total, faults.passed, faults.failed, faults.skipped) == (4, 2, 1, 1)
    assert faults.failures == ["test_signup"]
    assert faults.properties == [
        ("test_answers_survive_terminated_connections", "reconnect_seconds", "0.071"),
        ("test_answers_survive_terminated_connections", "recovery_seconds", "0.082"),
    ]


def test_the_report_replaces_only_its_own_block(tmp_path):
    ceiling = report.parse_stats(STATS_CSV)
    run = report.parse_stats(STATS_CSV)
    run.users = 50
    faults = report.parse_junit(JUNIT)
    faults.seconds, faults.exit_code = 80.4, 1
    context = {
        "date": "2026-11-23",
        "revision": "abc1234",
        "machine": {
            "cpus": 2,
            "cpu": "AMD EPYC",
            "python": "3.11.7",
            "postgresql": "15.20",
            "load": "1.0, 1.0, 1.0",
        },
        "server": {"workers": 5, "threads": 4, "worker_class": "gthread"},
        "options": {
            "spawn_rate": 3,
            "settle": 30,
            "run_time": 150,
            "ceiling_users": 32,
            "ceiling_time": 20,
        },
        "setup": {"organisations": 3, "members": 1000, "learners": 400, "coordinators": 24},
        "minutes": 9.6,
        "command": "bench",
        "dirty": [],
    }
    block = report.render(ceiling=ceiling, runs=[run], faults=faults, context=context)
    assert block.startswith(report.START) and block.endswith(report.END)
    # The run's throughput beside the ceiling's, as a share.
    assert "| 50 | 709 | 4.7 | 100.0 % |" in block
    assert "| quiz answer | 1.64 | 100 | 320 | 1 |" in block
    assert "4 tests, 2 passed, 1 failed, 1 skipped in 80 s (FAILED)" in block
    assert "| `test_answers_survive_terminated_connections` | reconnect_seconds | 0.071 |" in block

    document = tmp_path / "performance.md"
    document.write_text("# Performance\n\n## Dashboard\n\nkept\n")
    report.write(document, block)
    report.write(document, block.replace("abc1234", "def5678"))
    text = document.read_text()
    assert text.startswith("# Performance\n\n## Dashboard\n\nkept\n")
    assert text.count(report.START) == 1 and "def5678" in text and "abc1234" not in text
