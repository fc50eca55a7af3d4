"""The quiz editor's map and checks (issue 21): the graph data against the publication
checks, the map endpoint on the form as the author has it, errors that name their step in
the page's error summary, and the insight report's map."""

import json

import pytest
from django.contrib.staticfiles import finders
from hypothesis import given, settings

from quizzes import scenario as rules
from quizzes.insight import quiz_insight
from quizzes.insight_map import insight_diagram
from quizzes.models import ScenarioQuizPage
from quizzes.scenario import Branch, Choice, Scenario, Step, StepKind
from quizzes.services import play_best_path
from tests.factories import UserFactory

from .conftest import play_to_poor_end
from .test_authoring import BROKEN, GOOD, add_url, decision, end, page_form
from .test_scenario_rules import graphs

MAP_URL = "/beheer/quizzes/scenario-map/"


def _expected_edges(scenario: Scenario) -> set[tuple[str, str, str]]:
    edges = set()
    for step in scenario.steps:
        if step.kind == StepKind.DECISION:
            edges |= {(step.key, choice.next, "choice") for choice in step.choices}
        elif not step.is_end:
            edges.add((step.key, step.next, "next"))
        edges |= {(step.key, branch.next, "branch") for branch in step.branches}
    return edges


@settings(max_examples=300, deadline=None)
@given(graphs())
def test_the_map_shows_the_publication_checks_own_problems(scenario):
    drawn = rules.diagram(scenario)
    found = rules.problems(scenario)
    assert list(drawn.problems) == found
    keys = [step.key for step in scenario.steps]
    real = [node for node in drawn.nodes if not node.missing]
    assert [node.key for node in real] == keys
    for node in real:
        assert list(node.problems) == [p.message for p in found if p.step == node.key]
    assert {(e.source, e.target, e.kind) for e in drawn.edges} == _expected_edges(scenario)
    # Every link to a step that does not exist is drawn to a node marked missing, and the
    # check names that same link.
    missing = {node.key for node in drawn.nodes if node.missing}
    assert missing == {e.target for e in drawn.edges} - set(keys)
    for target in missing:
        assert any(f"stap '{target}'" in p.message for p in found)
    assert real[0].is_start and not any(node.is_start for node in real[1:])


def test_branches_and_ends_are_drawn_with_their_kind_and_score():
    steps = (
        Step(
            key="begin", kind=StepKind.DECISION, title="Het gesprek",
            choices=(Choice(id="c1", label="Doorvragen", score=2, next="einde"),
                     Choice(id="c2", label="Afsluiten", next="")),
            branches=(Branch(min_missed=2, next="escalatie"),),
        ),
        Step(key="einde", kind=StepKind.END, title="Afloop"),
    )  # fmt: skip
    drawn = rules.diagram(Scenario(steps=steps, pass_mark=1))
    begin, einde = drawn.nodes[0], drawn.nodes[1]
    assert (begin.kind_label, begin.max_score, begin.is_start) == (
        "Beslissing (één keuze)", 2, True,
    )  # fmt: skip
    assert einde.is_end and einde.kind_label == "Einde"
    assert [(e.kind, e.target, e.score) for e in drawn.edges] == [
        ("choice", "einde", 2), ("choice", "", 0), ("branch", "escalatie", None),
    ]  # fmt: skip
    assert drawn.nodes[2].missing and drawn.nodes[2].key == "escalatie"
    # The problems name the step by key and title, as the error summary does.
    messages = [problem.message for problem in drawn.problems]
    assert (
        "Bij stap 'begin' (Het gesprek), keuze 2 ('Afsluiten'), staat niet welke stap "
        "hierna komt." in messages
    )
    assert "Stap 'begin' (Het gesprek) leidt naar stap 'escalatie', maar die bestaat niet." in (
        messages
    )
    assert begin.problems == tuple(messages)
    assert json.loads(json.dumps(drawn.as_json()))["edges"][2]["min_missed"] == 2


@pytest.fixture
def admin_client(client, db):
    from tests.auth import sign_in_with_mfa

    sign_in_with_mfa(client, UserFactory(is_superuser=True))
    return client


@pytest.mark.django_db
def test_the_map_endpoint_reads_the_form_as_it_is_and_agrees_with_publishing(admin_client, module):
    data = page_form(BROKEN)
    answer = admin_client.post(MAP_URL, data)
    assert answer.status_code == 200
    drawn = answer.json()
    assert [node["key"] for node in drawn["nodes"]] == ["begin", "einde", "los", "nergens"]
    assert drawn["nodes"][3]["missing"] is True
    messages = [problem["message"] for problem in drawn["problems"]]
    assert messages == [
        "Stap 'begin' (Stap begin) leidt naar stap 'nergens', maar die bestaat niet."
    ]
    # Publishing the same form is refused with the same words.
    refused = admin_client.post(add_url(module), page_form(BROKEN, action="action-publish"))
    assert "Stap &#x27;begin&#x27; (Stap begin) leidt naar stap &#x27;nergens&#x27;" in (
        refused.content.decode()
    )
    # Nothing was saved by asking for the map.
    assert not ScenarioQuizPage.objects.exists()


@pytest.mark.django_db
def test_the_map_endpoint_takes_half_typed_numbers_and_refuses_what_is_not_a_form(
    admin_client,
):
    data = page_form(GOOD, pass_mark=3)
    data["pass_mark"] = "3"
    data["steps-0-value-choices-0-value-score"] = ""  # being typed
    drawn = admin_client.post(MAP_URL, data).json()
    assert [p["code"] for p in drawn["problems"]] == ["pass_mark_unreachable"]
    assert admin_client.post(MAP_URL, {"title": "x"}).status_code == 400
    assert admin_client.get(MAP_URL).status_code == 405


