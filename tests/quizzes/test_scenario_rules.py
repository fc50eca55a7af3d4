"""Property-based tests of the scenario rules: the publication checks against an
independent brute-force oracle, and scoring against its definition."""

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from quizzes import scenario as rules
from quizzes.scenario import Branch, Choice, ProblemCode, Scenario, Step, StepKind


@st.composite
def graphs(draw, *, allow_missing=True):
    """Small scenarios of decision and end steps whose choices point anywhere, sometimes
    to a step that does not exist."""
    size = draw(st.integers(2, 6))
    keys = [f"s{index}" for index in range(size)]
    targets = keys + (["ontbreekt"] if allow_missing else [])
    steps = []
    for index, key in enumerate(keys):
        if index > 0 and draw(st.booleans()):
            steps.append(Step(key=key, kind=StepKind.END, title=key))
            continue
        count = draw(st.integers(2, 3))
        steps.append(
            Step(
                key=key,
                kind=StepKind.DECISION,
                title=key,
                choices=tuple(
                    Choice(
                        id=f"{key}-{number}",
                        label=f"{key}-{number}",
                        score=draw(st.integers(0, 3)),
                        next=draw(st.sampled_from(targets)),
                        missed=draw(st.sampled_from([(), ("a",), ("b",)])),
                    )
                    for number in range(count)
                ),
            )
        )
    return Scenario(steps=tuple(steps), pass_mark=draw(st.integers(1, 12)))


def brute_force_best(scenario: Scenario) -> int | None:
    """Explore every (step, steps answered, score) state; the best score at an end."""
    start = (scenario.start.key, frozenset(), 0)
    seen = {start}
    todo = [start]
    best = None
    while todo:
        key, visited, score = todo.pop()
        step = scenario.step(key)
        if step.is_end:
            best = score if best is None else max(best, score)
            continue
        for choice in step.choices:
            gain = choice.score if key not in visited else 0
            state = (choice.next, visited | {key}, score + gain)
            if state not in seen:
                seen.add(state)
                todo.append(state)
    return best


def oracle(scenario: Scenario) -> set[ProblemCode]:
    keys = {step.key for step in scenario.steps}
    if any(c.next not in keys for s in scenario.steps for c in s.choices):
        return {ProblemCode.MISSING_STEP}
    reachable, todo = {scenario.start.key}, [scenario.start.key]
    while todo:
        for choice in scenario.step(todo.pop()).choices:
            if choice.next not in reachable:
                reachable.add(choice.next)
                todo.append(choice.next)
    found = set()
    if reachable != keys:
        found.add(ProblemCode.UNREACHABLE)
    finishing = {s.key for s in scenario.steps if s.is_end}
    for _round in scenario.steps:
        finishing |= {s.key for s in scenario.steps if any(c.next in finishing for c in s.choices)}
    if not any(scenario.step(key).is_end for key in reachable):
        found.add(ProblemCode.NO_END)
    if reachable - finishing and any(scenario.step(k).choices for k in reachable - finishing):
        found.add(ProblemCode.CLOSED_CYCLE)
    if not found:
        best = brute_force_best(scenario)
        if scenario.pass_mark > best:
            found.add(ProblemCode.PASS_MARK_UNREACHABLE)
    return found


@settings(max_examples=400, deadline=None)
@given(graphs())
def test_publication_checks_agree_with_the_oracle(scenario):
    assert {problem.code for problem in rules.problems(scenario)} == oracle(scenario)


@settings(max_examples=400, deadline=None)
@given(graphs(allow_missing=False))
def test_best_score_is_the_best_score_of_any_walk(scenario):
    if rules.problems(scenario) and any(
        p.code != ProblemCode.PASS_MARK_UNREACHABLE for p in rules.problems(scenario)
    ):
        return
    assert rules.best_score(scenario) == brute_force_best(scenario)


@settings(max_examples=300, deadline=None)
@given(graphs(allow_missing=False), st.randoms(use_true_random=False))
def test_a_played_attempt_never_scores_above_the_best_and_passes_by_the_pass_mark(scenario, random):
    if rules.problems(scenario):
        return
    key, answered, total, missed = scenario.start.key, set(), 0, set()
    for _turn in range(40):
        step = scenario.step(key)
        if step.is_end:
            break
        choice = random.choice(step.choices)
        evaluation = rules.evaluate(step, [choice.id])
        assert 0 <= evaluation.score <= step.max_score
        total += evaluation.score if key not in answered else 0
        answered.add(key)
        missed |= set(evaluation.missed)
        key = rules.next_step_key(step, [choice.id], missed)
    assert total <= rules.best_score(scenario)
    if scenario.step(key).is_end and total >= scenario.pass_mark:
        assert rules.best_score(scenario) >= scenario.pass_mark


def test_a_loop_with_an_exit_is_fine_and_one_without_is_refused():
    looping = Step(
        key="a",
        kind=StepKind.DECISION,
        choices=(Choice(id="1", label="x", next="b"), Choice(id="2", label="y", next="a")),
    )
    b_exit = Step(
        key="b",
        kind=StepKind.DECISION,
        choices=(Choice(id="3", label="x", next="a", score=2), Choice(id="4", label="y", next="c")),
    )
    end = Step(key="c", kind=StepKind.END)
    assert rules.problems(Scenario(steps=(looping, b_exit, end), pass_mark=2)) == []
    b_closed = Step(
        key="b",
        kind=StepKind.DECISION,
        choices=(Choice(id="3", label="x", next="a"), Choice(id="4", label="y", next="a")),
    )
    found = rules.problems(Scenario(steps=(looping, b_closed, end), pass_mark=1))
    codes = {problem.code for problem in found}
    assert ProblemCode.CLOSED_CYCLE in codes
    assert any("'a', 'b' vormen een lus" in problem.message for problem in found)


