"""The admin home's panel for authors and reviewers (issue 21.5): my drafts, waiting for my
review, modules due for review, quizzes with problems; in a bounded number of queries."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses import services
from tests.auth import sign_in_with_mfa
from tests.courses import conftest as course_fixtures
from tests.courses.conftest import make_module
from tests.factories import UserFactory
from tests.quizzes.conftest import make_quiz, quiz_data

pytestmark = pytest.mark.django_db
catalogue = course_fixtures.catalogue


@pytest.fixture
def people(catalogue):
    services.ensure_review_workflow(catalogue=catalogue)
    author = UserFactory(full_name="Rena Redacteur")
    author.groups.add(Group.objects.get(name="Editors"))
    reviewer = UserFactory(full_name="Ine Inhoudsdeskundige")
    reviewer.groups.add(Group.objects.get(name=services.REVIEWERS_GROUP))
    return {"author": author, "reviewer": reviewer}


def broken_quiz(module, author, title):
    data = quiz_data(title=title, slug=title.lower().replace(" ", "-"))
    data["steps"][0]["choices"][0]["next"] = "nergens"  # a choice leading nowhere
    quiz = make_quiz(module, data, publish=False)
    quiz.save_revision(user=author)
    return quiz


def home(client) -> str:
    response = client.get("/beheer/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_panel_shows_each_person_their_own_work(client, catalogue, people):
    today = datetime.date.today()
    due = make_module(catalogue, "Stalking", lessons=1, next_review=today + datetime.timedelta(20))
    make_module(catalogue, "Later", lessons=1, next_review=today + datetime.timedelta(400))
    draft_module = make_module(catalogue, "Meldcode", lessons=1)
    draft_module.unpublish()
    draft_module.title = "Meldcode herzien"
    draft_module.save_revision(user=people["author"])
    broken_quiz(due, people["author"], "Kapotte toets")
    waiting = make_quiz(draft_module, quiz_data(title="Wachtende toets"), publish=False)
    waiting.save_revision(user=people["author"])
    waiting.get_workflow().start(waiting, people["author"])

    sign_in_with_mfa(client, people["author"])
    content = home(client)
    assert "Jouw werk aan de modules" in content
    assert "Meldcode herzien" in content and "Kapotte toets" in content  # my drafts
    assert "Stalking" in content and "Later" not in content  # due within 90 days
    assert "nergens" in content  # the publication check's problem, naming the target
    assert "Niets wacht op je beoordeling." in content

    client.logout()
    sign_in_with_mfa(client, people["reviewer"])
    content = home(client)
    assert "Wachtende toets" in content and "Rena Redacteur" in content
    assert "kan nog niet worden goedgekeurd" in content.lower() or "nog niet live" in content
    assert "Je hebt geen wijzigingen" in content  # the reviewer drafted nothing


def test_the_panel_is_not_shown_to_people_without_page_rights(client, catalogue):
    user = UserFactory()
    user.groups.add(Group.objects.get_or_create(name="Alleen beheer")[0])
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    sign_in_with_mfa(client, user)
    assert "signaal-author" not in home(client)


def test_the_panel_takes_as_many_queries_for_many_drafts_as_for_few(rf, catalogue, people):
    from cms.admin_home import AuthorPanel

    request = rf.get("/beheer/")
    request.user = people["author"]

    def panel_queries() -> list[str]:
        AuthorPanel(request).get_context_data({})  # each revision is checked once
        with CaptureQueriesContext(connection) as queries:
            context = AuthorPanel(request).get_context_data({})
        return [query["sql"] for query in queries.captured_queries], context

    modules = [make_module(catalogue, f"Module {n}", lessons=1) for n in range(12)]
    broken_quiz(modules[0], people["author"], "Toets 0")
    few, _context = panel_queries()
    for number, module in enumerate(modules[1:], start=1):
        broken_quiz(module, people["author"], f"Toets {number}")
    many, context = panel_queries()
    assert len(context["quizzes"]) == 10 and len(context["drafts"]) == 10  # the lists' limit
    assert len(many) == len(few), "\n".join(many)