@pytest.mark.django_db
def test_the_map_endpoint_is_for_admin_users_only(client):
    client.force_login(UserFactory())
    answer = client.post(MAP_URL, page_form(GOOD))
    assert answer.status_code == 302
    assert answer["Location"].startswith("/account/login/")


@pytest.mark.django_db
def test_a_block_error_is_named_by_its_step_in_the_error_summary(admin_client, module):
    one_choice = decision("begin", [("Bellen", 2, "einde")])
    one_choice[1]["title"] = "Het gesprek"
    no_label = decision("vervolg", [("", 1, "einde"), ("Wachten", 0, "einde")])
    steps = [one_choice, no_label, end("einde")]
    # A draft may be incomplete (Wagtail defers these checks); publishing is refused.
    assert admin_client.post(add_url(module), page_form(steps)).status_code == 302
    ScenarioQuizPage.objects.get().delete()
    response = admin_client.post(add_url(module), page_form(steps, action="action-publish"))
    assert response.status_code == 200
    page = response.content.decode()
    # The check's own words, with key and title, in the summary at the top of the page.
    summary = page.split('class="errorlist"')[1].split("</ul>")[0]
    assert "Stap &#x27;begin&#x27; (Het gesprek) heeft minstens twee keuzes nodig." in summary
    assert (
        "Stap &#x27;vervolg&#x27; (Stap vervolg), Keuzes › 1 › Keuze: Dit is een verplicht veld."
        in (summary)
    )


def test_the_step_lists_minimum_is_the_checks_minimum():
    from quizzes.blocks import ScenarioStepsBlock

    blocks = ScenarioStepsBlock().child_blocks
    assert blocks["decision"].child_blocks["choices"].meta.min_num == 2
    assert blocks["multiple_response"].child_blocks["options"].meta.min_num == 2
    assert blocks["order"].child_blocks["items"].meta.min_num == 2


def _help_text(block) -> str:
    field = getattr(block, "field", None)
    return field.help_text if field is not None else getattr(block.meta, "help_text", "")


def test_every_field_an_author_fills_in_has_a_label_and_help_text():
    from quizzes.blocks import ScenarioStepsBlock

    def walk(block, path):
        for name, child in getattr(block, "child_blocks", {}).items():
            if name == "sources":  # the shared citation block, documented in courses
                continue
            yield f"{path}.{name}", child
            inner = getattr(child, "child_block", child)
            if inner is not child:
                yield f"{path}.{name}[]", inner
            yield from walk(inner, f"{path}.{name}")

    bare = [
        path
        for kind, block in ScenarioStepsBlock().child_blocks.items()
        for path, child in walk(block, kind)
        if not getattr(child, "child_blocks", None)  # a struct is labelled by its fields
        and not (child.meta.label and _help_text(child))
    ]
    assert bare == []


def test_the_layout_library_is_served_and_nothing_else_of_its_package():
    assert finders.find("vendor/dagre/dagre.min.js")
    assert finders.find("vendor/dagre/dagre.js") is None
    assert finders.find("quizzes/scenario-map.js")


@pytest.mark.django_db
def test_the_insight_map_shows_shares_per_way_and_hides_small_groups(quiz):
    for _learner in range(4):
        play_best_path(user=UserFactory(), quiz=quiz)
    assert insight_diagram(quiz, quiz_insight(quiz)) is None

    play_best_path(user=UserFactory(), quiz=quiz)
    for _learner in range(3):
        play_to_poor_end(quiz, UserFactory())
    drawn = insight_diagram(quiz, quiz_insight(quiz))
    edges = {edge["id"]: edge for edge in drawn["edges"]}
    start = [edge for edge in drawn["edges"] if edge["source"] == "start"]
    # 8 attempts reached the start: 5 asked on (best path), 3 did not.
    assert [(edge["target"], edge["count"], edge["share"]) for edge in start] == [
        ("signalen", 5, 62), ("gevolg", 3, 38),
    ]  # fmt: skip
    nodes = {node["key"]: node for node in drawn["nodes"]}
    assert nodes["start"]["attempts"] == 8
    # Only 3 people reached 'gevolg': too few to show its figures.
    assert nodes["gevolg"]["attempts"] is None
    assert all(edge["share"] is None for edge in edges.values() if edge["source"] == "gevolg")
    rates = {signal["name"]: signal["miss_rate"] for signal in nodes["start"]["signals"]}
    assert rates["Poging tot verwurging"] == 38  # missed by 3 of 8
    assert drawn["problems"] == []


def test_an_answer_is_counted_on_the_way_it_took():
    from quizzes.insight_map import edge_taken

    step = Step(
        key="a", kind=StepKind.DECISION,
        choices=(Choice(id="1", label="x", next="b"), Choice(id="2", label="y", next="c")),
        branches=(Branch(min_missed=1, next="d"),),
    )  # fmt: skip
    assert edge_taken(step, ["1"], "b") == "a:choice:1"
    assert edge_taken(step, ["2"], "c") == "a:choice:2"
    assert edge_taken(step, ["2"], "d") == "a:branch:1"
    assert edge_taken(step, ["2"], "elders") is None


def test_choosing_a_step_keeps_the_list_of_choices_in_the_posted_form():
    # The chooser sends the key as before: content and answers refer to keys, unchanged.
    from quizzes.blocks import DecisionChoiceBlock

    field = DecisionChoiceBlock().child_blocks["next"].field
    assert field.widget.input_type == "text" and field.max_length == 60
    assert field.widget.attrs["data-controller"] == "signaal-step-target"
    assert "quizzes/scenario-map.js" in str(field.widget.media)
