"""Authors: review report, moderation by a second person, scheduled publishing."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import Page, Site

from courses import services
from courses.models import ModulePage
from tests.auth import sign_in_with_mfa
from tests.courses.conftest import make_module
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_review_report_lists_overdue_and_soon_due_modules_only(client, catalogue, settings):
    settings.REVIEW_HORIZON_DAYS = 90
    today = datetime.date.today()
    make_module(catalogue, "Verlopen", next_review=today - datetime.timedelta(days=3))
    make_module(catalogue, "Binnenkort", next_review=today + datetime.timedelta(days=20))
    make_module(catalogue, "Over twee maanden", next_review=today + datetime.timedelta(days=60))
    make_module(catalogue, "Later", next_review=today + datetime.timedelta(days=200))
    draft = make_module(catalogue, "Concept", next_review=today + datetime.timedelta(days=10))
    draft.unpublish()
    sign_in_with_mfa(client, UserFactory(is_superuser=True))

    def listed(query: dict) -> str:
        response = client.get("/beheer/reports/modules-review/", query)
        assert response.status_code == 200
        return response.content.decode()

    content = listed({})  # the setting's 90 days, live or not
    for title in ("Verlopen", "Binnenkort", "Over twee maanden", "Concept"):
        assert title in content, title
    assert "Later" not in content
    assert "verlopen" in content  # the overdue marker
    content = listed({"horizon": "30"})
    assert "Binnenkort" in content and "Over twee maanden" not in content
    assert "Later" in listed({"horizon": "365"})
    assert "Later" not in listed({"horizon": "9999"})  # not a choice: the setting
    content = listed({"live": "true"})
    assert "Binnenkort" in content and "Concept" not in content


def test_review_report_is_for_admin_users_only(client, catalogue):
    client.force_login(UserFactory())
    assert client.get("/beheer/reports/modules-review/").status_code == 302


def test_an_authors_change_goes_live_only_after_a_reviewer_approves(client, catalogue):
    services.ensure_review_workflow(catalogue=catalogue)
    module = make_module(catalogue, "Meldcode")
    author = UserFactory()
    author.groups.add(Group.objects.get(name="Editors"))
    reviewer = UserFactory()
    reviewer.groups.add(Group.objects.get(name=services.REVIEWERS_GROUP))

    module.title = "Meldcode (herzien)"
    revision = module.save_revision(user=author)
    workflow = module.get_workflow()
    assert workflow.name == services.REVIEW_WORKFLOW
    state = workflow.start(module, author)
    module.refresh_from_db()
    assert module.title == "Meldcode"  # still the live version
    assert not module.permissions_for_user(author).can_publish()

    task_state = state.current_task_state
    task_state.task.specific.on_action(task_state, reviewer, "approve")
    module.refresh_from_db()
    assert module.title == "Meldcode (herzien)"
    assert module.live_revision_id == revision.pk


def test_scheduled_publishing_publishes_when_the_time_has_come(catalogue):
    module = make_module(catalogue, "Stalking")
    module.summary = "Nieuwe samenvatting."
    module.go_live_at = timezone.now() - datetime.timedelta(minutes=1)
    module.save_revision().publish()  # with go_live_at in the past it publishes at once
    module.refresh_from_db()
    assert module.summary == "Nieuwe samenvatting."

    module.summary = "Later."
    revision = module.save_revision()
    revision.approved_go_live_at = timezone.now() - datetime.timedelta(seconds=1)
    revision.save()
    call_command("publish_scheduled")
    module.refresh_from_db()
    assert module.summary == "Later."


def test_catalogue_accepts_only_modules_and_modules_only_lessons():
    assert ModulePage.allowed_parent_page_models() == [
        Page.objects.model._meta.apps.get_model("courses", "CourseIndexPage")
    ]


def test_an_editor_previews_a_draft_lesson_without_enrolling(client, catalogue):
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory

    from courses.models import Enrolment
    from tests.courses.conftest import add_lesson

    module = make_module(catalogue, "Meldcode", lessons=1)
    draft = add_lesson(module, "Conceptles", publish=False)
    request = RequestFactory().get("/beheer/")
    request.user = UserFactory(is_superuser=True)
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    for page in (draft, module):
        response = page.make_preview_request(original_request=request)
        assert response.status_code == 200
    assert (
        "Tekst van Conceptles."
        in draft.make_preview_request(original_request=request).rendered_content
    )
    assert not Enrolment.objects.exists()


def test_the_module_and_lesson_editors_open_in_the_admin(client, catalogue):
    from tests.courses.conftest import lessons_of

    module = make_module(catalogue, "Meldcode", lessons=1)
    sign_in_with_mfa(client, UserFactory(is_superuser=True))
    for page in (catalogue, module, lessons_of(module)[0]):
        assert client.get(f"/beheer/pages/{page.pk}/edit/").status_code == 200
    assert client.get(f"/beheer/pages/add/courses/modulepage/{catalogue.pk}/").status_code == 200
    assert client.get(f"/beheer/pages/add/courses/lessonpage/{module.pk}/").status_code == 200
    assert client.get("/beheer/snippets/courses/theme/").status_code == 200
    # The site settings open on the one site's form.
    site = Site.objects.get(is_default_site=True)
    response = client.get("/beheer/settings/cms/safetysettings/")
    assert response.status_code == 302
    assert response["Location"] == f"/beheer/settings/cms/safetysettings/{site.pk}/"
    assert client.get(response["Location"]).status_code == 200


def test_a_lesson_or_quiz_is_not_published_under_a_module_that_is_not_live(catalogue, rf):
    from django.contrib.messages import get_messages
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore
    from wagtail import hooks

    from courses.wagtail_hooks import publish_only_under_a_live_module
    from tests.courses.conftest import add_lesson

    assert publish_only_under_a_live_module in hooks.get_hooks("before_publish_page")
    module = make_module(catalogue, "Meldcode", lessons=1)
    lesson = add_lesson(module, "Nieuwe les", publish=False)

    def publish_attempt():
        request = rf.post(f"/beheer/pages/{lesson.pk}/edit/")
        request.session = SessionStore()
        request._messages = FallbackStorage(request)
        return request, publish_only_under_a_live_module(request, lesson)

    _request, response = publish_attempt()
    assert response is None  # a live module: Wagtail publishes as usual

    module.unpublish()
    request, response = publish_attempt()
    assert response.status_code == 302
    assert response["Location"] == f"/beheer/pages/{lesson.pk}/edit/"
    [message] = [str(message) for message in get_messages(request)]
    assert "niet gepubliceerd" in message and "Meldcode" in message
    assert publish_only_under_a_live_module(request, module) is None  # the module itself
