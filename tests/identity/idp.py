"""Real identity providers for the sign-in tests, started as subprocesses: an OpenID
Connect provider (npm oidc-provider, tests/identity/oidc_provider.mjs). Without node or the
npm package the tests are skipped locally; CI sets SIGNAAL_REQUIRE_IDP=1 and fails instead."""

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
