"""A test LTI 1.3 platform (an LMS) as the 1EdTech LTI 1.3 Core and Advantage
specifications describe it, served over HTTP on the loopback address:

- its own RSA key and JWKS (GET /jwks),
- the OIDC authentication endpoint (GET /auth): checks the tool's authentication request
  (client id, redirect URI, login hint, state, nonce) and answers with the form post of a
  signed id_token and the state to the redirect URI, as an LMS's page does;
- the token endpoint (POST /token): client_credentials with a JWT client assertion, which
  it verifies against the tool's published JWKS;
- an Assignment and Grade Services line item (POST /lineitems/<id>/scores) that records
  the scores it accepts, and can be told to be down (503);
- a deep-linking return URL (POST /deep_link_return) that verifies and records the tool's
  LtiDeepLinkingResponse;
- Names and Role Provisioning: a course's member list, in pages (tests/lti/nrps.py).

Nothing here uses Signaal's code: it only speaks HTTP and JWT to it."""

import html
import json
import re
import secrets
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from . import nrps

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
]
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


def new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(key, kid: str) -> dict:
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    return {**jwk, "kid": kid, "alg": "RS256", "use": "sig"}


def form_fields(page: str, containing: str = "") -> tuple[str, dict]:
    """The action and hidden fields of the first form on an HTML page (with a field of
    that name, when given)."""
    for match in re.finditer(r"<form[^>]*>.*?</form>", page, re.S):
        form = match.group(0)
        if containing and f'name="{containing}"' not in form:
            continue
        action = html.unescape(re.search(r'<form[^>]*action="([^"]*)"', form).group(1))
        fields = {
            html.unescape(name): html.unescape(value)
            for name, value in re.findall(
                r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form
            )
        }
        return action, fields
    raise AssertionError("no such form on the page")


