"""Real identity providers for the sign-in tests, started as subprocesses: an OpenID
Connect provider (npm oidc-provider, tests/identity/oidc_provider.mjs) and a SAML 2.0 IdP
(pysaml2, tests/identity/saml_idp.py, signing with Debian's xmlsec1). Without node, the npm
package, pysaml2 or xmlsec1 the tests are skipped locally; CI sets SIGNAAL_REQUIRE_IDP=1
and fails instead."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
OIDC_SCRIPT = Path(__file__).with_name("oidc_provider.mjs")
OIDC_PACKAGE = ROOT / "node_modules" / "oidc-provider"

CLIENT_ID = "signaal"
CLIENT_SECRET = "a-client-secret-for-the-tests-only"
WRONG_AUDIENCE_CLIENT_ID = "signaal-misconfigured"
# allauth's provider ids (IdentityProvider.key) the IdP knows our callbacks for.
KEYS = ("zorgwest", "zorgwest-wrong", "zorgoost")

# The people the IdP knows, by login name (any password goes on its development login page).
ACCOUNTS = {
    "anna": {
        "email": "anna@zorgwest.test",
        "email_verified": True,
        "name": "Anna de Vries",
        "signaal_role": "aandachtsfunctionaris",
    },
    "bram": {"email": "bram@zorgwest.test", "email_verified": True, "name": "Bram Jansen"},
    "carla": {"email": "carla@zorgwest.test", "email_verified": False, "name": "Carla Smit"},
    # Asserts an address of another organisation's domain.
    "dirk": {"email": "dirk@zorgoost.test", "email_verified": True, "name": "Dirk Bos"},
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


SAML_SCRIPT = Path(__file__).with_name("saml_idp.py")
SAML_KEY = "zorgoost"
SAML_PEOPLE = {
    "eva": {
        "uid": ["eva"],
        # LDAP names, sent as their OIDs (urn:oid:0.9.2342.19200300.100.1.3, ...).
        "mail": ["eva@zorgoost.test"],
        "email_verified": ["true"],
        "displayName": ["Eva Mulder"],
        "signaal_role": ["aandachtsfunctionaris"],
    },
    # Sends no email_verified attribute: never linked.
    "frits": {"uid": ["frits"], "mail": ["frits@zorgoost.test"], "displayName": ["Frits Kok"]},
}


def saml_missing_reason() -> str | None:
    if shutil.which("xmlsec1") is None:
        return "Debian's xmlsec1 is not installed (apt-get install xmlsec1)"
    try:
        import onelogin.saml2  # noqa: F401
        import saml2  # noqa: F401
    except ImportError as error:
        return f"{error.name} is not installed (pip install -e '.[dev]')"
    return None


def _key_and_certificate(folder: Path) -> tuple[Path, Path]:
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test IdP")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = folder / "idp.key", folder / "idp.crt"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_file, cert_file


@dataclass
class SamlIdp:
    base: str
    process: subprocess.Popen
    log: Path

    @property
    def metadata_url(self) -> str:
        return f"{self.base}/metadata"


def start_saml(base_urls: list[str], folder: Path) -> SamlIdp:
    import sys

    port = free_port()
    key_file, cert_file = _key_and_certificate(folder)
    config = {
        "port": port,
        "key_file": str(key_file),
        "cert_file": str(cert_file),
        "service_providers": [
            {
                # allauth's default SP entity id is its metadata URL.
                "entity_id": f"{base}/account/saml/{SAML_KEY}/metadata/",
                "acs": f"{base}/account/saml/{SAML_KEY}/acs/",
            }
            for base in base_urls
        ],
        "people": SAML_PEOPLE,
    }
    log = folder / "saml-idp.log"
    env = {**os.environ, "SAML_TEST_CONFIG": json.dumps(config)}
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, str(SAML_SCRIPT)], cwd=ROOT, env=env, stdout=out, stderr=out
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"SAML IdP exited: {log.read_text()}")
        try:
            if requests.get(f"{base}/metadata", timeout=1).ok:
                return SamlIdp(base=base, process=process, log=log)
        except requests.RequestException:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"SAML IdP did not start: {log.read_text()}")


def missing_reason() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed (apt-get install nodejs)"
    if not OIDC_PACKAGE.exists():
        return "the npm package oidc-provider is not installed (npm ci)"
    return None


def skip_or_fail(reason: str) -> None:
    if os.environ.get("SIGNAAL_REQUIRE_IDP"):
        pytest.fail(f"Identity provider tests required but {reason}.")
    pytest.skip(f"identity provider tests: {reason}")


@dataclass
class OidcIdp:
    issuer: str
    process: subprocess.Popen
    log: Path
    callbacks: list[str] = field(default_factory=list)


def start_oidc(base_urls: list[str], log_dir: Path) -> OidcIdp:
    port = free_port()
    redirect_uris = [
        f"{base}/account/oidc/{key}/login/callback/" for base in base_urls for key in KEYS
    ]
    config = {
        "port": port,
        "clients": [
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": redirect_uris,
            },
            {
                "client_id": WRONG_AUDIENCE_CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": redirect_uris,
            },
        ],
        "accounts": ACCOUNTS,
        "wrong_audience_clients": [WRONG_AUDIENCE_CLIENT_ID],
    }
    log = log_dir / "oidc-provider.log"
    env = {**os.environ, "OIDC_TEST_CONFIG": json.dumps(config), "NODE_ENV": "test"}
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603
            ["node", str(OIDC_SCRIPT)], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    issuer = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"oidc-provider exited: {log.read_text()}")
        try:
            if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1).ok:
                return OidcIdp(issuer=issuer, process=process, log=log, callbacks=redirect_uris)
        except requests.RequestException:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"oidc-provider did not start: {log.read_text()}")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()


def through_idp(start_url: str, login: str, *, until: str) -> str:
    """Play the person at the IdP (its development login page, as a browser would post it):
    from the authorisation URL to the redirect back to `until` (our host); returns that
    URL (with the code and state)."""
    session = requests.Session()
    url, data = start_url, None
    for _ in range(10):
        response = (
            session.post(url, data=data, allow_redirects=False, timeout=5)
            if data
            else session.get(url, allow_redirects=False, timeout=5)
        )
        data = None
        if response.is_redirect:
            url = requests.compat.urljoin(url, response.headers["Location"])
            if url.startswith(until):
                return url
            continue
        assert response.status_code == 200, response.text
        assert 'name="login"' in response.text, response.text
        data = {"prompt": "login", "login": login, "password": "any"}
    raise AssertionError("the IdP did not send the person back")


def start_at_idp(client, email: str) -> str:
    """Post the address to 'sign in with your organisation'; the IdP's URL its answer moves
    on to (by refresh, or its link)."""
    response = client.post("/account/organisatie/", {"email": email})
    assert response.status_code == 200, response.content.decode()
    match = re.search(r'href="([^"]+)" data-identity-provider-url', response.content.decode())
    url = html.unescape(match.group(1))
    assert f'content="0;url={html.escape(url)}"' in response.content.decode()
    return url


def oidc_sign_in(client, email: str, login: str):
    """Sign in with 'sign in with your organisation' through the real IdP, with Django's
    test client on our side; returns our callback's response."""
    back = through_idp(start_at_idp(client, email), login, until="http://testserver/")
    return client.get(back.removeprefix("http://testserver"))


def _form(text: str) -> tuple[str, dict]:
    """The action and the fields of the (first) form in an HTML page."""
    action = html.unescape(re.search(r'<form[^>]*action="([^"]*)"', text).group(1))
    fields = {
        html.unescape(name): html.unescape(value)
        for name, value in re.findall(
            r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', text, flags=re.S
        )
    }
    return action, fields


def saml_sign_in(client, email: str, login: str):
    """'Sign in with your organisation' through the real SAML IdP: its login form, then its
    signed answer posted to our ACS (as the browser would), then on to allauth's finish."""
    client.defaults["HTTP_HOST"] = "testserver"  # python3-saml reads it; browsers send it
    start = start_at_idp(client, email)
    session = requests.Session()
    login_page = session.get(start, timeout=5)
    assert login_page.status_code == 200, login_page.text
    action, fields = _form(login_page.text)
    answer = session.post(
        requests.compat.urljoin(start, action),
        data={**fields, "login": login, "password": "any"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    acs, fields = _form(answer.text)
    assert acs.startswith("http://testserver/"), acs
    response = client.post(acs.removeprefix("http://testserver"), fields)
    while response.status_code == 302 and "/account/saml/" in response["Location"]:
        response = client.get(response["Location"])
    return response
