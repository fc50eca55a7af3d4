"""Stored statuses are marked stale by signals on every save and delete of what they are
computed from (organisations.signals). A write that sends no signal (queryset update(),
bulk_create, bulk_update) has to be named in organisations.signals.SIGNAL_BYPASSING_WRITERS
with how it keeps them right; this test finds every such write in the apps' code, so that a
new one cannot slip in unnamed, and holds the writers that say they call standings_changed
to it. The behaviour of each writer is tested beside it (test_standings.py and below)."""

import ast
import importlib
import inspect
from pathlib import Path

import pytest

from organisations.signals import (
    CALLS_STANDINGS_CHANGED,
    SIGNAL_BYPASSING_WRITERS,
    STANDINGS_INPUTS,
)

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "certificates", "cms", "core", "courses", "organisations", "quizzes")
BYPASSING = {"update", "bulk_create", "bulk_update"}


def _root(node: ast.AST) -> str | None:
    """The name a call chain starts from: Certificate in Certificate.objects.filter().update."""
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute | ast.Subscript):
            node = node.value
        elif isinstance(node, ast.Name):
            return node.id
        else:
            return None


def _functions(tree: ast.Module, module: str):
    """(qualified name, function node) for every function and method, nested ones included
    under the outer function's name."""

    def walk(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                yield f"{prefix}.{child.name}", child
            elif isinstance(child, ast.ClassDef):
                yield from walk(child, f"{prefix}.{child.name}")

    yield from walk(tree, module)


def signal_bypassing_writes() -> dict[str, list[int]]:
    """Qualified function name → line numbers of its signal-less writes to a standings input."""
    found: dict[str, list[int]] = {}
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            tree = ast.parse(path.read_text(), filename=str(path))
            for name, function in _functions(tree, module):
                # Names bound to a queryset of an input (certificates = Certificate.objects...).
                bound = set(STANDINGS_INPUTS)
                for node in ast.walk(function):
                    if isinstance(node, ast.Assign) and _root(node.value) in bound:
                        bound.update(t.id for t in node.targets if isinstance(t, ast.Name))
                for node in ast.walk(function):
                    if (
                        isinstance(node, ast.Call)
                        and isinstance(node.func, ast.Attribute)
                        and node.func.attr in BYPASSING
                        and _root(node.func.value) in bound
                    ):
                        found.setdefault(name, []).append(node.lineno)
    return found


def test_the_finder_finds_a_known_bypassing_write():
    # A check that cannot fail is no check: the framework loader's bulk_create is found.
    assert "organisations.seed.ensure_framework" in signal_bypassing_writes()


def test_every_signal_bypassing_write_is_named_in_one_place():
    unnamed = {
        name: lines
        for name, lines in signal_bypassing_writes().items()
        if name not in SIGNAL_BYPASSING_WRITERS
    }
    assert not unnamed, (
        "These functions write certificates, enrolments, memberships, requirements or "
        "organisations without signals; call standings_changed and name them in "
        f"organisations.signals.SIGNAL_BYPASSING_WRITERS: {unnamed}"
    )


@pytest.mark.parametrize("name", sorted(SIGNAL_BYPASSING_WRITERS))
def test_every_named_writer_exists_and_keeps_its_word(name):
    # Import the longest importable module prefix, then walk the attributes.
    parts = name.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for part in parts[cut:]:
            target = getattr(target, part)
        break
    else:
        pytest.fail(f"{name} does not exist")
    if SIGNAL_BYPASSING_WRITERS[name] == CALLS_STANDINGS_CHANGED:
        source = inspect.getsource(target)
        assert "standings_changed(" in source, f"{name} is said to call standings_changed"
