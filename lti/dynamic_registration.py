"""1EdTech LTI Dynamic Registration 1.0: the LMS administrator pastes one link; the LMS
opens it with `openid_configuration` (and a `registration_token`); Signaal reads the
platform's configuration, registers itself at the platform's registration endpoint and
stores the platform with the client id (and deployment) it got back.

The link is made by a Signaal administrator for one organisation (`manage.py
lti_registration_link`): signed, valid for a week, and good for one platform, so nobody
can register an LMS into an organisation without it."""

import secrets

import requests
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse

from organisations.models import Organisation, Role

from .models import Platform, origin_of
from .services import SCORE_SCOPE

LINK_SALT = "lti.dynamic_registration"
LINK_SECONDS = 7 * 24 * 60 * 60
TIMEOUT_SECONDS = 10
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    SCORE_SCOPE,
]


class RegistrationError(Exception):
    """The registration could not be done; the message says why (for the LMS admin)."""


def registration_link(*, organisation: Organisation, role: Role, base_url: str) -> str:
    token = signing.dumps(
        {"organisation": organisation.pk, "role": role.pk, "link": secrets.token_hex(16)},
        salt=LINK_SALT,
    )
    return base_url.rstrip("/") + reverse("lti:register", args=[token])


def read_link(token: str) -> dict | None:
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=LINK_SECONDS)
    except signing.BadSignature:
        return None
    if Platform.objects.filter(registration_link_id=data["link"]).exists():
        return None  # used already
    return data


def platform_configuration(url: str) -> dict:
    if not origin_of(url):
        raise RegistrationError("openid_configuration is not an http(s) URL.")
    try:
        answer = requests.get(url, timeout=TIMEOUT_SECONDS)
        answer.raise_for_status()
        config = answer.json()
    except (requests.RequestException, ValueError) as error:
        raise RegistrationError(f"Could not read the platform's configuration: {error}") from error
    needed = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
    missing = [name for name in (*needed, "registration_endpoint") if not config.get(name)]
    if missing or PLATFORM_CONFIGURATION not in config:
        raise RegistrationError("The platform's configuration lacks: " + ", ".join(missing))
    # The configuration must come from the issuer's own host (LTI DR §3.5.1).
    if origin_of(config["issuer"]) != origin_of(url):
        raise RegistrationError("The configuration's issuer is not on its own host.")
    return config


def tool_configuration(*, base_url: str, name: str) -> dict:
    launch = base_url + reverse("lti:launch")
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": base_url + reverse("lti:login"),
        "redirect_uris": [launch],
        "client_name": name,
        "jwks_uri": base_url + reverse("lti:jwks"),
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(SCOPES),
        TOOL_CONFIGURATION: {
            "domain": base_url.split("://", 1)[1],
            "target_link_uri": launch,
            "claims": ["iss", "sub", "name", "given_name", "family_name", "email"],
            "messages": [
                {"type": "LtiResourceLinkRequest", "target_link_uri": launch},
                {"type": "LtiDeepLinkingRequest", "target_link_uri": launch},
            ],
        },
    }


def register(
    *, link: dict, openid_configuration: str, registration_token: str, base_url: str
) -> Platform:
    config = platform_configuration(openid_configuration)
    headers = {"Authorization": f"Bearer {registration_token}"} if registration_token else {}
    body = tool_configuration(base_url=base_url, name="Signaal")
    try:
        answer = requests.post(
            config["registration_endpoint"], json=body, headers=headers, timeout=TIMEOUT_SECONDS
        )
        answer.raise_for_status()
        registered = answer.json()
    except (requests.RequestException, ValueError) as error:
        raise RegistrationError(f"The platform refused the registration: {error}") from error
    client_id = str(registered.get("client_id") or "")
    deployment_id = str((registered.get(TOOL_CONFIGURATION) or {}).get("deployment_id") or "")
    if not client_id:
        raise RegistrationError("The platform gave no client id.")
    product = config[PLATFORM_CONFIGURATION].get("product_family_code", "LMS")
    try:
        with transaction.atomic():
            return Platform.objects.create(
                name=f"{product} ({origin_of(config['issuer'])})"[:200],
                organisation=Organisation.objects.get(pk=link["organisation"]),
                member_role=Role.objects.get(pk=link["role"]),
                issuer=config["issuer"],
                client_id=client_id,
                auth_login_url=config["authorization_endpoint"],
                auth_token_url=config["token_endpoint"],
                auth_audience=config.get("authorization_server", "") or "",
                jwks_url=config["jwks_uri"],
                deployment_ids=deployment_id,
                registration_link_id=link["link"],
            )
    except IntegrityError as error:
        raise RegistrationError("This LMS or this link is registered already.") from error
