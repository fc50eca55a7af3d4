"""Load test: a realistic mix of visitors, learners and coordinators (locust, headless)
against gunicorn and PostgreSQL on this machine, at 50 and 200 concurrent users, beside the
throughput of a bare Django view on the same server in the same run (the ceiling); then the
fault tests (tests/faults). Writes docs/performance.md ('Load test').

    flock /tmp/signaal-measure.lock .venv/bin/python tests/benchmarks/bench_load.py

Steps: create (its name must contain "load") and migrate the database, load the demo
catalogue (load_demo) and the load test's people (tests/benchmarks/load/data.py: synthetic
organisations, learners with real progress and certificates, coordinators with an
authenticator), collectstatic, start gunicorn with the production settings (plus the bare
view: tests/benchmarks/load/settings.py) on 127.0.0.1 only and the background task worker
(db_worker), measure the ceiling, run the
mix (tests/benchmarks/load/locustfile.py) at each number of users, run pytest tests/faults
on a separate test database, and write the report. Every process it starts is stopped at
the end, also after a failure or Ctrl-C.

Options: --users 50 200, --spawn-rate 3 (users started a second), --settle 30 (seconds
after the last user started before statistics start), --run-time 150 (seconds measured),
--ceiling-time 20, --learners 400, --coordinators 24, --organisations 3 --members 1000,
--port 8765, --output docs/performance.md (- prints only), --skip-faults, --prepare-only,
--quiet-wait 1800 (waits at most this long for other work to leave the machine idle).
Start afresh: dropdb -h 127.0.0.1 -U postgres signaal_load
"""

import argparse
import contextlib
import datetime
import json
import math
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
# The environment as given: the fault tests run with it, not with the server's.
GIVEN_ENVIRONMENT = dict(os.environ)

from tests.benchmarks.load import report  # noqa: E402

HOST = "127.0.0.1"
VAR = ROOT / "var" / "load"
BIN = Path(sys.executable).parent
DEFAULT_DATABASE = f"postgres://postgres@{HOST}:5432/signaal_load"
FAULTS_DATABASE = f"postgres://postgres@{HOST}:5432/signaal_loadtest"
REDIS_URL = f"redis://{HOST}:6379/7"  # a database of its own: flushed before each run
LOCUSTFILE = ROOT / "tests" / "benchmarks" / "load" / "locustfile.py"
MIX = ["Visitor", "Learner", "Coordinator"]
COMMAND = "flock /tmp/signaal-measure.lock .venv/bin/python tests/benchmarks/bench_load.py"


def say(message: str) -> None:
    print(message, flush=True)


def check_local(url: str, what: str) -> None:
    host = urlparse(url).hostname
    if host != HOST:
        sys.exit(f"{what} must be on {HOST} (got {host!r}): this load test runs on this machine.")


def ensure_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if parsed.scheme not in {"postgres", "postgresql"} or "load" not in name:
        sys.exit("DATABASE_URL must point to a PostgreSQL database whose name contains 'load'.")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
            say(f"Created database {name}.")


def secret_key() -> str:
    path = VAR / "secret-key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


