"""What Signaal records for an organisation's learning record store while a member plays:
which statements, with which verbs, choices, signals and ids; nothing for others; never
a reflection. (Delivery to a real LRS: test_lrs.py.)"""

import json
import uuid

import pytest

from organisations.models import AuditAction, AuditLogEntry
from quizzes import scenario as rules
from tests.factories import UserFactory
from tests.organisations.factories import MembershipFactory, OrganisationFactory
from xapi import statements as build
from xapi.models import LrsConfig, Statement

from .play import REFLECTION, play, write_reflection

pytestmark = pytest.mark.django_db

BASE = "http://127.0.0.1:8000/xapi"
ADL = "http://adlnet.gov/expapi/verbs/"


def by_verb(organisation) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for row in Statement.objects.filter(organisation=organisation):
        found.setdefault(row.verb, []).append(row.payload)
    return found


def test_playing_a_quiz_records_cmi5_verbs_and_choice_level_results(
    client, quiz, module, learner, organisation, export_only
):
    write_reflection(learner, module)
    client.force_login(learner)
    play(client, quiz)

    found = by_verb(organisation)
    assert {verb: len(items) for verb, items in found.items()} == {
        "launched": 1,
        "initialized": 1,
        "answered": 3,
        "passed": 1,
        "terminated": 1,
        "completed": 1,
    }
    for verb, items in found.items():
        for statement in items:
            assert statement["verb"]["id"] == ADL + verb
            assert statement["actor"] == {
                "objectType": "Agent",
                "mbox": "mailto:leerling@example.nl",
            }
            uuid.UUID(statement["id"])

    signalen = next(s for s in found["answered"] if s["object"]["id"].endswith("/step/signalen"))
    assert signalen["object"]["id"] == f"{BASE}/quiz/{quiz.pk}/step/signalen"
    assert signalen["object"]["definition"]["interactionType"] == "choice"
    step = quiz.scenario.step("signalen")
    assert [c["id"] for c in signalen["object"]["definition"]["choices"]] == [
        c.id for c in step.choices
    ]
    result = signalen["result"]
    assert result["response"] == step.choices[0].id
    assert result["extensions"][f"{BASE}/extensions/choices"] == [step.choices[0].id]
    assert result["extensions"][f"{BASE}/extensions/recognised-signals"] == [
        f"{BASE}/signal/poging-tot-verwurging"
    ]
    assert result["extensions"][f"{BASE}/extensions/missed-signals"] == [
        f"{BASE}/signal/dwangmatige-controle"
    ]
    assert result["success"] is False and result["score"]["raw"] == 1
    context = signalen["context"]
    assert context["extensions"][f"{BASE}/extensions/step"] == "signalen"
    assert context["extensions"][f"{BASE}/extensions/scenario-revision"] == (quiz.live_revision_id)
    assert context["contextActivities"]["parent"][0]["id"] == f"{BASE}/quiz/{quiz.pk}"
    assert context["contextActivities"]["grouping"][0]["id"] == f"{BASE}/module/{module.pk}"

    meldcode = next(s for s in found["answered"] if s["object"]["id"].endswith("/meldcode"))
    assert meldcode["object"]["definition"]["interactionType"] == "sequencing"
    assert meldcode["result"]["success"] is True

    passed = found["passed"][0]
    assert passed["object"]["id"] == f"{BASE}/quiz/{quiz.pk}"
    assert passed["result"]["success"] is True
    assert passed["result"]["score"]["raw"] == 6  # 2 + 1 + 3
    assert passed["result"]["score"]["max"] == rules.best_score(quiz.scenario)
    assert found["completed"][0]["object"]["id"] == f"{BASE}/module/{module.pk}"
    assert found["launched"][0]["object"]["id"] == f"{BASE}/module/{module.pk}"
    # One registration for every statement of the attempt.
    registrations = {
        s["context"]["registration"]
        for verb, items in found.items()
        if verb not in ("launched", "completed")
        for s in items
    }
    assert len(registrations) == 1

    everything = json.dumps(list(Statement.objects.values_list("payload", flat=True)))
    assert REFLECTION not in everything
    assert learner.full_name not in everything


def test_a_failed_attempt_says_failed(client, quiz, learner, organisation, export_only):
    from tests.quizzes.conftest import play_to_poor_end

    play_to_poor_end(quiz, learner)
    found = by_verb(organisation)
    assert "failed" in found and "passed" not in found
    assert found["failed"][0]["result"] == {
        "score": {"raw": 0, "min": 0, "max": rules.best_score(quiz.scenario), "scaled": 0.0},
        "success": False,
        "completion": True,
    }


def test_nothing_is_recorded_without_an_enabled_connection_or_membership(
    client, quiz, learner, organisation
):
    LrsConfig.objects.create(organisation=organisation, enabled=False)
    other = OrganisationFactory()
    LrsConfig.objects.create(organisation=other, enabled=True)
    client.force_login(learner)
    play(client, quiz)
    assert not Statement.objects.exists()


def test_each_organisation_gets_its_own_rows_ids_and_actor(client, quiz, learner, organisation):
    second = OrganisationFactory()
    MembershipFactory(user=learner, organisation=second)
    LrsConfig.objects.create(organisation=organisation, enabled=True, actor="pseudonym")
    LrsConfig.objects.create(
        organisation=second,
        enabled=True,
        actor="account",
        account_home_page="https://login.example.nl",
    )
    client.force_login(learner)
    play(client, quiz)

    first_rows = Statement.objects.filter(organisation=organisation)
    second_rows = Statement.objects.filter(organisation=second)
    assert first_rows.count() == second_rows.count() == 7  # lessons not done: no completed
    assert not set(first_rows.values_list("statement_id", flat=True)) & set(
        second_rows.values_list("statement_id", flat=True)
    )
    pseudonym = first_rows.first().payload["actor"]["account"]
    assert pseudonym["homePage"] == "http://127.0.0.1:8000"
    assert len(pseudonym["name"]) == 64 and "leerling" not in pseudonym["name"]
    # Stable per person and organisation: every statement has the same pseudonym.
    assert {row.payload["actor"]["account"]["name"] for row in first_rows} == {pseudonym["name"]}
    assert second_rows.first().payload["actor"]["account"] == {
        "homePage": "https://login.example.nl",
        "name": "leerling@example.nl",
    }


