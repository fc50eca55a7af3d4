"""Load the reviewable scenario content in quizzes/content/ (format: README.md there):
signals as snippets, and one ScenarioQuizPage per module. Used by load_demo and by the
content tests, which run the same checks that refuse publication in the admin."""

import uuid
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.db import transaction

from courses.content_loader import ContentError
from courses.models import ModulePage, Theme

from . import scenario as rules
from .models import ScenarioQuizPage, Signal, SignalKind

CONTENT_DIR = Path(__file__).resolve().parent / "content"
QUIZ_KEYS = {
    "module", "slug", "title", "intro", "pass_mark", "attempts_allowed", "wait_minutes",
    "shuffle", "feedback", "sources", "steps",
}  # fmt: skip
COMMON_STEP_KEYS = {"key", "type", "title", "case"}
STEP_KEYS = {
    "decision": {"narrative", "choices", "branches"},
    "multiple_response": {"narrative", "options", "points", "penalty", "next", "branches"},
    "order": {"narrative", "items", "points", "feedback", "missed", "next", "branches"},
    "mark_signals": {"narrative", "sentences", "points", "penalty", "next", "branches"},
    "end": {"outcome"},
}
ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://signaal.nl/scenario")


@dataclass(frozen=True)
class QuizContent:
    path: Path
    data: dict


def read_signal_file(path: Path = CONTENT_DIR / "signals.yaml") -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["signals"]


def read_quiz_files(directory: Path = CONTENT_DIR) -> list[QuizContent]:
    signal_slugs = {signal["slug"] for signal in read_signal_file()}
    quizzes = []
    for path in sorted(directory.glob("*.yaml")):
        if path.name == "signals.yaml":
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        _check_quiz(path.name, data, signal_slugs)
        quizzes.append(QuizContent(path=path, data=data))
    return quizzes


def _check_quiz(name: str, data: dict, signal_slugs: set[str]) -> None:
    missing = QUIZ_KEYS - set(data) - {"wait_minutes", "shuffle", "feedback", "intro"}
    unknown = set(data) - QUIZ_KEYS
    if missing or unknown:
        raise ContentError(
            f"{name}: missing keys {sorted(missing)}, unknown keys {sorted(unknown)}"
        )
    if data.get("feedback", "per_step") not in {timing.value for timing in rules.FeedbackTiming}:
        raise ContentError(f"{name}: feedback must be per_step or at_end")
    for step in data["steps"]:
        kind = step.get("type")
        if kind not in STEP_KEYS:
            raise ContentError(f"{name}, step {step.get('key')}: unknown type {kind!r}")
        unknown = set(step) - COMMON_STEP_KEYS - STEP_KEYS[kind]
        if unknown:
            raise ContentError(f"{name}, step {step.get('key')}: unknown keys {sorted(unknown)}")
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


def steps_stream(data: dict) -> list[dict]:
    """The StreamField value for the steps, with ids derived from the module and step keys,
    so loading the same content again gives the same choice ids."""
    stream = []
    for step in data["steps"]:
        kind = step["type"]
        prefix = (data["module"], step["key"])
        value = {"key": step["key"], "case": step.get("case", ""), "title": step["title"]}
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


def unsaved_quiz_page(data: dict) -> ScenarioQuizPage:
    return ScenarioQuizPage(
        title=data["title"],
        slug=data["slug"],
        intro=(data.get("intro") or "").strip(),
        pass_mark=data["pass_mark"],
        attempts_allowed=data.get("attempts_allowed", 3),
        wait_minutes=data.get("wait_minutes", 0),
        shuffle=bool(data.get("shuffle", False)),
        feedback_timing=data.get("feedback", "per_step"),
        steps=steps_stream(data),
        sources=[{"type": "source", "value": source} for source in data["sources"]],
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
    quiz = unsaved_quiz_page(content.data)
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
