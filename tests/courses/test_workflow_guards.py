"""Workflow guards (issue 21.4): a quiz or lesson never goes live under a module that is not
live, also not through the review workflow (submit, then a reviewer approves)."""

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from wagtail.models import TaskState, WorkflowState

from courses import services
from courses.workflow import ApprovalRefused
from tests.auth import sign_in_with_mfa
from tests.courses.conftest import add_lesson, make_module
from tests.factories import UserFactory
from tests.quizzes.conftest import make_quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(catalogue):
    services.ensure_review_workflow(catalogue=catalogue)
    author = UserFactory(full_name="Rena Redacteur")
    author.groups.add(Group.objects.get(name="Editors"))
    reviewer = UserFactory(full_name="Ine Inhoudsdeskundige")
    reviewer.groups.add(Group.objects.get(name=services.REVIEWERS_GROUP))
    return {"author": author, "reviewer": reviewer}


def draft_module_with_submitted_quiz(catalogue, author):
    module = make_module(catalogue, "Stalking", lessons=1)
    module.unpublish()
    quiz = make_quiz(module, publish=False)
    state = quiz.get_workflow().start(quiz, author)
    return module, quiz, state


def test_approving_a_quiz_under_a_draft_module_is_refused(catalogue, people):
    module, quiz, state = draft_module_with_submitted_quiz(catalogue, people["author"])
    task_state = state.current_task_state
    with pytest.raises(ApprovalRefused, match="Stalking"):
        task_state.task.specific.on_action(task_state, people["reviewer"], "approve")
    quiz.refresh_from_db()
    assert not quiz.live
    # Rolled back: still waiting for the reviewer, nothing approved.
    assert TaskState.objects.get(pk=task_state.pk).status == TaskState.STATUS_IN_PROGRESS
    assert WorkflowState.objects.get(pk=state.pk).status == WorkflowState.STATUS_IN_PROGRESS

    module.save_revision().publish()  # once the module is live, the approval goes through
    task_state = WorkflowState.objects.get(pk=state.pk).current_task_state
    task_state.task.specific.on_action(task_state, people["reviewer"], "approve")
    quiz.refresh_from_db()
    assert quiz.live


def test_the_reviewer_sees_why_from_the_dashboard_approve_button(client, catalogue, people):
    _module, quiz, state = draft_module_with_submitted_quiz(catalogue, people["author"])
    sign_in_with_mfa(client, people["reviewer"])
    url = f"/beheer/pages/workflow/action/{quiz.pk}/approve/{state.current_task_state.pk}/"

    response = client.post(url, {"next": "/beheer/"})
    assert response.status_code == 302
    assert response["Location"] == f"/beheer/pages/{quiz.pk}/edit/"
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "kan nog niet worden goedgekeurd" in message and "Stalking" in message
    quiz.refresh_from_db()
    assert not quiz.live

    # 'Approve with comment' posts from a dialog that expects JSON.
    response = client.post(
        url, {"comment": "Prima"}, headers={"x-requested-with": "XMLHttpRequest"}
    )
    assert response.status_code == 200
    assert response.json() == {"step": "success", "redirect": f"/beheer/pages/{quiz.pk}/edit/"}
    quiz.refresh_from_db()
    assert not quiz.live

    # The editor warns the reviewer before they click.
    content = client.get(f"/beheer/pages/{quiz.pk}/edit/").content.decode()
    assert "kan nog niet worden goedgekeurd" in content


def test_a_lesson_under_a_draft_module_is_refused_too(catalogue, people):
    module = make_module(catalogue, "Meldcode", lessons=1)
    module.unpublish()
    lesson = add_lesson(module, "Nieuwe les", publish=False)
    lesson.save_revision(user=people["author"])
    state = lesson.get_workflow().start(lesson, people["author"])
    task_state = state.current_task_state
    with pytest.raises(ApprovalRefused):
        task_state.task.specific.on_action(task_state, people["reviewer"], "approve")
    lesson.refresh_from_db()
    assert not lesson.live


def test_a_module_itself_is_approved_as_before(catalogue, people):
    module = make_module(catalogue, "Meldcode", lessons=1)
    module.unpublish()
    module.save_revision(user=people["author"])
    state = module.get_workflow().start(module, people["author"])
    task_state = state.current_task_state
    task_state.task.specific.on_action(task_state, people["reviewer"], "approve")
    module.refresh_from_db()
    assert module.live


def test_adding_a_lesson_whose_address_an_abandoned_draft_holds_names_that_draft(client, catalogue):
    """The editor saves a new page as a draft while the author types; an abandoned 'new
    lesson' then holds the address. Adding the lesson again says so on every tab."""
    from wagtail.test.utils.form_data import (
        inline_formset,
        nested_form_data,
        rich_text,
        streamfield,
    )

    module = make_module(catalogue, "Meldcode", lessons=1)
    abandoned = add_lesson(module, "Nieuwe les", publish=False)
    sign_in_with_mfa(client, UserFactory(is_superuser=True))
    data = nested_form_data(
        {
            "title": "Nieuwe les",
            "slug": "nieuwe-les",
            "summary": "",
            "content_note": "",
            "body": streamfield([("text", rich_text("<p>Tekst.</p>"))]),
            "sources": streamfield([]),
            "comments": inline_formset([]),
        }
    )
    response = client.post(f"/beheer/pages/add/courses/lessonpage/{module.pk}/", data)
    assert response.status_code == 200
    content = response.content.decode()
    # The message at the top (shown on whichever tab is open) names the draft and its editor.
    top = content[: content.index("data-edit-form")] if "data-edit-form" in content else content
    assert "Nieuwe les" in top and "nooit gepubliceerd" in top
    assert f"/beheer/pages/{abandoned.pk}/edit/" in top
    # The slug field links to it.
    assert f'<a href="/beheer/pages/{abandoned.pk}/edit/">' in content
