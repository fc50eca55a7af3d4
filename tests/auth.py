"""Signing in test clients as allauth does, and real authenticators for test accounts."""

import base64
import hashlib
import hmac
import struct
import time

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP

from tests.factories import TEST_PASSWORD

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code(secret: str, at: float | None = None) -> str:
    """RFC 6238 code, computed independently of allauth so the tests check real TOTP."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def give_totp(user, secret: str = TOTP_SECRET) -> None:
    """An authenticator app and recovery codes on the account, as after enrolment."""
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)


def recovery_codes(user) -> list[str]:
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    return authenticator.wrap().get_unused_codes()


def log_in_with_code(client, user, secret: str = TOTP_SECRET):
    """Password, then a TOTP code, through allauth's pages."""
    response = client.post("/account/login/", {"login": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302, response
    assert response["Location"] == "/account/2fa/authenticate/"
    # The next window's code: never the one an earlier step of the test may have used.
    response = client.post(
        "/account/2fa/authenticate/", {"code": totp_code(secret, time.time() + 30)}
    )
    assert response.status_code == 302
    return response


def sign_in_with_mfa(client, user) -> None:
    """Log the client in as allauth does after a password and an authenticator code: the
    admin and the coordinator area ask for a recent 'mfa' step in the session."""
    client.force_login(user)
    session = client.session
    now = time.time()
    session["account_authentication_methods"] = [
        {"method": "password", "at": now, "email": user.email},
        {"method": "mfa", "at": now, "type": "totp"},
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
