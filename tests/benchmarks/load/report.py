"""Reading locust's CSV statistics and pytest's JUnit XML, and writing the load test's block
of docs/performance.md. Plain Python: no Django, no locust (importing locust would patch
the standard library with gevent)."""

import csv
import io
import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path

START, END = "<!-- load:start -->", "<!-- load:end -->"
QUIZ_ANSWER = "quiz answer"
QUIZ_ANSWER_P95_GOAL_MS = 150
GOAL_USERS = 200
# The order of the kinds in the tables: a visit's path through the site.
KIND_ORDER = [
    "home",
    "catalogue",
    "module page",
    "login page",
    "login",
    "login code page",
    "login code",
    "logout",
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
    "dashboard",
    "people list",
]


@dataclass
class Kind:
    name: str
    method: str = ""
    requests: int = 0
    failures: int = 0
    median: float = 0.0
    p95: float = 0.0
    p99: float = 0.0
    average: float = 0.0
    maximum: float = 0.0
    rps: float = 0.0

    @property
    def error_rate(self) -> float:
        return self.failures / self.requests if self.requests else 0.0


@dataclass
class Stats:
    kinds: dict[str, Kind] = field(default_factory=dict)
    total: Kind = field(default_factory=lambda: Kind("all"))
    failures: list[tuple[str, str, int]] = field(default_factory=list)
    users: int = 0
    # CPU use while measured (bench_load.CpuWindow: machine, server, locust shares)
    cpu: object | None = None

    def kind(self, name: str) -> Kind:
        return self.kinds.get(name) or Kind(name)