def test_statement_ids_come_from_the_event():
    a = build.statement_id(3, "answered:10")
    assert a == build.statement_id(3, "answered:10")
    assert a != build.statement_id(4, "answered:10")
    assert a != build.statement_id(3, "answered:11")
    assert a.version == 5


def test_pseudonyms_differ_per_organisation_and_person():
    one = build.ActorChoice(mode="pseudonym", pseudonym_key="a" * 64)
    two = build.ActorChoice(mode="pseudonym", pseudonym_key="b" * 64)

    def name(choice, pk):
        return build.actor(choice, user_id=pk, email="x@example.nl")["account"]["name"]

    assert name(one, 1) == name(one, 1)
    assert name(one, 1) != name(one, 2)
    assert name(one, 1) != name(two, 1)


def test_a_recording_failure_never_fails_the_learner(
    client, quiz, learner, export_only, monkeypatch
):
    from xapi import recording

    def broken(*args, **kwargs):
        raise RuntimeError("bug in xapi")

    monkeypatch.setattr(recording, "record_answer", broken)
    client.force_login(learner)
    play(client, quiz)
    from quizzes.models import QuizAttempt

    attempt = QuizAttempt.objects.get(user=learner)
    assert attempt.passed and attempt.answers.count() == 3
    assert not Statement.objects.filter(verb="answered").exists()
    assert Statement.objects.filter(verb="initialized").count() == 1


def test_deleting_the_account_removes_its_statements(client, quiz, learner, export_only):
    from accounts import personal_data

    client.force_login(learner)
    play(client, quiz)
    assert personal_data.export(learner)["xapi"]["statements"]
    personal_data.erase(learner)
    assert not Statement.objects.filter(user=learner).exists()


def test_my_data_says_which_organisation_receives_what(client, learner, organisation, export_only):
    other = OrganisationFactory(name="Politie Eenheid Test")
    LrsConfig.objects.create(organisation=other, enabled=True)  # not the learner's
    client.force_login(learner)
    page = client.get("/mijn-gegevens/").content.decode()
    assert "Veilig Thuis Testregio" in page
    assert "Politie Eenheid Test" not in page
    assert "Wie je gegevens nog meer ontvangt" in page
    assert "Je antwoorden op reflectievragen en je naam worden nooit verstuurd." in page

    someone_else = UserFactory()
    client.force_login(someone_else)
    page = client.get("/mijn-gegevens/").content.decode()
    assert "Veilig Thuis Testregio" not in page


def test_the_export_is_for_the_organisations_coordinators_and_audited(
    client, quiz, learner, organisation, export_only
):
    from django.utils import timezone

    from tests.auth import sign_in_with_mfa

    client.force_login(learner)
    play(client, quiz)
    url = f"/organisaties/{organisation.slug}/leerregistraties/"
    today = timezone.localdate().isoformat()
    period = {"start": today, "end": today}

    # The learner, and a coordinator of another organisation: 404, nothing audited.
    assert client.post(url, period).status_code == 404
    stranger = MembershipFactory(organisation=OrganisationFactory(), is_coordinator=True).user
    client.logout()
    sign_in_with_mfa(client, stranger)
    assert client.post(url, period).status_code == 404
    assert not AuditLogEntry.objects.filter(action=AuditAction.EXPORTED).exists()

    coordinator = MembershipFactory(organisation=organisation, is_coordinator=True).user
    client.logout()
    sign_in_with_mfa(client, coordinator)
    assert client.get(url).status_code == 200
    bad = client.post(url, {"start": today, "end": "2000-01-01"})
    assert bad.status_code == 400
    assert not AuditLogEntry.objects.filter(action=AuditAction.EXPORTED).exists()

    response = client.post(url, period)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/x-ndjson")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert len(lines) == 7
    assert {json.loads(line)["id"] for line in lines} == {
        str(pk) for pk in Statement.objects.values_list("statement_id", flat=True)
    }
    entry = AuditLogEntry.objects.get(action=AuditAction.EXPORTED)
    assert entry.actor == coordinator and entry.organisation == organisation
    assert entry.detail["export"] == "xapi_statements" and entry.detail["statements"] == 7
    assert list(entry.subjects.values_list("user_id", flat=True)) == [learner.pk]


def test_the_evidence_page_links_the_export_only_where_records_are_kept(
    client, learner, organisation
):
    from tests.auth import sign_in_with_mfa

    coordinator = MembershipFactory(organisation=organisation, is_coordinator=True).user
    sign_in_with_mfa(client, coordinator)
    evidence = f"/organisaties/{organisation.slug}/verantwoording/"
    export = f'href="/organisaties/{organisation.slug}/leerregistraties/"'

    assert export not in client.get(evidence).content.decode()
    config = LrsConfig.objects.create(organisation=organisation, enabled=False, actor="mbox")
    assert export not in client.get(evidence).content.decode()
    config.enabled = True
    config.save()
    page = client.get(evidence).content.decode()
    assert export in page
    assert "Leerregistraties (xAPI)" in page
