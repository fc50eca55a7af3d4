"""Load the reviewable scenario content in quizzes/content/ (format: README.md there):
signals as snippets, and one ScenarioQuizPage per module. Used by load_demo and by the
content tests, which run the same checks that refuse publication in the admin."""

import uuid
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.db import transaction

from courses.content_loader import (
    ContentError,
    check_citations,
    citation_stream,
    read_source_file,
)
from courses.content_loader import source_ids as current_source_ids
from courses.models import ModulePage, Theme

from . import scenario as rules
from .models import ScenarioQuizPage, Signal, SignalKind

CONTENT_DIR = Path(__file__).resolve().parent / "content"
QUIZ_KEYS = {
    "module", "slug", "title", "intro", "content_note", "pass_mark", "attempts_allowed",
    "wait_minutes", "shuffle", "feedback", "sources", "steps",
}  # fmt: skip
OPTIONAL_QUIZ_KEYS = {"wait_minutes", "shuffle", "feedback", "intro", "content_note"}
COMMON_STEP_KEYS = {"key", "type", "title", "case", "sources"}
STEP_KEYS = {
    "decision": {"narrative", "choices", "branches", "unsafety"},
    "multiple_response": {"narrative", "options", "points", "penalty", "next", "branches"},
    "order": {"narrative", "items", "points", "feedback", "missed", "next", "branches"},
    "mark_signals": {"narrative", "sentences", "points", "penalty", "next", "branches"},
    "end": {"outcome"},
}
ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://signaal.nl/scenario")
# A decision step's `unsafety` marks a case of acute or structural unsafety (the meldcode's
# afwegingskader): its best choices must include reporting to Veilig Thuis (a content
# test holds this). It is authoring metadata, not stored on the page.
UNSAFETY = ("acute", "structural")


@dataclass(frozen=True)
class QuizContent:
    path: Path
    data: dict


def read_signal_file(path: Path | None = None) -> list[dict]:
    path = path or CONTENT_DIR / "signals.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))["signals"]


def read_quiz_files(
    directory: Path | None = None, *, source_keys: set[str] | None = None
) -> list[QuizContent]:
    directory = directory if directory is not None else CONTENT_DIR
    signal_slugs = {signal["slug"] for signal in read_signal_file()}
    if source_keys is None:
        source_keys = {entry["key"] for entry in read_source_file()}
    quizzes = []
    for path in sorted(directory.glob("*.yaml")):
        if path.name == "signals.yaml":
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        _check_quiz(path.name, data, signal_slugs, source_keys)
        quizzes.append(QuizContent(path=path, data=data))
    return quizzes


def _check_quiz(name: str, data: dict, signal_slugs: set[str], source_keys: set[str]) -> None:
    missing = QUIZ_KEYS - set(data) - OPTIONAL_QUIZ_KEYS
    unknown = set(data) - QUIZ_KEYS
    if missing or unknown:
        raise ContentError(
            f"{name}: missing keys {sorted(missing)}, unknown keys {sorted(unknown)}"
        )
    if data.get("feedback", "per_step") not in {timing.value for timing in rules.FeedbackTiming}:
        raise ContentError(f"{name}: feedback must be per_step or at_end")
    check_citations(name, data["sources"], source_keys)
    for step in data["steps"]:
        kind = step.get("type")
        if kind not in STEP_KEYS:
            raise ContentError(f"{name}, step {step.get('key')}: unknown type {kind!r}")
        unknown = set(step) - COMMON_STEP_KEYS - STEP_KEYS[kind]
        if unknown:
            raise ContentError(f"{name}, step {step.get('key')}: unknown keys {sorted(unknown)}")
        check_citations(f"{name}, step {step.get('key')}", step.get("sources") or [], source_keys)
        if step.get("unsafety") not in (None, *UNSAFETY):
            raise ContentError(
                f"{name}, step {step.get('key')}: unsafety must be one of {UNSAFETY}"
            )
        used = set(step.get("missed") or ())
        for branch in step.get("branches") or ():
            used |= set(branch.get("signals") or ())
        for item in step.get("choices", []):
            used |= set(item.get("recognised") or ()) | set(item.get("missed") or ())
        for item in step.get("options", []) + step.get("sentences", []):
            used |= {item["signal"]} if item.get("signal") else set()
        if bad := used - signal_slugs:
            raise ContentError(f"{name}, step {step.get('key')}: unknown signals {sorted(bad)}")
    found = rules.problems(unsaved_quiz_page(data).scenario)
    if found:
        messages = "; ".join(problem.message for problem in found)
        raise ContentError(f"{name}: cannot be published: {messages}")


def _id(*parts) -> str:
    return str(uuid.uuid5(ID_NAMESPACE, ":".join(str(part) for part in parts)))


def _items(prefix: tuple, values: list) -> list[dict]:
    return [
        {"type": "item", "value": value, "id": _id(*prefix, index)}
        for index, value in enumerate(values)
    ]


