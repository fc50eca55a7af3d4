"""Turn a quiz's steps (the StreamField's value, saved or as the editor's form holds it)
and settings into the plain graph of quizzes.scenario."""

from . import scenario as rules


def _number(value, default: int = 0) -> int:
    # Saved values are ints; a form being edited holds text, perhaps half typed.
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _setting(source, name, default):
    if isinstance(source, dict):
        return source.get(name, default)
    return getattr(source, name, default)


def _citations(value) -> tuple[tuple[int, str], ...]:
    # Register entries by id; a citation whose entry was deleted is left out.
    return tuple(
        (item["source"].pk, item["passage"] or "")
        for item in value or ()
        if item.get("source") is not None
    )


def build_scenario(steps, *, settings_from) -> rules.Scenario:
    """Turn the steps StreamField value (and the page's settings) into the plain graph."""
    built = []
    for block in steps:
        value = block.value
        kind = rules.StepKind(block.block_type)
        common = {
            "key": (value.get("key") or "").strip(),
            "kind": kind,
            "title": value.get("title") or "",
            "case": value.get("case") or "",
            "narrative": str(value.get("narrative") or ""),
            "image_id": value["image"].pk if value.get("image") else None,
            "image_alt": value.get("image_alt") or "",
            "next": (value.get("next") or "").strip(),
            "branches": tuple(
                rules.Branch(
                    min_missed=_number(branch["min_missed"]),
                    signals=frozenset(branch["signals"] or ()),
                    next=(branch["next"] or "").strip(),
                )
                for branch in value.get("branches") or ()
            ),
            "points": _number(value.get("points"), 1) or 1,
            "penalty": _number(value.get("penalty")),
            "feedback": value.get("feedback") or "",
            "sources": _citations(value.get("sources")),
        }
        if kind == rules.StepKind.DECISION:
            common["choices"] = tuple(
                rules.Choice(
                    id=item.id,
                    label=item.value["label"],
                    feedback=item.value["feedback"] or "",
                    score=_number(item.value["score"]),
                    next=(item.value["next"] or "").strip(),
                    recognised=tuple(item.value["recognised"] or ()),
                    missed=tuple(item.value["missed"] or ()),
                )
                for item in value["choices"].bound_blocks
            )
        elif kind == rules.StepKind.MULTIPLE_RESPONSE:
            common["choices"] = tuple(
                rules.Choice(
                    id=item.id,
                    label=item.value["label"],
                    feedback=item.value["feedback"] or "",
                    correct=bool(item.value["correct"]),
                    recognised=(item.value["signal"],) if item.value["signal"] else (),
                )
                for item in value["options"].bound_blocks
            )
        elif kind == rules.StepKind.ORDER:
            common["choices"] = tuple(
                rules.Choice(id=item.id, label=item.value) for item in value["items"].bound_blocks
            )
            common["signals"] = tuple(value["signals"] or ())
        elif kind == rules.StepKind.MARK_SIGNALS:
            common["choices"] = tuple(
                rules.Choice(
                    id=item.id,
                    label=item.value["text"],
                    feedback=item.value["feedback"] or "",
                    correct=bool(item.value["signal"]),
                    recognised=(item.value["signal"],) if item.value["signal"] else (),
                )
                for item in value["sentences"].bound_blocks
            )
        else:
            common["outcome"] = str(value.get("outcome") or "")
        built.append(rules.Step(**common))
    return rules.Scenario(
        steps=tuple(built),
        pass_mark=_number(_setting(settings_from, "pass_mark", 1)),
        attempts_allowed=_number(_setting(settings_from, "attempts_allowed", 0)),
        wait_minutes=_number(_setting(settings_from, "wait_minutes", 0)),
        shuffle=bool(_setting(settings_from, "shuffle", False)),
        feedback=_feedback_timing(_setting(settings_from, "feedback_timing", "per_step")),
    )


def _feedback_timing(value) -> rules.FeedbackTiming:
    try:
        return rules.FeedbackTiming(value)
    except ValueError:
        return rules.FeedbackTiming.PER_STEP
