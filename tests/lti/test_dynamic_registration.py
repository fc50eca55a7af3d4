"""The issue's 'done when' end to end: the test LMS registers Signaal by dynamic
registration with a link made for one organisation, a course designer deep-links a
module, a learner launched from the LMS completes it over HTTP and the LMS records the
grade once; the completion counts for the organisation's member."""

import pytest

from lti.dynamic_registration import registration_link
from lti.models import Platform
from organisations.models import Membership
from tests.organisations.factories import OrganisationFactory, RoleFactory

from .conftest import Browser, assert_an_lms_dialog
from .platform import form_fields
from .test_grades_and_deep_linking import complete_module_over_http

pytestmark = pytest.mark.django_db(transaction=True)


def test_dynamic_registration_then_deep_link_launch_completion_and_grade(
    browser, lms, tool_url, module
):
    organisation, role = OrganisationFactory(), RoleFactory()
    link = registration_link(organisation=organisation, role=role, base_url=tool_url)
    params = {
        "openid_configuration": lms.issuer + "/.well-known/openid-configuration",
        "registration_token": lms.registration_token,
    }

    # The LMS opens the link in its dialog: only that LMS may frame the page.
    page = browser.http.get(link, params=params)
    assert page.status_code == 200
    assert f"frame-ancestors {lms.issuer}" in page.headers["Content-Security-Policy"]
    assert organisation.name in page.text
    assert_an_lms_dialog(page.text)
    assert not Platform.objects.exists()
    _, fields = form_fields(page.text, containing="openid_configuration")
    done = browser.http.post(link, data=fields)

    assert done.status_code == 200, done.text
    assert "data-lti-registered" in done.text and "registration-done.js" in done.text
    sent = lms.registrations[0]
    assert sent["initiate_login_uri"] == tool_url + "/lti/login/"
    assert sent["redirect_uris"] == [tool_url + "/lti/launch/"]
    assert sent["jwks_uri"] == tool_url + "/lti/jwks.json"
    assert sent["token_endpoint_auth_method"] == "private_key_jwt"
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in sent["scope"]
    platform = Platform.objects.get()
    assert (platform.issuer, platform.client_id) == (lms.issuer, lms.client_id)
    assert platform.deployment_id_list() == ["dynamic-deployment-1"]
    assert platform.organisation == organisation and platform.member_role == role

    # The same link does not register a second LMS.
    again = browser.http.post(link, data=fields)
    assert again.status_code == 400
    assert Platform.objects.count() == 1

    # A course designer deep-links the module.
    designer = lms.deep_linking_claims(sub="designer-1", target_link_uri=tool_url + "/lti/launch/")
    chooser = browser.launch(designer)
    assert_an_lms_dialog(chooser.text)
    action, chosen = form_fields(chooser.text, containing="token")
    answer = browser.http.post(tool_url + action, data={**chosen, "module": [module.pk]})
    return_url, returned = form_fields(answer.text, containing="JWT")
    browser.http.post(return_url, data=returned)
    (item,) = lms.deep_link_returns[0]["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]

    # A learner launches it, completes the module, and the LMS gets the grade once.
    learner = Browser(tool_url, lms)
    claims = lms.resource_link_claims(
        sub="learner-5", target_link_uri=item["url"], custom=item["custom"], email=""
    )
    launched = learner.launch(claims)
    assert launched.status_code == 302 and launched.headers["Location"] == module.url
    complete_module_over_http(learner, tool_url, module)

    assert len(lms.scores) == 1 and lms.scores[0]["userId"] == "learner-5"
    member = Membership.objects.get(organisation=organisation)
    assert member.user.enrolments.get(module=module).completed_at is not None


def test_a_registration_link_that_was_tampered_with_registers_nothing(browser, lms, tool_url):
    link = registration_link(
        organisation=OrganisationFactory(), role=RoleFactory(), base_url=tool_url
    )
    page = browser.http.get(
        link[:-3] + "xx/",
        params={"openid_configuration": lms.issuer + "/.well-known/openid-configuration"},
    )
    assert page.status_code == 400
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert not Platform.objects.exists()