def _number(value: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0  # locust writes "N/A" for a percentile without requests


def parse_stats(text: str) -> Stats:
    """locust's <prefix>_stats.csv: a row per (method, name), then 'Aggregated'. Requests of
    one name with different methods (none here) are merged into the first."""
    stats = Stats()
    for row in csv.DictReader(io.StringIO(text)):
        kind = Kind(
            name=row["Name"],
            method=row["Type"],
            requests=int(row["Request Count"]),
            failures=int(row["Failure Count"]),
            median=_number(row["50%"]),
            p95=_number(row["95%"]),
            p99=_number(row["99%"]),
            average=_number(row["Average Response Time"]),
            maximum=_number(row["Max Response Time"]),
            rps=_number(row["Requests/s"]),
        )
        if row["Name"] == "Aggregated" and not row["Type"]:
            kind.name = "all"
            stats.total = kind
        elif kind.name not in stats.kinds:
            stats.kinds[kind.name] = kind
    return stats


def parse_failures(text: str) -> list[tuple[str, str, int]]:
    """locust's <prefix>_failures.csv: (name, error, occurrences), most frequent first."""
    rows = [
        (row["Name"], row["Error"], int(row["Occurrences"]))
        for row in csv.DictReader(io.StringIO(text))
    ]
    return sorted(rows, key=lambda row: -row[2])


@dataclass
class FaultResult:
    total: int = 0
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    seconds: float = 0.0
    exit_code: int | None = None
    # (test name, property, value) from record_property
    properties: list[tuple[str, str, str]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def parse_junit(text: str) -> FaultResult:
    result = FaultResult()
    # Our own pytest's output, not untrusted input.
    for case in ElementTree.fromstring(text).iter("testcase"):  # noqa: S314
        result.total += 1
        name = case.get("name", "")
        if case.find("skipped") is not None:
            result.skipped += 1
        elif case.find("failure") is not None or case.find("error") is not None:
            result.failed += 1
            result.failures.append(name)
        else:
            result.passed += 1
        for prop in case.iter("property"):
            result.properties.append((name, prop.get("name", ""), prop.get("value", "")))
    return result


def _cpu(window) -> str:
    if window is None:
        return "–"
    return (
        f"{100 * window.machine:.0f} % / {100 * window.server:.0f} % / {100 * window.locust:.0f} %"
    )


def _ms(value: float) -> str:
    return f"{value:,.0f}"


def _ordered(runs: list[Stats]) -> list[str]:
    names = {name for run in runs for name, kind in run.kinds.items() if kind.requests}
    known = [name for name in KIND_ORDER if name in names]
    return known + sorted(names - set(known))


def kinds_table(runs: list[Stats]) -> str:
    """A row per request kind, a column group per number of users."""
    header = "| request kind |" + "".join(
        f" {run.users} users: req/s | median ms | p95 ms | errors |" for run in runs
    )
    align = "|---|" + "---:|---:|---:|---:|" * len(runs)
    lines = [header, align]
    for name in [*_ordered(runs), "all"]:
        cells = []
        for run in runs:
            kind = run.total if name == "all" else run.kind(name)
            cells.append(
                f" {kind.rps:.2f} | {_ms(kind.median)} | {_ms(kind.p95)} | {kind.failures} |"
                if kind.requests
                else " – | – | – | – |"
            )
        label = "**all requests**" if name == "all" else name
        lines.append(f"| {label} |" + "".join(cells))
    return "\n".join(lines)


def summary_table(ceiling: Stats | None, runs: list[Stats]) -> str:
    lines = [
        "| users | requests | req/s | share of the ceiling | median ms | p95 ms | errors | "
        "error rate | CPU busy: all / gunicorn / locust |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    if ceiling is not None:
        total = ceiling.total
        lines.append(
            f"| bare view (ceiling) | {total.requests:,} | {total.rps:.0f} | 100 % | "
            f"{_ms(total.median)} | {_ms(total.p95)} | {total.failures} | "
            f"{100 * total.error_rate:.2f} % | {_cpu(ceiling.cpu)} |"
        )
    for run in runs:
        total = run.total
        share = (
            f"{100 * total.rps / ceiling.total.rps:.1f} %"
            if ceiling is not None and ceiling.total.rps
            else "–"
        )
        lines.append(
            f"| {run.users} | {total.requests:,} | {total.rps:.1f} | {share} | "
            f"{_ms(total.median)} | {_ms(total.p95)} | {total.failures} | "
            f"{100 * total.error_rate:.2f} % | {_cpu(run.cpu)} |"
        )
    return "\n".join(lines)


def goals(runs: list[Stats]) -> list[str]:
    """The issue's goals, judged from the figures."""
    lines = []
    errors = sum(run.total.failures for run in runs)
    lines.append(
        f"- zero errors: **{'met' if errors == 0 else 'not met'}** "
        f"({errors} errors in {sum(run.total.requests for run in runs):,} requests)"
    )
    at_goal = [run for run in runs if run.users == GOAL_USERS]
    if at_goal:
        answer = at_goal[0].kind(QUIZ_ANSWER)
        met = answer.requests and answer.p95 < QUIZ_ANSWER_P95_GOAL_MS
        lines.append(
            f"- quiz answer p95 under {QUIZ_ANSWER_P95_GOAL_MS} ms at {GOAL_USERS} users: "
            f"**{'met' if met else 'not met'}** ({_ms(answer.p95)} ms, "
            f"{answer.requests} answers)"
        )
    return lines


def failures_list(runs: list[Stats]) -> str:
    lines = []
    for run in runs:
        for name, error, count in run.failures[:10]:
            error = re.sub(r"\s+", " ", error)[:160]
            lines.append(f"- {run.users} users, {name}: {count} × `{error}`")
    return "\n".join(lines)


def faults_section(faults: FaultResult) -> str:
    verdict = "all passed" if faults.failed == 0 and faults.exit_code == 0 else "FAILED"
    lines = [
        f"`pytest tests/faults` after the load runs (its own test database): {faults.total} "
        f"tests, {faults.passed} passed, {faults.failed} failed, {faults.skipped} skipped "
        f"in {faults.seconds:.0f} s ({verdict})."
    ]
    if faults.failures:
        lines.append("Failed: " + ", ".join(f"`{name}`" for name in faults.failures) + ".")
    if faults.properties:
        lines += ["", "| test | measured | value |", "|---|---|---:|"]
        lines += [f"| `{test}` | {name} | {value} |" for test, name, value in faults.properties]
    return "\n".join(lines)


def render(
    *, ceiling: Stats | None, runs: list[Stats], faults: FaultResult | None, context: dict
) -> str:
    machine = context["machine"]
    server = context["server"]
    options = context["options"]
    setup = context["setup"]
    parts = [
        START,
        f"Measured {context['date']} in one run of {context['minutes']:.0f} minutes, "
        f"`git rev-parse --short HEAD`: {context['revision']}; {machine['cpus']} CPUs "
        f"({machine['cpu']}), Python {machine['python']}, PostgreSQL {machine['postgresql']}, "
        f"gunicorn {server['workers']} workers × {server['threads']} threads "
        f"({server['worker_class']}), locust on the same machine; "
        + (
            f"the machine was {100 * context['busy_before']:.0f} % busy just before, "
            if context.get("busy_before") is not None
            else ""
        )
        + f"load average {machine['load']} at the end.",
        *(
            [
                "",
                "Uncommitted changes in the working tree during the run: "
                + ", ".join(f"`{path}`" for path in context["dirty"])
                + ".",
            ]
            if context.get("dirty")
            else []
        ),
        "",
        "```sh",
        context["command"],
        "```",
        "",
        f"Data: the demo catalogue, {setup['organisations']} organisations of "
        f"{setup['members']:,} synthetic members, {setup['learners']} learners (two in three "
        f"with a certificate) and {setup['coordinators']} coordinators as members. Each run: "
        f"users started at {options['spawn_rate']:g} a second; statistics from "
        f"{options['settle']} s after the last one started, for {options['run_time']} s. "
        f"Ceiling: {options['ceiling_users']} users requesting the bare view without pauses "
        f"for {options['ceiling_time']} s.",
        "",
        summary_table(ceiling, runs),
        "",
        kinds_table(runs),
        "",
        "Goals:",
        "",
        *goals(runs),
    ]
    errors = failures_list(runs)
    if errors:
        parts += ["", "Errors:", "", errors]
    if faults is not None:
        parts += ["", faults_section(faults)]
    parts.append(END)
    return "\n".join(parts)


def write(path: Path, block: str) -> None:
    """Replace the block between the markers (or add it at the end)."""
    text = path.read_text() if path.exists() else ""
    if START in text and END in text:
        text = text[: text.index(START)] + block + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text)
