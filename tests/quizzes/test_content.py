"""The scenario content in quizzes/content/: every module has a quiz that would pass the
admin's publication checks, with the case variety the curriculum asks for."""

import datetime

import pytest

from courses import content_loader as course_content
from quizzes import content_loader
from quizzes import scenario as rules
from quizzes.models import ScenarioQuizPage, Signal

from .conftest import HAND_OM_DE_KEEL

pytestmark = pytest.mark.django_db

SEED_DOCUMENTS = {
    "000_9ddfa5141d74bb22.txt",
    "001_ec897ccb2fa13a5d.txt",
    "002_1d09b263c79ef7be.txt",
    "003_98c1f7ff10860fd2.txt",
    "004_4fb8a859a2c93b14.txt",
}


@pytest.fixture
def quizzes():
    # read_quiz_files runs the publication checks on every file (and raises on a problem).
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


def test_each_quiz_cites_the_seed_documents_and_can_be_failed(quizzes):
    for quiz in quizzes:
        assert quiz.data["sources"]
        assert {source["document"] for source in quiz.data["sources"]} <= SEED_DOCUMENTS
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
    modules = [
        course_content.ensure_module(
            catalogue=catalogue, content=content, today=datetime.date.today()
        )
        for content in course_content.read_module_files()[:2]
    ]
    loaded = content_loader.load_quizzes(modules)
    assert len(loaded) == 2
    assert Signal.objects.count() == len(content_loader.read_signal_file())
    for quiz in loaded:
        assert quiz.live
        assert not rules.problems(ScenarioQuizPage.objects.get(pk=quiz.pk).scenario)
