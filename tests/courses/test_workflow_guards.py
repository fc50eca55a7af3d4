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


def test_approving_a_quiz_that_cannot_be_played_says_why_instead_of_failing(
    client, catalogue, people
):
    module = make_module(catalogue, "Stalking", lessons=1)  # live
    quiz = make_quiz(module, publish=False)
    quiz = type(quiz).objects.get(pk=quiz.pk)
    del quiz.steps[len(quiz.steps) - 1]  # the last step, which others lead to
    quiz.save_revision(user=people["author"])
    state = quiz.get_workflow().start(quiz, people["author"])
    sign_in_with_mfa(client, people["reviewer"])
    url = f"/beheer/pages/workflow/action/{quiz.pk}/approve/{state.current_task_state.pk}/"

    response = client.post(url, {"next": "/beheer/"})
    assert response.status_code == 302
    assert response["Location"] == f"/beheer/pages/{quiz.pk}/edit/"
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "kan niet worden goedgekeurd" in message
    quiz.refresh_from_db()
    assert not quiz.live
    assert WorkflowState.objects.get(pk=state.pk).status == WorkflowState.STATUS_IN_PROGRESS


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


def test_a_new_lesson_in_a_live_module_follows_the_authors_answer(catalogue, people):
    """'Substantive change?' for a new lesson (issue 21.4): no keeps the version, yes
    starts a new one (with the update requirement when asked), whether the lesson is
    published directly or approved by a reviewer; the answer is cleared afterwards."""
    from courses.models import LessonPage, ModuleChange

    module = make_module(catalogue, "Meldcode", lessons=1)
    assert list(module.versions.values_list("number", flat=True)) == [1]

    addition = add_lesson(module, "Aanvulling", publish=False)
    addition.module_change = ModuleChange.ADDITION
    addition.save_revision().publish()
    [version] = module.versions.all()
    assert addition.pk in version.lesson_ids

    update = add_lesson(module, "Nieuwe wet", publish=False)
    update.module_change = ModuleChange.UPDATE_REQUIRED
    update.save_revision(user=people["author"])
    state = update.get_workflow().start(update, people["author"])
    state.current_task_state.task.specific.on_action(
        state.current_task_state, people["reviewer"], "approve"
    )
    latest = module.versions.order_by("-number").first()
    assert latest.number == 2 and latest.update_required and latest.update_due_on
    assert update.pk in latest.lesson_ids and update.pk not in version.lesson_ids
    assert "Nieuwe wet" in latest.note
    update = LessonPage.objects.get(pk=update.pk)
    assert update.module_change == "" and update.latest_revision.content["module_change"] == ""


def test_publishing_a_new_lesson_into_a_live_module_asks_whether_it_is_substantive(
    client, catalogue
):
    from wagtail.test.utils.form_data import (
        inline_formset,
        nested_form_data,
        rich_text,
        streamfield,
    )

    module = make_module(catalogue, "Meldcode", lessons=1)
    sign_in_with_mfa(client, UserFactory(is_superuser=True))
    url = f"/beheer/pages/add/courses/lessonpage/{module.pk}/"
    fields = {
        "title": "Nieuwe les",
        "slug": "nieuwe-les",
        "summary": "",
        "content_note": "",
        "body": streamfield([("text", rich_text("<p>Tekst.</p>"))]),
        "sources": streamfield([]),
        "comments": inline_formset([]),
    }
    content = client.get(url).content.decode()
    assert "Is het toevoegen van deze les een inhoudelijke wijziging?" in content

    response = client.post(url, nested_form_data({**fields, "action-publish": "publish"}))
    assert response.status_code == 200
    assert "Zeg of het toevoegen ervan een inhoudelijke wijziging is" in response.content.decode()
    assert not module.get_children().filter(slug="nieuwe-les", live=True).exists()

    answered = {**fields, "module_change": "new_version", "action-publish": "publish"}
    response = client.post(url, nested_form_data(answered))
    assert response.status_code == 302
    assert module.versions.order_by("-number").first().number == 2

    module.unpublish()  # not asked in a draft module
    content = client.get(url).content.decode()
    assert "inhoudelijke wijziging?" not in content
