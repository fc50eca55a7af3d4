"""The insight report's map: the quiz's graph (quizzes.scenario.diagram) with, per way on,
the share of the attempts reaching a step that took it, and per step the miss rate of the
signals met there. Aggregated only; a step or signal met by fewer learners than the
small-group minimum shows no figures, as the rest of the report."""

from collections import Counter, defaultdict

from . import scenario as rules
from .insight import MINIMUM_GROUP, QuizInsight
from .models import QuizAnswer, ScenarioQuizPage, Signal


def edge_taken(step: rules.Step, choice_ids, next_step: str) -> str | None:
    """Which of the step's ways on (rules.step_edges) an answer took: a branch when the
    answer went where a branch leads and not where its own choice (or 'next') leads."""
    edges = rules.step_edges(step)
    own = [edge for edge in edges if edge.kind != "branch"]
    if step.kind == rules.StepKind.DECISION:
        chosen = choice_ids[0] if choice_ids else None
        own = [edge for edge in own if edge.id.endswith(f":choice:{chosen}")]
    for edge in own:
        if edge.target == next_step:
            return edge.id
    for edge in edges:
        if edge.kind == "branch" and edge.target == next_step:
            return edge.id
    return None


def insight_diagram(
    quiz: ScenarioQuizPage, insight: QuizInsight, *, minimum_group: int = MINIMUM_GROUP
) -> dict | None:
    """The map's data for the insight report; None while the report hides its details."""
    if insight.hidden:
        return None
    scenario = quiz.scenario
    data = rules.diagram(scenario).as_json()
    reached: dict[str, set[int]] = defaultdict(set)
    learners: dict[str, set[int]] = defaultdict(set)
    took: dict[str, set[int]] = defaultdict(set)
    missed: dict[str, Counter] = defaultdict(Counter)
    recognised: dict[str, Counter] = defaultdict(Counter)
    signal_learners: dict[tuple[str, str], set[int]] = defaultdict(set)
    rows = QuizAnswer.objects.filter(attempt__quiz=quiz).values_list(
        "attempt_id", "attempt__user_id", "step_key", "choice_ids", "next_step", "missed",
        "recognised",
    )  # fmt: skip
    for (
        attempt_id,
        user_id,
        key,
        choice_ids,
        next_step,
        missed_slugs,
        seen_slugs,
    ) in rows.iterator():
        step = scenario.step(key)
        if step is None:  # a step of an older revision
            continue
        reached[key].add(attempt_id)
        learners[key].add(user_id)
        edge = edge_taken(step, choice_ids, next_step)
        if edge:
            took[edge].add(attempt_id)
        for slug in missed_slugs:
            missed[key][slug] += 1
            signal_learners[(key, slug)].add(user_id)
        for slug in seen_slugs:
            recognised[key][slug] += 1
            signal_learners[(key, slug)].add(user_id)
    shown = {key for key, people in learners.items() if len(people) >= minimum_group}
    names = {
        signal.slug: signal.name
        for signal in Signal.objects.filter(slug__in={slug for _key, slug in signal_learners}).only(
            "slug", "name"
        )
    }
    for node in data["nodes"]:
        key = node["key"]
        node["attempts"] = len(reached[key]) if key in shown else None
        node["signals"] = _signal_rates(
            key, missed[key], recognised[key], signal_learners, names, minimum_group
        )
    for edge in data["edges"]:
        source = edge["source"]
        if source in shown and reached[source]:
            edge["count"] = len(took[edge["id"]])
            edge["share"] = round(100 * edge["count"] / len(reached[source]))
        else:
            edge["count"] = edge["share"] = None
    return data


def _signal_rates(key, missed, recognised, signal_learners, names, minimum_group) -> list[dict]:
    rates = []
    for slug in sorted(set(missed) | set(recognised)):
        if len(signal_learners[(key, slug)]) < minimum_group or slug not in names:
            continue
        total = missed[slug] + recognised[slug]
        rates.append({"name": names[slug], "miss_rate": round(100 * missed[slug] / total)})
    return sorted(rates, key=lambda rate: (-rate["miss_rate"], rate["name"]))
