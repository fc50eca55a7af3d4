"""OIDC login initiation and the validation of a launch's id_token (LTI 1.3 Core §5,
1EdTech Security Framework §5.1).

pylti1p3 does the work (registration, the platform's JWKS, deployment, message claims);
we add what it leaves to the session: the state and nonce live in the database
(`LoginState`) and are used once, so a launch does not depend on a session cookie that a
browser may not send to the LMS's iframe; the audience is checked against the client id
and the clock skew is bounded."""

import datetime
import secrets
from urllib.parse import urlencode

import jwt
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pylti1p3.contrib.django import DjangoMessageLaunch
from pylti1p3.exception import LtiException

from .models import LoginState, Platform, origin_of
from .tool_conf import PlatformToolConf, registration_for

# How far the platform's clock may differ from ours (exp, iat, nbf).
CLOCK_SKEW_SECONDS = 60
# How long a login may take between initiation and launch.
LOGIN_SECONDS = 10 * 60
STATE_COOKIE_PREFIX = "lti_state_"
DEPLOYMENT_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"

MESSAGES = {
    "unknown_platform": _("This LMS is not registered with Signaal (issuer or client id)."),
    "bad_request": _("The launch is incomplete: the LMS sent no id_token or state."),
    "state": _("This launch is unknown or has expired. Start it again from your LMS."),
    "replayed": _("This launch was already used. Start it again from your LMS."),
    "nonce": _("The launch's nonce does not match its login. Start it again from your LMS."),
    "audience": _("The launch was meant for another tool (audience is not our client id)."),
    "expired": _("The launch has expired or is not valid yet (check the LMS's clock)."),
    "signature": _("The launch's signature is not valid for this LMS's keys."),
    "deployment": _("This deployment of Signaal is not registered for this LMS."),
    "message": _("The launch message is not a valid LTI 1.3 message."),
    "no_cookies": _("Your browser blocks cookies inside the LMS."),
    "target": _("The launch points to a page outside Signaal."),
    "module": _("This launch does not point to a module that is online."),
    "inactive": _("The Signaal account linked to you is switched off."),
    "scorm": _(
        "This SCORM package no longer opens Signaal (revoked, or its number of learners is "
        "reached). Ask your LMS administrator."
    ),
}


class LaunchRefused(Exception):
    def __init__(self, reason: str, status: int = 403):
        super().__init__(reason)
        self.reason = reason
        self.status = status

    @property
    def message(self) -> str:
        return str(MESSAGES[self.reason])


def find_platform(issuer: str, client_id: str | None) -> Platform:
    platforms = Platform.objects.filter(issuer=issuer, is_active=True)
    if client_id:
        platforms = platforms.filter(client_id=client_id)
    found = list(platforms[:2])
    if len(found) != 1:  # none, or several without a client id to choose
        raise LaunchRefused("unknown_platform", status=400)
    return found[0]


def start_login(*, params, launch_url: str) -> tuple[str, str]:
    """Check a login initiation (GET or POST parameters) and record its state and nonce.
    Returns the platform's authentication URL to redirect to, and the state."""
    issuer = params.get("iss", "")
    if not issuer or not params.get("login_hint"):
        raise LaunchRefused("bad_request", status=400)
    platform = find_platform(issuer, params.get("client_id"))
    target = params.get("target_link_uri", "")
    if target and origin_of(target) != origin_of(launch_url):
        raise LaunchRefused("target", status=400)
    state = "state-" + secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    kept = {
        key: params[key]
        for key in (
            "iss",
            "login_hint",
            "target_link_uri",
            "lti_message_hint",
            "client_id",
            "lti_deployment_id",
        )
        if params.get(key)
    }
    LoginState.objects.create(platform=platform, state=state, nonce=nonce, login_params=kept)
    query = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": platform.client_id,
        "redirect_uri": launch_url,
        "login_hint": params["login_hint"],
        "state": state,
        "nonce": nonce,
    }
    if params.get("lti_message_hint"):
        query["lti_message_hint"] = params["lti_message_hint"]
    separator = "&" if "?" in platform.auth_login_url else "?"
    return platform.auth_login_url + separator + urlencode(query), state


