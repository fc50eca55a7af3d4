"""Benchmark: the coordinator dashboard and the CSV export of organisations with 1,000,
10,000 and 100,000 members, on PostgreSQL. Writes docs/performance.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/signaal_bench \\
        .venv/bin/python tests/benchmarks/bench_dashboard.py

The database (its name must contain "bench") is created when missing and migrated; the
organisations (slugs bench<size>-1) are generated once with cms.load_data and
reused by later runs. The dashboard is requested through Django's test client as the
organisation's coordinator, signed in with a second factor (the full view: middleware,
access check, selectors, template, audit log); the CSV export is built with
organisations.compliance.reports.build, the function both the immediate export and the background
task call. Times are server times in this process: no network, no browser.

Options: --sizes 1000 10000 100000, --repeat N (default 10; 100k gets at most 5),
--output docs/performance.md (--output - prints the table only), --profile SIZE (prints a
cProfile of one dashboard request of that size instead of measuring).
"""

import argparse
import datetime
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")

COMMAND = (
    "DATABASE_URL=postgres://postgres@127.0.0.1:5432/signaal_bench "
    ".venv/bin/python tests/benchmarks/bench_dashboard.py"
)
TARGET_MS = 300


def ensure_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if parsed.scheme not in {"postgres", "postgresql"} or "bench" not in name:
        sys.exit("DATABASE_URL must point to a PostgreSQL database whose name contains 'bench'.")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
            print(f"Created database {name}.")


def setup() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


def organisation_of(size: int):
    from cms import load_data
    from organisations.models import Organisation

    slug = f"bench{size}-1"
    found = Organisation.objects.filter(slug=slug).first()
    if found:
        return found
    print(f"Generating an organisation of {size} members ...", flush=True)
    result = load_data.generate(members=size, prefix=f"bench{size}", seed=size)
    print(f"  done in {result.seconds:.0f} s", flush=True)
    (organisation,) = result.organisations
    assert organisation.slug == slug, organisation.slug
    return organisation


def vacuum() -> None:
    """What autovacuum does in a deployment; it is off on these machines' PostgreSQL, and
    the full refreshes measured here leave millions of dead rows that would otherwise make
    every later count scan them."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "VACUUM ANALYZE organisations_memberstanding, organisations_memberrequirementstatus, "
            "organisations_membership, certificates_certificate, courses_enrolment"
        )


def coordinator_client(organisation):
    from django.test import Client

    from organisations.models import Membership

    membership = Membership.objects.filter(organisation=organisation, is_coordinator=True).first()
    user = membership.user
    client = Client()
    client.force_login(user)
    session = client.session
    now = time.time()
    session["account_authentication_methods"] = [
        {"method": "password", "at": now, "email": user.email},
        {"method": "mfa", "at": now, "type": "totp"},
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
    return client


def measure(action, repeat: int, before=None) -> dict:
    """`before` (untimed) runs ahead of every run, the warm-up included."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if before:
        before()
    action()  # warm up: caches, first-query planning, templates
    times, queries = [], []
    for _ in range(repeat):
        if before:
            before()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            action()
            times.append((time.perf_counter() - started) * 1000)
        queries.append(len(captured))
    times.sort()
    return {
        "n": repeat,
        "median": statistics.median(times),
        "p95": times[max(0, math.ceil(0.95 * len(times)) - 1)],
        "queries": max(queries),
    }


def dashboard_action(organisation):
    from django.urls import reverse

    client = coordinator_client(organisation)
    url = reverse("organisations:dashboard", args=[organisation.slug])

    def action():
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    return action


def one_member_changed(organisation):
    """Before each run, one member's statuses go stale (a certificate issued, say): the
    view then refreshes that member before adding up."""
    from organisations.compliance import statuses
    from organisations.models import Membership

    user_ids = list(
        Membership.objects.filter(organisation=organisation).values_list("user_id", flat=True)[:50]
    )

    def before():
        statuses.standings_changed(user_ids=[user_ids.pop()])

    return before


def people_action(query: dict):
    """The people list (page 1) with these filters: selected and paged on the stored
    statuses, the page's rows computed."""

    def make(organisation):
        from django.urls import reverse

        client = coordinator_client(organisation)
        url = reverse("organisations:people", args=[organisation.slug])

        def action():
            response = client.get(url, query)
            assert response.status_code == 200, response.status_code

        return action

    return make


