"""Assignment and Grade Services and Deep Linking against the test LMS: a learner
launched from the LMS completes the module in Signaal (over HTTP, as in a browser) and
the LMS's line item records the score once; when the LMS is down the grade waits and is
sent later, still once. A course designer deep-links modules; the LMS verifies our
signed response and its content items launch the modules."""

import datetime
import re

import pytest
from django.utils import timezone

from courses.models import Enrolment
from lti.grades import send, send_due
from lti.keys import signing_key
from lti.models import GradeStatus, GradeSubmission

from .conftest import Browser
from .platform import form_fields
from .test_launch import launch_claims

pytestmark = pytest.mark.django_db(transaction=True)


def csrf(browser: Browser) -> str:
    return browser.http.cookies["csrftoken"]


def complete_module_over_http(browser: Browser, tool_url: str, module) -> None:
    """Start the module and mark each lesson done, as the learner does in the iframe."""
    browser.http.get(tool_url + module.url)
    started = browser.http.post(tool_url + module.url, data={"csrfmiddlewaretoken": csrf(browser)})
    assert started.status_code == 200
    for lesson in module.get_children().live().specific().order_by("path"):
        page = browser.http.get(tool_url + lesson.url)
        assert page.status_code == 200
        done = browser.http.post(
            tool_url + lesson.url,
            data={"action": "complete", "csrfmiddlewaretoken": csrf(browser)},
        )
        assert done.status_code == 200, done.text[:500]


def test_completion_sends_the_grade_to_the_launch_line_item_once(
    browser, lms, tool_url, registered, module
):
    assert browser.launch(launch_claims(lms, tool_url, module)).status_code == 302
    complete_module_over_http(browser, tool_url, module)

    enrolment = Enrolment.objects.get(module=module)
    assert enrolment.completed_at is not None
    assert len(lms.scores) == 1
    score = lms.scores[0]
    assert score["lineitem"] == 1
    assert score["userId"] == "moodle-user-17"
    assert score["activityProgress"] == "Completed"
    assert score["gradingProgress"] == "FullyGraded"
    assert score["scoreGiven"] == 1 and score["scoreMaximum"] == 1
    submission = GradeSubmission.objects.get()
    assert submission.status == GradeStatus.SENT and submission.attempts == 1

    # Whoever picks the row up again (the worker twice, the scheduled command) sends nothing.
    assert send(submission.pk) == GradeStatus.SENT
    assert send_due(now=timezone.now() + datetime.timedelta(days=1)) == 0
    # Launching again and passing through the module again: still one grade.
    assert browser.launch(launch_claims(lms, tool_url, module)).status_code == 302
    browser.http.post(tool_url + module.url, data={"csrfmiddlewaretoken": csrf(browser)})
    assert len(lms.scores) == 1
    assert GradeSubmission.objects.count() == 1


def test_a_grade_waits_while_the_lms_is_down_and_is_sent_later_once(
    browser, lms, tool_url, registered, module
):
    lms.down = 2
    assert browser.launch(launch_claims(lms, tool_url, module)).status_code == 302
    complete_module_over_http(browser, tool_url, module)

    submission = GradeSubmission.objects.get()
    assert submission.status == GradeStatus.PENDING
    assert submission.attempts == 1
    assert "503" in submission.last_error
    assert submission.next_attempt_at > timezone.now()
    assert lms.scores == []

    # Not due yet: nothing happens. Due: the second try fails too, with a longer wait.
    assert send_due() == 0
    first_wait = submission.next_attempt_at
    assert send_due(now=first_wait) == 0
    submission.refresh_from_db()
    assert submission.attempts == 2
    assert submission.next_attempt_at - timezone.now() > datetime.timedelta(minutes=1)

    assert send_due(now=submission.next_attempt_at) == 1
    assert send_due(now=submission.next_attempt_at + datetime.timedelta(hours=1)) == 0
    assert len(lms.scores) == 1
    submission.refresh_from_db()
    assert submission.status == GradeStatus.SENT and submission.attempts == 3


def test_without_a_line_item_no_grade_is_kept(browser, lms, tool_url, registered, module):
    claims = launch_claims(lms, tool_url, module, lineitem=None)
    assert browser.launch(claims).status_code == 302
    complete_module_over_http(browser, tool_url, module)
    assert not GradeSubmission.objects.exists()
    assert lms.token_requests == 0


def test_deep_linking_returns_signed_resource_links_that_launch_the_modules(
    browser, lms, tool_url, registered, module, catalogue
):
    from tests.courses.conftest import make_module

    other = make_module(catalogue, "Risicotaxatie met de politie", lessons=1)
    claims = lms.deep_linking_claims(sub="designer-1", target_link_uri=f"{tool_url}/lti/launch/")
    chooser = browser.launch(claims)

    assert chooser.status_code == 200
    assert module.title in chooser.text and other.title in chooser.text
    assert 'class="signaal-card"' in chooser.text  # the catalogue's cards
    action, fields = form_fields(chooser.text, containing="token")
    assert action == "/lti/deep-link/"
    answer = browser.http.post(
        tool_url + action, data={"token": fields["token"], "module": [module.pk, other.pk]}
    )
    assert answer.status_code == 200
    # The form may post to this LMS (CSP form-action), and goes back to its return URL.
    assert f"form-action 'self' {lms.issuer}" in answer.headers["Content-Security-Policy"]
    return_url, returned = form_fields(answer.text, containing="JWT")
    assert return_url == lms.issuer + "/deep_link_return"
    assert browser.http.post(return_url, data=returned).status_code == 200

    response = lms.deep_link_returns[0]
    lti = "https://purl.imsglobal.org/spec/lti/claim/"
    assert response[lti + "message_type"] == "LtiDeepLinkingResponse"
    assert response[lti + "deployment_id"] == lms.deployment_id
    assert response["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "opaque-platform-data"
    items = response["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert {item["title"] for item in items} == {module.title, other.title}
    assert all(item["type"] == "ltiResourceLink" for item in items)
    assert all(item["url"] == tool_url + "/lti/launch/" for item in items)

    # The LMS launches the chosen item: its custom parameter names the module.
    item = next(i for i in items if i["title"] == other.title)
    learner = Browser(tool_url, lms)
    launch = lms.resource_link_claims(
        sub="learner-9", target_link_uri=item["url"], custom=item["custom"]
    )
    answer = learner.launch(launch)
    assert answer.status_code == 302 and answer.headers["Location"] == other.url


def test_a_tampered_chooser_token_is_refused(browser, lms, tool_url, registered, module):
    claims = lms.deep_linking_claims(sub="designer-1", target_link_uri=f"{tool_url}/lti/launch/")
    chooser = browser.launch(claims)
    _, fields = form_fields(chooser.text, containing="token")
    answer = browser.http.post(
        tool_url + "/lti/deep-link/",
        data={"token": fields["token"][:-2] + "xx", "module": [module.pk]},
    )
    assert answer.status_code == 400
    assert "verlopen" in answer.text
    assert not re.search(r'name="JWT"', answer.text)
    assert signing_key()  # the key exists; nothing was signed with it for this request