class TestPlatform:
    __test__ = False  # not a test class for pytest

    def __init__(self, *, client_id: str = "signaal-tool", deployment_id: str = "deployment-1"):
        self.key = new_key()
        self.kid = "platform-key-1"
        self.client_id = client_id
        self.deployment_id = deployment_id
        self.tool_jwks_url = ""  # set once the tool's address is known
        self.redirect_uris: list[str] = []
        self.scores: list[dict] = []
        self.deep_link_returns: list[dict] = []
        self.tokens: set[str] = set()
        self.token_scopes: dict[str, str] = {}  # token -> the scopes it was issued for
        self.rosters = nrps.Rosters()
        self.token_requests = 0
        self.down = 0  # answer this many score posts with 503
        self.launches: dict[str, dict] = {}  # login_hint -> claims to launch with
        self.registration_token = "registration-token-" + secrets.token_hex(4)
        self.registrations: list[dict] = []
        self.pages: dict[str, str] = {}  # path -> HTML (a course page that frames the tool)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # -- addresses ------------------------------------------------------------------------
    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def auth_login_url(self) -> str:
        return self.issuer + "/auth"

    @property
    def token_url(self) -> str:
        return self.issuer + "/token"

    @property
    def jwks_url(self) -> str:
        return self.issuer + "/jwks"

    def lineitem_url(self, number: int = 1) -> str:
        return f"{self.issuer}/lineitems/{number}"

    def start(self) -> "TestPlatform":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- messages -------------------------------------------------------------------------
    def resource_link_claims(
        self,
        *,
        sub: str,
        target_link_uri: str,
        resource_link_id: str = "resource-1",
        email: str = "",
        name: str = "Lotte de Vries",
        custom: dict | None = None,
        lineitem: int | None = 1,
    ) -> dict:
        """The message claims of an LtiResourceLinkRequest (Core §5.3, AGS §3.1)."""
        claims = {
            "sub": sub,
            "name": name,
            LTI + "message_type": "LtiResourceLinkRequest",
            LTI + "version": "1.3.0",
            LTI + "deployment_id": self.deployment_id,
            LTI + "target_link_uri": target_link_uri,
            LTI + "resource_link": {"id": resource_link_id, "title": "Signaal-module"},
            LTI + "roles": [LEARNER],
            LTI + "context": {"id": "course-7", "title": "Verplichte scholing 2026"},
            LTI + "custom": custom or {},
        }
        if email:
            claims["email"] = email
        if lineitem is not None:
            claims[AGS] = {
                "scope": SCOPES,
                "lineitem": self.lineitem_url(lineitem),
                "lineitems": self.issuer + "/lineitems",
            }
        return claims

    def deep_linking_claims(self, *, sub: str, target_link_uri: str) -> dict:
        return {
            "sub": sub,
            LTI + "message_type": "LtiDeepLinkingRequest",
            LTI + "version": "1.3.0",
            LTI + "deployment_id": self.deployment_id,
            LTI + "target_link_uri": target_link_uri,
            LTI + "roles": [INSTRUCTOR],
            DL + "deep_linking_settings": {
                "deep_link_return_url": self.issuer + "/deep_link_return",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "accept_multiple": True,
                "data": "opaque-platform-data",
            },
        }

    def id_token(self, claims: dict, *, nonce: str, key=None, kid: str | None = None, **extra):
        """A signed id_token: the message claims plus iss, aud, azp, exp, iat, nonce."""
        now = int(time.time())
        payload = {
            "iss": self.issuer,
            "aud": self.client_id,
            "azp": self.client_id,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            **claims,
            **extra,
        }
        return jwt.encode(
            payload, key or self.key, algorithm="RS256", headers={"kid": kid or self.kid}
        )

    def openid_configuration(self) -> dict:
        """The platform's configuration (LTI Dynamic Registration §3.4)."""
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.auth_login_url,
            "token_endpoint": self.token_url,
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "jwks_uri": self.jwks_url,
            "registration_endpoint": self.issuer + "/register",
            "scopes_supported": ["openid"] + SCOPES,
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "claims_supported": ["sub", "iss", "name", "email"],
            "https://purl.imsglobal.org/spec/lti-platform-configuration": {
                "product_family_code": "test-lms",
                "version": "1.0",
                "messages_supported": [
                    {"type": "LtiResourceLinkRequest"},
                    {"type": "LtiDeepLinkingRequest"},
                ],
            },
        }

    def login_initiation_params(self, login_hint: str, target_link_uri: str) -> dict:
        """What the LMS sends to the tool's OIDC login initiation URL (Core §5.1.1)."""
        return {
            "iss": self.issuer,
            "login_hint": login_hint,
            "target_link_uri": target_link_uri,
            "lti_message_hint": "hint-" + login_hint,
            "client_id": self.client_id,
            "lti_deployment_id": self.deployment_id,
        }

    # -- HTTP -----------------------------------------------------------------------------
    def _handler(self):
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _send(self, status: int, body: str, content_type="application/json", headers=None):
                data = body.encode()
                self.send_response(status)
                headers = {"Content-Type": content_type, **(headers or {})}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _form(self) -> dict:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
                return raw

            def do_GET(self):
                parts = urlsplit(self.path)
                if parts.path == "/jwks":
                    keys = [public_jwk(platform.key, platform.kid)]
                    return self._send(200, json.dumps({"keys": keys}))
                if parts.path == "/auth":
                    return self._auth(parse_qs(parts.query))
                if parts.path in platform.pages:
                    kind = "text/javascript" if parts.path.endswith(".js") else "text/html"
                    return self._send(200, platform.pages[parts.path], kind)
                if parts.path == "/.well-known/openid-configuration":
                    return self._send(200, json.dumps(platform.openid_configuration()))
                if re.fullmatch(nrps.PATH.format(context="[^/]+"), parts.path):
                    status, body, headers = nrps.answer(
                        platform, parts.path, parts.query, self.headers
                    )
                    return self._send(status, body, headers=headers)
                return self._send(404, "{}")

            def _auth(self, query):
                param = {name: values[0] for name, values in query.items()}
                problems = []
                if param.get("client_id") != platform.client_id:
                    problems.append("client_id")
                if param.get("redirect_uri") not in platform.redirect_uris:
                    problems.append("redirect_uri")
                for name, wanted in (
                    ("scope", "openid"),
                    ("response_type", "id_token"),
                    ("response_mode", "form_post"),
                    ("prompt", "none"),
                ):
                    if param.get(name) != wanted:
                        problems.append(name)
                hint = param.get("login_hint", "")
                if hint not in platform.launches or not param.get("nonce"):
                    problems.append("login_hint")
                if param.get("lti_message_hint") != "hint-" + hint:
                    problems.append("lti_message_hint")
                if problems:
                    return self._send(
                        400, json.dumps({"error": "invalid_request", "bad": problems})
                    )
                token = platform.id_token(platform.launches[hint], nonce=param["nonce"])
                page = (
                    f'<form method="post" action="{html.escape(param["redirect_uri"])}">'
                    f'<input type="hidden" name="id_token" value="{token}">'
                    f'<input type="hidden" name="state" value="{html.escape(param["state"])}">'
                    "</form><script>document.forms[0].submit()</script>"
                )
                return self._send(200, page, "text/html")

            def do_POST(self):
                path = urlsplit(self.path).path
                if path == "/token":
                    return self._token(parse_qs(self._form()))
                match = re.fullmatch(r"/lineitems/(\d+)/scores", path)
                if match:
                    return self._score(int(match.group(1)))
                if path == "/register":
                    return self._register()
                if path == "/deep_link_return":
                    return self._deep_link_return(parse_qs(self._form()))
                return self._send(404, "{}")

            def _tool_key(self, token: str):
                return jwt.PyJWKClient(platform.tool_jwks_url).get_signing_key_from_jwt(token).key

            def _token(self, form):
                platform.token_requests += 1
                param = {name: values[0] for name, values in form.items()}
                if param.get("grant_type") != "client_credentials" or param.get(
                    "client_assertion_type"
                ) != ("urn:ietf:params:oauth:client-assertion-type:jwt-bearer"):
                    return self._send(400, json.dumps({"error": "unsupported_grant_type"}))
                assertion = param.get("client_assertion", "")
                try:
                    claims = jwt.decode(
                        assertion,
                        self._tool_key(assertion),
                        algorithms=["RS256"],
                        audience=platform.token_url,
                        options={"require": ["exp", "iat", "jti"]},
                    )
                except jwt.PyJWTError as error:
                    return self._send(
                        401, json.dumps({"error": "invalid_client", "why": str(error)})
                    )
                if claims["iss"] != platform.client_id or claims["sub"] != platform.client_id:
                    return self._send(401, json.dumps({"error": "invalid_client"}))
                token = secrets.token_urlsafe(16)
                platform.tokens.add(token)
                platform.token_scopes[token] = param.get("scope", "")
                body = {
                    "access_token": token,
                    "token_type": "Bearer",
                    "expires_in": 3600,
                    "scope": param.get("scope", ""),
                }
                return self._send(200, json.dumps(body))

            def _score(self, lineitem: int):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if platform.down > 0:
                    platform.down -= 1
                    return self._send(503, json.dumps({"error": "down for maintenance"}))
                authorization = self.headers.get("Authorization", "")
                if authorization.removeprefix("Bearer ") not in platform.tokens:
                    return self._send(401, json.dumps({"error": "invalid_token"}))
                if self.headers.get("Content-Type") != "application/vnd.ims.lis.v1.score+json":
                    return self._send(415, "{}")
                platform.scores.append({"lineitem": lineitem, **json.loads(raw)})
                return self._send(200, "{}")

            def _register(self):
                """LTI Dynamic Registration §3.5.2: the tool's client registration."""
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                expected = "Bearer " + platform.registration_token
                if self.headers.get("Authorization") != expected:
                    return self._send(401, json.dumps({"error": "invalid_token"}))
                tool = body.get("https://purl.imsglobal.org/spec/lti-tool-configuration") or {}
                if not body.get("initiate_login_uri") or not body.get("jwks_uri") or not tool:
                    return self._send(400, json.dumps({"error": "invalid_client_metadata"}))
                platform.registrations.append(body)
                platform.client_id = "dynamic-client-" + str(len(platform.registrations))
                platform.deployment_id = "dynamic-deployment-1"
                platform.redirect_uris = body["redirect_uris"]
                platform.tool_jwks_url = body["jwks_uri"]
                answer = {
                    **body,
                    "client_id": platform.client_id,
                    "https://purl.imsglobal.org/spec/lti-tool-configuration": {
                        **tool,
                        "deployment_id": platform.deployment_id,
                    },
                }
                return self._send(200, json.dumps(answer))

            def _deep_link_return(self, form):
                token = (form.get("JWT") or [""])[0]
                try:
                    claims = jwt.decode(
                        token,
                        self._tool_key(token),
                        algorithms=["RS256"],
                        audience=platform.issuer,
                        options={"require": ["exp", "iat", "nonce"]},
                    )
                except jwt.PyJWTError as error:
                    return self._send(400, json.dumps({"error": str(error)}))
                if claims["iss"] != platform.client_id:
                    return self._send(400, json.dumps({"error": "iss"}))
                platform.deep_link_returns.append(claims)
                return self._send(200, "<p>Toegevoegd.</p>", "text/html")

        return Handler


def new_login_hint() -> str:
    return "user-" + uuid.uuid4().hex[:8]


def login_url(base: str, params: dict) -> str:
    return base + "?" + urlencode(params)