def test_messages_name_the_step_and_the_problem():
    steps = (
        Step(
            key="begin",
            kind=StepKind.DECISION,
            choices=(
                Choice(id="1", label="Bellen", next="nergens"),
                Choice(id="2", label="Wachten", next="einde"),
            ),
        ),
        Step(key="einde", kind=StepKind.END),
    )
    (problem,) = rules.problems(Scenario(steps=steps, pass_mark=1))
    assert problem.message == "Stap 'begin' leidt naar stap 'nergens', maar die bestaat niet."

    steps = (
        Step(
            key="begin",
            kind=StepKind.DECISION,
            choices=(
                Choice(id="1", label="Bellen", next="einde", score=1),
                Choice(id="2", label="Wachten", next="einde"),
            ),
        ),
        Step(key="einde", kind=StepKind.END),
        Step(key="los", kind=StepKind.END),
    )
    found = rules.problems(Scenario(steps=steps, pass_mark=3))
    assert [p.code for p in found] == [ProblemCode.UNREACHABLE]
    found = rules.problems(Scenario(steps=steps[:2], pass_mark=3))
    assert found[0].message == (
        "De cesuur (3 punten) is niet te halen: de hoogste score op welk pad ook is 1 punten."
    )


def test_a_step_without_a_way_on_is_refused():
    steps = (
        Step(key="a", kind=StepKind.ORDER, choices=(Choice("1", "x"), Choice("2", "y"))),
        Step(key="b", kind=StepKind.END),
    )
    found = rules.problems(Scenario(steps=steps, pass_mark=1))
    assert ProblemCode.DEAD_END in {problem.code for problem in found}


def test_branches_count_as_ways_on():
    steps = (
        Step(
            key="a",
            kind=StepKind.DECISION,
            choices=(
                Choice(id="1", label="x", next="b", score=1),
                Choice(id="2", label="y", next="b", missed=("m",)),
            ),
            branches=(Branch(min_missed=1, next="escalatie"),),
        ),
        Step(key="escalatie", kind=StepKind.DECISION, choices=(
            Choice(id="3", label="x", next="b", score=1), Choice(id="4", label="y", next="b"))),
        Step(key="b", kind=StepKind.END),
    )  # fmt: skip
    scenario = Scenario(steps=steps, pass_mark=2)
    assert rules.problems(scenario) == []
    assert rules.next_step_key(steps[0], ["2"], {"m"}) == "escalatie"
    assert rules.next_step_key(steps[0], ["1"], set()) == "b"


signal_sets = st.lists(st.booleans(), min_size=2, max_size=7)


@given(signal_sets, st.integers(1, 3), st.integers(0, 2), st.data())
def test_marking_signals_scores_found_signals_minus_false_alarms(flags, points, penalty, data):
    if all(flags) or not any(flags):
        flags = [True, False, *flags]
    choices = tuple(
        Choice(id=str(i), label=str(i), correct=flag, recognised=(f"sig{i}",) if flag else ())
        for i, flag in enumerate(flags)
    )
    step = Step(key="m", kind=StepKind.MARK_SIGNALS, choices=choices, points=points,
                penalty=penalty, next="e")  # fmt: skip
    chosen = data.draw(st.lists(st.sampled_from([c.id for c in choices]), unique=True))
    evaluation = rules.evaluate(step, chosen)
    found = sum(1 for c in choices if c.correct and c.id in chosen)
    alarms = sum(1 for c in choices if not c.correct and c.id in chosen)
    assert evaluation.score == max(0, points * found - penalty * alarms)
    assert 0 <= evaluation.score <= step.max_score
    signals = {f"sig{i}" for i, flag in enumerate(flags) if flag}
    assert set(evaluation.recognised) | set(evaluation.missed) == signals
    assert not set(evaluation.recognised) & set(evaluation.missed)
    best = rules.evaluate(step, rules.best_answer(step))
    assert best.score == step.max_score and best.correct


@given(st.integers(2, 5), st.data())
def test_put_in_order_scores_items_in_their_place(size, data):
    choices = tuple(Choice(id=str(i), label=f"stap {i}") for i in range(size))
    step = Step(key="o", kind=StepKind.ORDER, choices=choices, next="e", signals=("meldcode",))
    order = data.draw(st.permutations([c.id for c in choices]))
    evaluation = rules.evaluate(step, order)
    in_place = sum(1 for given_id, expected in zip(order, choices, strict=True)
                   if given_id == expected.id)  # fmt: skip
    assert evaluation.score == in_place
    assert evaluation.correct == (list(order) == [c.id for c in choices])
    assert evaluation.missed == (() if evaluation.correct else ("meldcode",))


def test_an_answer_that_does_not_fit_is_refused():
    step = Step(key="o", kind=StepKind.ORDER, next="e",
                choices=(Choice("1", "a"), Choice("2", "b"), Choice("3", "c")))  # fmt: skip
    for bad in (["1", "2"], ["1", "1", "2"], ["1", "2", "x"]):
        try:
            rules.evaluate(step, bad)
        except rules.AnswerError:
            continue
        raise AssertionError(f"{bad} was accepted")
    for permutation in itertools.permutations(["1", "2", "3"]):
        assert rules.evaluate(step, permutation).score <= 3