def server_environment(database_url: str, port: int) -> dict[str, str]:
    """Production settings, plus the bare view's urlconf: caches in Redis (as production
    needs with several processes), background tasks queued in the database for a
    db_worker (as in production), no HTTPS redirect (plain HTTP on the loopback); media
    and static files under var/load so nothing else is touched."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.benchmarks.load.settings",
        "DATABASE_URL": database_url,
        "SECRET_KEY": secret_key(),
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "0",
        "TASKS_BACKEND": "database",
        "REDIS_URL": REDIS_URL,
        "MEDIA_ROOT": str(VAR / "media"),
        "STATIC_ROOT": str(VAR / "static"),
        "GUNICORN_BIND": f"{HOST}:{port}",
        "PYTHONPATH": str(ROOT),
    }


def prepare(database_url: str, environment: dict, options) -> dict:
    """Migrate, load the demo catalogue when missing, add the load test's people; returns
    the plan the locustfile reads. Django runs in this process with the server's settings
    (so passwords are hashed as the server checks them) and is closed afterwards."""
    os.environ.update(environment)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from courses.models import ModulePage
    from tests.benchmarks.load import data

    say("Migrating ...")
    call_command("migrate", verbosity=0)
    if not ModulePage.objects.live().exists():
        say("Loading the demo (load_demo) ...")
        connections.close_all()
        subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "load_demo"],
            cwd=ROOT,
            env={
                **environment,
                "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
                "DJANGO_DEBUG": "1",
            },
            check=True,
            stdout=subprocess.DEVNULL,
        )
    started = time.monotonic()
    plan = data.prepare(
        learners=options.learners,
        coordinators=options.coordinators,
        organisations=options.organisations,
        members=options.members,
        say=say,
    )
    plan["setup"] = {
        "organisations": options.organisations,
        "members": options.members,
        "learners": options.learners,
        "coordinators": options.coordinators,
    }
    say(f"Data ready ({time.monotonic() - started:.0f} s).")
    connections.close_all()
    return plan


class Processes:
    """Child processes, each in its own process group, all stopped on exit."""

    def __init__(self):
        self.children: list[subprocess.Popen] = []

    def start(self, command: list[str], **kwargs) -> subprocess.Popen:
        process = subprocess.Popen(command, start_new_session=True, **kwargs)  # noqa: S603
        self.children.append(process)
        return process

    def stop(self, process: subprocess.Popen, timeout: float = 30) -> None:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def stop_all(self) -> None:
        for process in reversed(self.children):
            self.stop(process)


def port_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex((HOST, port)) != 0


def wait_for(url: str, process: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn stopped (exit {process.returncode}); see {VAR}/gunicorn.log")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(url, timeout=2) as response,  # noqa: S310 (loopback)
        ):
            if response.status == 200:
                return
        time.sleep(0.5)
    sys.exit(f"gunicorn did not answer {url} within {timeout:.0f} s")


def warm_up(base: str, plan: dict) -> None:
    """Every worker loads templates and code on its first requests; not part of a run."""
    urls = ["/", plan["catalogue"], *(module["url"] for module in plan["modules"])]
    for _round in range(10):
        for url in urls:
            with contextlib.suppress(OSError):
                urllib.request.urlopen(base + url, timeout=30).read()  # noqa: S310 (loopback)


TICKS = os.sysconf("SC_CLK_TCK")


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot (/proc/stat)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields) - idle) / TICKS, sum(fields) / TICKS


def process_cpu(pid: int) -> float:
    """CPU seconds of a process, its children that ended (reaped: gunicorn replaces
    workers) and its living children."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            ppid, utime, stime, cutime, cstime = (int(fields[i]) for i in (1, 11, 12, 13, 14))
            if int(stat.parent.name) == pid:
                total += (utime + stime + cutime + cstime) / TICKS
            elif ppid == pid:
                total += (utime + stime) / TICKS
    return total


@dataclass
class CpuWindow:
    """CPU use in the measured part of a run, as shares of all the machine's cores."""

    seconds: float = 0.0
    machine: float = 0.0  # everything: gunicorn, PostgreSQL, locust, anything else
    server: float = 0.0  # gunicorn's processes
    locust: float = 0.0

    @classmethod
    def between(cls, start: dict, end: dict) -> "CpuWindow":
        capacity = end["total"] - start["total"]
        if capacity <= 0:
            return cls()
        return cls(
            seconds=end["at"] - start["at"],
            machine=(end["busy"] - start["busy"]) / capacity,
            server=(end["server"] - start["server"]) / capacity,
            locust=(end["locust"] - start["locust"]) / capacity,
        )


def wait_until_quiet(limit: float, patience: float) -> float:
    """Waits (up to `patience` seconds) until other work leaves the machine nearly idle:
    the CPU busy share over 10 seconds under `limit`. Another test run sharing the cores
    would slow every request of this one. Returns the last share seen."""
    deadline = time.monotonic() + patience
    while True:
        before = machine_cpu()
        time.sleep(10)
        after = machine_cpu()
        busy = (after[0] - before[0]) / max(after[1] - before[1], 1e-9)
        if busy < limit or time.monotonic() > deadline:
            return busy
        say(f"  the machine is {100 * busy:.0f} % busy with other work; waiting ...")


def cpu_sample(server_pid: int, locust_pid: int) -> dict:
    busy, total = machine_cpu()
    return {
        "at": time.monotonic(),
        "busy": busy,
        "total": total,
        "server": process_cpu(server_pid),
        "locust": process_cpu(locust_pid),
    }


