import pytest
import requests

from lti.models import Platform
from tests.courses.conftest import catalogue, make_module  # noqa: F401 (fixture)
from tests.organisations.factories import OrganisationFactory, RoleFactory

from .platform import TestPlatform, form_fields, new_login_hint


@pytest.fixture
def tool_url(live_server) -> str:
    # 127.0.0.1, not localhost: on localhost Signaal's LTI cookies are Secure (browsers
    # accept that there), and this HTTP client would not send them back over http.
    return live_server.url.replace("//localhost:", "//127.0.0.1:")


@pytest.fixture
def module(catalogue):  # noqa: F811
    return make_module(catalogue, "Signalen herkennen in de zorg", lessons=2)


def register(lms: TestPlatform, tool_url: str, **fields) -> Platform:
    """The LMS registered with Signaal, as an administrator does in the admin."""
    lms.tool_jwks_url = tool_url + "/lti/jwks.json"
    lms.redirect_uris = [tool_url + "/lti/launch/"]
    return Platform.objects.create(
        name="Moodle van Zorggroep Oost",
        organisation=fields.pop("organisation", None) or OrganisationFactory(),
        member_role=RoleFactory(),
        issuer=lms.issuer,
        client_id=lms.client_id,
        auth_login_url=lms.auth_login_url,
        auth_token_url=lms.token_url,
        jwks_url=lms.jwks_url,
        deployment_ids=f"other-deployment\n{lms.deployment_id}",
        **fields,
    )


@pytest.fixture
def registered(lms, tool_url, module) -> Platform:
    return register(lms, tool_url)


class Browser:
    """A browser as far as HTTP goes (cookies, redirects, form posts), for full launches
    between the test LMS and Signaal's live server."""

    def __init__(self, tool_url: str, lms: TestPlatform):
        self.http = requests.Session()
        self.tool_url = tool_url
        self.lms = lms

    def start_login(self, claims: dict) -> requests.Response:
        """The LMS sends the person to the tool's login initiation; the tool's answer (a
        redirect to the LMS's authentication endpoint)."""
        hint = new_login_hint()
        self.lms.launches[hint] = claims
        target = claims["https://purl.imsglobal.org/spec/lti/claim/target_link_uri"]
        return self.http.get(
            self.tool_url + "/lti/login/",
            params=self.lms.login_initiation_params(hint, target),
            allow_redirects=False,
        )

    def launch(self, claims: dict) -> requests.Response:
        """Login initiation, authentication at the LMS, the launch's form post."""
        answer = self.start_login(claims)
        assert answer.status_code == 302, answer.text
        page = self.http.get(answer.headers["Location"])
        assert page.status_code == 200, page.text
        action, fields = form_fields(page.text)
        return self.http.post(action, data=fields, allow_redirects=False)


@pytest.fixture
def browser(tool_url, lms) -> Browser:
    return Browser(tool_url, lms)


def assert_an_lms_dialog(page: str) -> None:
    """A page shown in the LMS's dialog or frame leads nowhere else on Signaal (no site
    menu), but keeps the help line and the quick exit."""
    for away in ('href="/modules/"', 'href="/account/login/"', 'href="/account/signup/"'):
        assert away not in page, away
    assert "data-quick-exit" in page and "0800-2000" in page
