"""The scenario content in quizzes/content/: every module has a quiz that would pass the
admin's publication checks, with the case variety the curriculum asks for."""

import pytest

from courses import content_loader as course_content
from quizzes import content_loader
from quizzes import scenario as rules
from quizzes.models import ScenarioQuizPage, Signal

from .conftest import HAND_OM_DE_KEEL

pytestmark = pytest.mark.django_db

REGISTER = {entry["key"] for entry in course_content.read_source_file()}


@pytest.fixture(scope="module")
def quizzes(django_db_setup, django_db_blocker):
    # read_quiz_files runs the publication checks on every file (and raises on a problem);
    # read once for the module: it only reads (the files, and the signal register).
    with django_db_blocker.unblock():
        return content_loader.read_quiz_files()


def scenario_of(content):
    return content_loader.unsaved_quiz_page(content.data).scenario


def test_every_module_has_a_quiz(quizzes):
    modules = {module.data["slug"] for module in course_content.read_module_files()}
    assert {quiz.data["module"] for quiz in quizzes} == modules


def test_at_least_ten_cases_across_the_quizzes(quizzes):
    cases = [step.case for quiz in quizzes for step in scenario_of(quiz).steps if step.case]
    assert len(cases) >= 10
    assert len(set(cases)) == len(cases)


def test_each_quiz_branches_on_two_or_more_decisions(quizzes):
    for quiz in quizzes:
        scenario = scenario_of(quiz)
        branching = [
            step
            for step in scenario.steps
            if step.kind == rules.StepKind.DECISION and len({c.next for c in step.choices}) > 1
        ]
        assert len(branching) >= 2, quiz.path.name
        assert len([s for s in scenario.steps if s.is_end]) >= 2, quiz.path.name


def test_the_question_kinds_and_history_branches_appear(quizzes):
    kinds = {step.kind for quiz in quizzes for step in scenario_of(quiz).steps}
    assert {rules.StepKind.ORDER, rules.StepKind.MARK_SIGNALS} <= kinds
    assert rules.StepKind.MULTIPLE_RESPONSE in kinds
    for quiz in quizzes:
        quiz_kinds = {step.kind for step in scenario_of(quiz).steps}
        assert quiz_kinds & {rules.StepKind.ORDER, rules.StepKind.MARK_SIGNALS}, quiz.path.name
    with_branches = [q for q in quizzes if any(s.branches for s in scenario_of(q).steps)]
    assert len(with_branches) >= 3


def test_each_quiz_cites_register_entries_has_a_content_note_and_can_be_failed(quizzes):
    for quiz in quizzes:
        assert quiz.data["sources"]
        citations = list(quiz.data["sources"])
        citations += [cited for step in quiz.data["steps"] for cited in step.get("sources") or []]
        assert {citation["source"] for citation in citations} <= REGISTER
        assert all(str(citation["passage"]).strip() for citation in citations)
        assert (quiz.data.get("content_note") or "").strip(), quiz.path.name
        scenario = scenario_of(quiz)
        best = rules.best_score(scenario)
        assert scenario.pass_mark <= best
        assert scenario.pass_mark > best // 2, "ignoring the red flags must not pass"