def run_locust(
    processes: Processes,
    *,
    base: str,
    classes: list[str],
    users: int,
    spawn_rate: float,
    run_time: int,
    prefix: Path,
    environment: dict,
    measure_from: float,
    server_pid: int,
) -> CpuWindow:
    """Runs locust to the end; returns the CPU use from `measure_from` seconds on (when
    its statistics start)."""
    command = [
        str(BIN / "locust"),
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--host",
        base,
        "-u",
        str(users),
        "-r",
        str(spawn_rate),
        "--run-time",
        f"{run_time}s",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
        *classes,
    ]
    with open(f"{prefix}.log", "w") as log:
        process = processes.start(command, cwd=ROOT, env=environment, stdout=log, stderr=log)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(measure_from)
        start = end = cpu_sample(server_pid, process.pid)
        # The last sample before locust exits: its own CPU is gone with it afterwards.
        while process.poll() is None:
            end = cpu_sample(server_pid, process.pid)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(1)
    return CpuWindow.between(start, end)


def flush_cache() -> None:
    """Rate-limit counters and cached pages from an earlier run would change this one."""
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def run_faults(database_url: str) -> dict:
    """pytest tests/faults on its own test database; returns counts, duration and the
    figures the tests record (record_property)."""
    junit = VAR / "faults.xml"
    started = time.monotonic()
    completed = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/faults",
            "-q",
            "-p",
            "no:cacheprovider",
            f"--junitxml={junit}",
            "-o",
            "junit_family=xunit1",
        ],
        cwd=ROOT,
        env={**GIVEN_ENVIRONMENT, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
    )
    seconds = time.monotonic() - started
    (VAR / "faults.log").write_text(completed.stdout + completed.stderr)
    result = report.parse_junit(junit.read_text()) if junit.exists() else report.FaultResult()
    result.seconds = seconds
    result.exit_code = completed.returncode
    return result


def machine(database_url: str) -> dict:
    import psycopg

    with psycopg.connect(database_url) as connection:
        version = connection.execute("SHOW server_version").fetchone()[0]
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cpus": os.cpu_count(),
        "cpu": model or platform.processor(),
        "python": platform.python_version(),
        "postgresql": version,
        "load": ", ".join(f"{value:.1f}" for value in os.getloadavg()),
    }


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


def uncommitted() -> list[str]:
    """Files that differ from the commit measured (this report's own file aside)."""
    completed = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    paths = [line[3:] for line in completed.stdout.splitlines() if line.strip()]
    return [path for path in paths if path != "docs/performance.md"]