def live_dashboard_action(organisation):
    """The view while the stored statuses are stale and left to the background task (after
    a change to the organisation's requirements, or a first view): computed live."""
    from organisations import views
    from organisations.compliance.statuses import StandingsRefresh, standings_changed

    action = dashboard_action(organisation)
    refresh = views.refresh_standings

    def live():
        standings_changed(organisation_ids=[organisation.pk])
        views.refresh_standings = lambda *args, **kwargs: StandingsRefresh(0, 0)
        try:
            action()
        finally:
            views.refresh_standings = refresh

    return live


def refresh_all_action(organisation):
    """Computing and storing every member's statuses: the background task's work after a
    change to the requirements (the first view of an organisation too)."""
    from organisations.compliance import statuses

    def action():
        result = statuses.refresh_standings(organisation)
        assert result.refreshed > 0

    return action


def everyone_stale(organisation):
    from organisations.compliance import statuses

    return lambda: statuses.standings_changed(organisation_ids=[organisation.pk])


def csv_action(organisation):
    from organisations.compliance import reports

    def action():
        result = reports.build(organisation, "csv", {})
        assert result.content

    return action


def compliance_action(organisation):
    from organisations.compliance.computation import compliance

    def action():
        compliance(organisation)

    return action


def machine() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    cpus = os.cpu_count()
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"{cpus} CPUs ({model or platform.processor()}), Python {platform.python_version()}, "
        f"PostgreSQL {version} on the same machine; load average {load} at the end"
    )


def write_report(rows: list[dict], output: str) -> None:
    lines = [
        "| members | what | runs | median ms | p95 ms | SQL queries |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['size']:,} | {row['what']} | {row['n']} | {row['median']:.0f} | "
            f"{row['p95']:.0f} | {row['queries']} |"
        )
    table = "\n".join(lines)
    if output == "-":
        print(table)
        return
    path = ROOT / output
    text = path.read_text() if path.exists() else ""
    start, end = "<!-- benchmark:start -->", "<!-- benchmark:end -->"
    block = (
        f"{start}\nMeasured {datetime.date.today().isoformat()} on {machine()}; "
        f"`git rev-parse --short HEAD`: {revision()}.\n\n{table}\n{end}"
    )
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text)
    print(table)
    print(f"Written to {output}.")


def revision() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def profile(size: int) -> None:
    import cProfile
    import pstats

    action = dashboard_action(organisation_of(size))
    action()
    profiler = cProfile.Profile()
    profiler.runcall(action)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--output", default="docs/performance.md")
    parser.add_argument("--profile", type=int, default=None)
    options = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    ensure_database(url)
    setup()
    if options.profile:
        profile(options.profile)
        return
    rows = []
    for size in options.sizes:
        organisation = organisation_of(size)
        repeat = options.repeat if size < 100_000 else min(options.repeat, 5)
        from organisations.compliance import statuses

        statuses.refresh_standings(organisation)  # as the hourly cron leaves them
        vacuum()
        for what, make, before, runs in (
            ("dashboard (full view)", dashboard_action, None, repeat),
            (
                "dashboard, one member changed since",
                dashboard_action,
                one_member_changed,
                repeat,
            ),
            ("people list, page 1", people_action({}), None, repeat),
            (
                "people list, those not meeting every mandatory requirement",
                people_action({"status": "does_not_meet"}),
                None,
                repeat,
            ),
            ("dashboard computed live (statuses stale)", live_dashboard_action, None, 3),
            ("refresh of every member's statuses", refresh_all_action, everyone_stale, 2),
            ("CSV export (reports.build)", csv_action, None, repeat),
            ("compliance selector alone", compliance_action, None, repeat),
        ):
            print(f"{size:>7} {what} ...", flush=True)
            result = measure(
                make(organisation), runs, before=before(organisation) if before else None
            )
            rows.append({"size": size, "what": what, **result})
            print(f"        median {result['median']:.0f} ms", flush=True)
            print(
                f"        median {rows[-1]['median']:.0f} ms, p95 {rows[-1]['p95']:.0f} ms, "
                f"{rows[-1]['queries']} queries",
                flush=True,
            )
    write_report(rows, options.output)


if __name__ == "__main__":
    main()