def test_a_broken_file_is_refused_with_the_reason(tmp_path):
    import yaml

    data = dict(HAND_OM_DE_KEEL, steps=HAND_OM_DE_KEEL["steps"][:1])
    (tmp_path / "kapot.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(course_content.ContentError, match="kapot.yaml: cannot be published"):
        content_loader.read_quiz_files(tmp_path)


def test_the_quizzes_load_into_the_modules(home_page):
    course_content.ensure_taxonomy()
    catalogue = course_content.ensure_catalogue(home=home_page)
    course_content.ensure_sources()
    modules = [
        course_content.ensure_module(catalogue=catalogue, content=content)
        for content in course_content.read_module_files()[:2]
    ]
    loaded = content_loader.load_quizzes(modules)
    assert len(loaded) == 2
    assert Signal.objects.count() == len(content_loader.read_signal_file())
    for quiz in loaded:
        assert quiz.live
        assert not rules.problems(ScenarioQuizPage.objects.get(pk=quiz.pk).scenario)


def steps_of(quizzes, module: str) -> dict[str, dict]:
    [quiz] = [quiz for quiz in quizzes if quiz.data["module"] == module]
    return {step["key"]: step for step in quiz.data["steps"]}


def best_choices(step: dict) -> list[dict]:
    best = max(choice.get("score", 0) for choice in step["choices"])
    return [choice for choice in step["choices"] if choice.get("score", 0) == best]


def test_no_best_choice_in_a_case_of_acute_or_structural_unsafety_lacks_reporting(quizzes):
    marked = 0
    for quiz in quizzes:
        for step in quiz.data["steps"]:
            if not step.get("unsafety"):
                continue
            marked += 1
            for choice in best_choices(step):
                assert "melden-bij-veilig-thuis" in (choice.get("recognised") or []), (
                    f"{quiz.path.name}, {step['key']}: {choice['label']}"
                )
    assert marked >= 15


def test_the_cases_the_review_named_are_marked_as_unsafety(quizzes):
    meldcode = steps_of(quizzes, "handelen-met-de-meldcode")
    assert meldcode["spreekuur-wegen"]["unsafety"] == "structural"
    assert meldcode["school-start"]["unsafety"] == "acute"
    assert meldcode["school-overleg"]["unsafety"] == "acute"
    assert steps_of(quizzes, "gendersensitief-en-intersectioneel-werken")["belt-plan"]["unsafety"]


def test_no_answer_says_the_decision_is_yours_in_a_case_of_unsafety(quizzes):
    for quiz in quizzes:
        for step in quiz.data["steps"]:
            if step.get("unsafety"):
                for choice in best_choices(step):
                    assert "beslissing om te melden ligt bij jou" not in choice["label"]
                    assert "ligt bij jou" not in choice["feedback"]


def test_confronting_a_parent_with_what_the_child_said_scores_nothing(quizzes):
    school = steps_of(quizzes, "handelen-met-de-meldcode")["school-start"]
    [confront] = [choice for choice in school["choices"] if "bij het ophalen" in choice["label"]]
    assert confront["score"] == 0
    assert "gevaar" in confront["feedback"] and "moeder" in confront["feedback"]


def test_ringing_the_neighbours_door_is_right_only_with_its_conditions(quizzes):
    options = steps_of(quizzes, "femicide-begrippen-en-omvang")["buurt-opties"]["options"]
    ringing = [option for option in options if "aanbellen" in option["label"].lower()]
    for option in ringing:
        if option["correct"]:
            assert "veilig" in option["label"] and "112" in option["label"]
            assert "alleen" in option["label"]
    assert any(not option["correct"] for option in ringing), "confronting the perpetrator is wrong"


def test_telling_her_she_must_leave_after_strangulation_scores_nothing(quizzes):
    start = steps_of(quizzes, "rode-vlaggen-herkennen")["keel-start"]
    [leave] = [choice for choice in start["choices"] if "weg moet gaan" in choice["label"]]
    assert leave["score"] == 0
    assert "risico" in leave["feedback"]


def test_a_step_after_strangulation_rewards_prompt_medical_examination(quizzes):
    for module, key in (
        ("rode-vlaggen-herkennen", "keel-nieuw"),
        ("acuut-wurging-en-seksueel-geweld", "keel-belt"),
    ):
        step = steps_of(quizzes, module)[key]
        assert all(
            "medisch-onderzoek" in (choice.get("recognised") or []) for choice in best_choices(step)
        )
        assert all(
            "medisch-onderzoek" not in (choice.get("recognised") or [])
            for choice in step["choices"]
            if choice not in best_choices(step)
        )
    # It is on the best path, not only on a detour.
    scenario = next(
        scenario_of(quiz) for quiz in quizzes if quiz.data["module"] == "rode-vlaggen-herkennen"
    )
    assert "keel-nieuw" in {choice.next for choice in scenario.step("keel-wegen").choices}


def test_signals_say_professionals_report_under_their_own_name():
    signals = {signal["slug"]: signal for signal in content_loader.read_signal_file()}
    advice = signals["veilig-thuis-raadplegen"]["description"]
    assert "melding" in advice and "(anoniem)" not in advice
    assert "eigen naam" in signals["melden-bij-veilig-thuis"]["description"]
    assert signals["kind-getuige-van-geweld"]["kind"] == "child_abuse"
    assert "zelfmoord" not in signals["dreiging-met-zelfmoord"]["name"].lower()