def purge_login_states() -> int:
    cutoff = timezone.now() - datetime.timedelta(seconds=LOGIN_SECONDS)
    deleted, _ = LoginState.objects.filter(Q(created_at__lt=cutoff)).delete()
    return deleted


class SignaalMessageLaunch(DjangoMessageLaunch):
    """pylti1p3's launch with the state and nonce in the database, used once."""

    login_state: LoginState | None = None

    def __init__(self, request):
        super().__init__(request, PlatformToolConf())
        self._django_request = request

    def validate_state(self):
        state = self._get_request_param("state")
        if not state or not self._get_request_param("id_token"):
            raise LaunchRefused("bad_request", status=400)
        cutoff = timezone.now() - datetime.timedelta(seconds=LOGIN_SECONDS)
        login_state = LoginState.objects.filter(state=state, created_at__gte=cutoff).first()
        if login_state is None:
            raise LaunchRefused("state")
        if login_state.used_at is not None:
            raise LaunchRefused("replayed")
        # The state must come back in the browser that started the login (login CSRF).
        # A browser that kept no cookie in the LMS's iframe gets the new-window page.
        cookie = self._django_request.COOKIES.get(STATE_COOKIE_PREFIX + state[-16:])
        if cookie is None:
            self.login_state = login_state
            raise LaunchRefused("no_cookies", status=200)
        if not secrets.compare_digest(cookie, state):
            raise LaunchRefused("state")
        self.login_state = login_state
        return self

    def validate_nonce(self):
        nonce = self._get_jwt_body().get("nonce") or ""
        login_state = self.login_state
        if not secrets.compare_digest(str(nonce), login_state.nonce):
            raise LaunchRefused("nonce")
        used = LoginState.objects.filter(pk=login_state.pk, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        if used != 1:  # a second request with the same state got here first
            raise LaunchRefused("replayed")
        return self

    def validate_registration(self):
        # The token must come from the platform the login was for, addressed to us.
        platform = self.login_state.platform
        body = self._get_jwt_body()
        if body.get("iss") != platform.issuer or not platform.is_active:
            raise LaunchRefused("unknown_platform")
        audience = body.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if platform.client_id not in audiences:
            raise LaunchRefused("audience")
        self._registration = registration_for(platform)
        return self

    def validate_jwt_signature(self):
        try:
            public_key, algorithm = self.get_public_key()
        except LtiException as error:
            raise LaunchRefused("signature") from error
        try:
            jwt.decode(
                self._get_id_token(),
                public_key,
                algorithms=[algorithm],
                audience=self._registration.get_client_id(),
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["exp", "iat", "aud", "iss", "sub"]},
            )
        except jwt.InvalidAudienceError as error:
            raise LaunchRefused("audience") from error
        except (jwt.ExpiredSignatureError, jwt.ImmatureSignatureError) as error:
            raise LaunchRefused("expired") from error
        except jwt.InvalidTokenError as error:
            raise LaunchRefused("signature") from error
        # With several audiences the platform names us as the authorised party (Core §5.1.3).
        body = self._get_jwt_body()
        several = isinstance(body.get("aud"), list) and len(body["aud"]) > 1
        if several and body.get("azp") != self._registration.get_client_id():
            raise LaunchRefused("audience")
        return self

    def validate_deployment(self):
        deployment_id = self._get_jwt_body().get(DEPLOYMENT_CLAIM)
        if not deployment_id or deployment_id not in self.login_state.platform.deployment_id_list():
            raise LaunchRefused("deployment")
        return self

    def validate_message(self):
        try:
            return super().validate_message()
        except LtiException as error:
            raise LaunchRefused("message", status=400) from error

    def save_launch_data(self):
        # Nothing in the session: what a launch leaves is in ResourceLaunch and LtiIdentity.
        return self

    def validated(self) -> dict:
        try:
            self.validate()
        except LtiException as error:  # the JWT's format
            raise LaunchRefused("message", status=400) from error
        return dict(self._get_jwt_body())

    def platform(self) -> Platform:
        return self.login_state.platform