def _citation_items(prefix: tuple, citations, source_ids: dict[str, int] | None) -> list[dict]:
    if source_ids is None:
        return []
    return _items(
        (*prefix, "source"),
        [item["value"] for item in citation_stream(citations or [], source_ids)],
    )


def _branches(prefix: tuple, step: dict) -> list[dict]:
    return _items(
        (*prefix, "branch"),
        [
            {
                "min_missed": branch["min_missed"],
                "signals": list(branch.get("signals") or ()),
                "next": branch["next"],
            }
            for branch in step.get("branches") or ()
        ],
    )


def steps_stream(data: dict, source_ids: dict[str, int] | None = None) -> list[dict]:
    """The StreamField value for the steps, with ids derived from the module and step keys,
    so loading the same content again gives the same choice ids. Without `source_ids`
    (checking a file, no database) the steps' citations are left out."""
    stream = []
    for step in data["steps"]:
        kind = step["type"]
        prefix = (data["module"], step["key"])
        value = {
            "key": step["key"],
            "case": step.get("case", ""),
            "title": step["title"],
            "sources": _citation_items(prefix, step.get("sources"), source_ids),
        }
        if kind == "end":
            value["outcome"] = step["outcome"]
        else:
            value |= {"narrative": step["narrative"], "image": None, "image_alt": ""}
            value["branches"] = _branches(prefix, step)
        if kind == "decision":
            value["choices"] = _items(
                prefix,
                [
                    {
                        "label": choice["label"],
                        "feedback": choice["feedback"],
                        "score": choice.get("score", 0),
                        "next": choice["next"],
                        "recognised": list(choice.get("recognised") or ()),
                        "missed": list(choice.get("missed") or ()),
                    }
                    for choice in step["choices"]
                ],
            )
        elif kind == "multiple_response":
            value["options"] = _items(
                prefix,
                [
                    {
                        "label": option["label"],
                        "correct": bool(option.get("correct")),
                        "feedback": option.get("feedback", ""),
                        "signal": option.get("signal") or "",
                    }
                    for option in step["options"]
                ],
            )
        elif kind == "order":
            value["items"] = _items(prefix, list(step["items"]))
            value["feedback"] = step.get("feedback", "")
            value["signals"] = list(step.get("missed") or ())
        elif kind == "mark_signals":
            value["sentences"] = _items(
                prefix,
                [
                    {
                        "text": sentence["text"],
                        "signal": sentence.get("signal") or "",
                        "feedback": sentence.get("feedback", ""),
                    }
                    for sentence in step["sentences"]
                ],
            )
        if kind in {"multiple_response", "order", "mark_signals"}:
            value["points"] = step.get("points", 1)
            value["next"] = step["next"]
        if kind in {"multiple_response", "mark_signals"}:
            value["penalty"] = step.get("penalty", 1)
        stream.append({"type": kind, "value": value, "id": _id(*prefix, "step")})
    return stream


def unsaved_quiz_page(data: dict, source_ids: dict[str, int] | None = None) -> ScenarioQuizPage:
    """The quiz page as the content file gives it, unsaved. Without `source_ids` (checking
    a file, no database) the citations are left out."""
    return ScenarioQuizPage(
        title=data["title"],
        slug=data["slug"],
        intro=(data.get("intro") or "").strip(),
        content_note=(data.get("content_note") or "").strip(),
        pass_mark=data["pass_mark"],
        attempts_allowed=data.get("attempts_allowed", 3),
        wait_minutes=data.get("wait_minutes", 0),
        shuffle=bool(data.get("shuffle", False)),
        feedback_timing=data.get("feedback", "per_step"),
        steps=steps_stream(data, source_ids),
        sources=citation_stream(data["sources"], source_ids) if source_ids is not None else [],
    )


@transaction.atomic
def ensure_signals() -> None:
    themes = {theme.slug: theme for theme in Theme.objects.all()}
    for signal in read_signal_file():
        if signal["kind"] not in SignalKind.values:
            raise ContentError(f"signals.yaml: unknown kind {signal['kind']!r}")
        Signal.objects.update_or_create(
            slug=signal["slug"],
            defaults={
                "name": signal["name"],
                "kind": signal["kind"],
                "theme": themes[signal["theme"]],
                "description": signal.get("description", ""),
            },
        )


@transaction.atomic
def ensure_quiz(*, module: ModulePage, content: QuizContent) -> ScenarioQuizPage:
    """Create and publish the module's quiz from its content file, unless the module has
    one (then it is left as editors made it)."""
    existing = ScenarioQuizPage.objects.child_of(module).first()
    if existing:
        return existing
    quiz = unsaved_quiz_page(content.data, current_source_ids())
    module.add_child(instance=quiz)
    quiz.save_revision().publish()
    return quiz


def load_quizzes(modules: list[ModulePage]) -> list[ScenarioQuizPage]:
    ensure_signals()
    by_slug = {module.slug: module for module in modules}
    return [
        ensure_quiz(module=by_slug[content.data["module"]], content=content)
        for content in read_quiz_files()
        if content.data["module"] in by_slug
    ]