def gunicorn_settings(environment: dict) -> dict:
    """Workers and threads as gunicorn.conf.py computes them for this environment."""
    completed = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-c",
            "import runpy; c = runpy.run_path('gunicorn.conf.py'); "
            "print(c['workers'], c['threads'], c['worker_class'])",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    workers, threads, worker_class = completed.stdout.split()
    return {"workers": int(workers), "threads": int(threads), "worker_class": worker_class}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--run-time", type=int, default=150)
    parser.add_argument("--settle", type=int, default=30)
    parser.add_argument("--spawn-rate", type=float, default=3)
    parser.add_argument("--ceiling-time", type=int, default=20)
    parser.add_argument("--ceiling-users", type=int, default=32)
    parser.add_argument("--learners", type=int, default=400)
    parser.add_argument("--coordinators", type=int, default=24)
    parser.add_argument("--organisations", type=int, default=3)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--host", default=HOST)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--output", default="docs/performance.md")
    parser.add_argument("--skip-faults", action="store_true")
    parser.add_argument("--prepare-only", action="store_true", help="set up the data, stop")
    parser.add_argument(
        "--quiet-wait",
        type=int,
        default=1800,
        help="seconds to wait at most for other work to leave the machine (0: do not wait)",
    )
    options = parser.parse_args()

    if options.host != HOST:
        sys.exit(f"The load test only runs against {HOST} (this machine).")
    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE
    faults_url = os.environ.get("FAULTS_DATABASE_URL") or FAULTS_DATABASE
    check_local(database_url, "DATABASE_URL")
    check_local(faults_url, "FAULTS_DATABASE_URL")
    if "load" not in urlparse(faults_url).path:
        sys.exit("FAULTS_DATABASE_URL's database name must contain 'load'.")
    if not port_free(options.port):
        sys.exit(f"Port {options.port} on {HOST} is in use; choose another with --port.")
    VAR.mkdir(parents=True, exist_ok=True)
    ensure_database(database_url)
    environment = server_environment(database_url, options.port)
    dirty = uncommitted()
    # Dates and durations read before Django sets TZ to the project's time zone.
    today, started = datetime.date.today(), time.monotonic()
    plan = prepare(database_url, environment, options)
    plan_path = VAR / "plan.json"
    plan_path.write_text(json.dumps(plan, indent=1))
    if options.prepare_only:
        return

    say("collectstatic ...")
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=environment,
        check=True,
    )
    busy_before = None
    if options.quiet_wait:
        busy_before = wait_until_quiet(0.15, options.quiet_wait)
        say(f"Machine {100 * busy_before:.0f} % busy before the run.")
    flush_cache()
    # Certificate PDFs are rendered on the first download and kept: every run starts
    # without them, as for certificates just earned.
    shutil.rmtree(VAR / "media" / "certificaten", ignore_errors=True)
    server = gunicorn_settings(environment)
    base = f"http://{HOST}:{options.port}"
    locust_environment = {**environment, "LOAD_PLAN": str(plan_path)}
    processes = Processes()
    # Ctrl-C or a kill: stop the children before leaving.
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(143))
    runs, ceiling = [], None
    try:
        log = open(VAR / "gunicorn.log", "w")  # noqa: SIM115 (open while gunicorn runs)
        processes.start(
            [sys.executable, "manage.py", "db_worker", "--no-reload", "-v", "0"],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=log,
        )
        gunicorn = processes.start(
            [str(BIN / "gunicorn"), "cms.wsgi"],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=log,
        )
        wait_for(f"{base}/healthz", gunicorn)
        say(
            f"gunicorn on {base}: {server['workers']} workers x {server['threads']} threads "
            f"({server['worker_class']})"
        )
        warm_up(base, plan)

        say(f"Ceiling: bare view, {options.ceiling_users} users without pauses ...")
        prefix = VAR / "ceiling"
        ceiling_cpu = run_locust(
            processes,
            base=base,
            classes=["Bare"],
            users=options.ceiling_users,
            spawn_rate=options.ceiling_users,
            run_time=options.ceiling_time + 3,
            prefix=prefix,
            environment={**locust_environment, "LOAD_SETTLE_SECONDS": "3"},
            measure_from=4,
            server_pid=gunicorn.pid,
        )
        ceiling = report.parse_stats(Path(f"{prefix}_stats.csv").read_text())
        ceiling.cpu = ceiling_cpu
        say(f"  {ceiling.total.rps:.0f} requests/s, median {ceiling.total.median:.0f} ms")

        offset = 0
        for users in options.users:
            flush_cache()
            ramp = math.ceil(users / options.spawn_rate)
            say(f"Mix: {users} users (spawned in {ramp} s), {options.run_time} s measured ...")
            prefix = VAR / f"mix-{users}"
            cpu = run_locust(
                processes,
                base=base,
                classes=MIX,
                users=users,
                spawn_rate=options.spawn_rate,
                run_time=ramp + options.settle + options.run_time,
                prefix=prefix,
                environment={
                    **locust_environment,
                    "LOAD_ACCOUNT_OFFSET": str(offset),
                    "LOAD_SETTLE_SECONDS": str(options.settle),
                },
                measure_from=ramp + options.settle,
                server_pid=gunicorn.pid,
            )
            offset += users
            stats = report.parse_stats(Path(f"{prefix}_stats.csv").read_text())
            stats.failures = report.parse_failures(Path(f"{prefix}_failures.csv").read_text())
            stats.users = users
            stats.cpu = cpu
            runs.append(stats)
            say(
                f"  {stats.total.rps:.1f} requests/s, {stats.total.failures} errors, "
                f"quiz answer p95 {stats.kind('quiz answer').p95:.0f} ms; CPU busy "
                f"{100 * cpu.machine:.0f} % (gunicorn {100 * cpu.server:.0f} %)"
            )
    finally:
        processes.stop_all()
    faults = None
    if not options.skip_faults:
        say("Fault tests (pytest tests/faults) ...")
        faults = run_faults(faults_url)
        say(f"  {faults.passed}/{faults.total} passed in {faults.seconds:.0f} s")
    text = report.render(
        ceiling=ceiling,
        runs=runs,
        faults=faults,
        context={
            "date": today.isoformat(),
            "revision": revision(),
            "dirty": dirty,
            "busy_before": busy_before,
            "machine": machine(database_url),
            "server": server,
            "options": vars(options),
            "setup": plan["setup"],
            "minutes": (time.monotonic() - started) / 60,
            "command": COMMAND,
        },
    )
    if options.output == "-":
        print(text)
    else:
        report.write(ROOT / options.output, text)
        say(f"Written to {options.output}.")


if __name__ == "__main__":
    main()
