"""The platform's keys for signing Open Badges credentials, and their public JWKs.

Open Badges 3.0 requires verifiers to support RS256 (the 'alg' of the JOSE header, section
8.2.3 of the specification), so credentials are signed with an RSA key. The Ed25519 key
that signed credentials before stays published, so credentials issued with it keep
verifying. SIGNAAL_SIGNING_KEY (or the file SIGNAAL_SIGNING_KEY_FILE) holds one or more
private keys in PEM, one after the other: an RSA key (2048 bits or more) and/or an Ed25519
key. A deployment that has configured only its Ed25519 key keeps signing with it (EdDSA)
until an RSA key is added; the system check certificates.W002 says so.
"""

import base64
import functools
import hashlib
import re
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, generate_private_key
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

RSA_MINIMUM_BITS = 2048
_PEM_BLOCK = re.compile(r"-----BEGIN ([A-Z ]+)-----.+?-----END \1-----", re.S)


@dataclass(frozen=True)
class Keys:
    rsa: RSAPrivateKey | None
    ed25519: Ed25519PrivateKey | None


def _pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _parse(pem: str) -> Keys:
    rsa = ed25519 = None
    for block in _PEM_BLOCK.finditer(pem):
        key = serialization.load_pem_private_key(block.group(0).encode(), password=None)
        if isinstance(key, RSAPrivateKey) and rsa is None:
            if key.key_size < RSA_MINIMUM_BITS:
                raise ImproperlyConfigured(
                    f"SIGNAAL_SIGNING_KEY: the RSA key must have {RSA_MINIMUM_BITS} bits or more."
                )
            rsa = key
        elif isinstance(key, Ed25519PrivateKey) and ed25519 is None:
            ed25519 = key
        else:
            raise ImproperlyConfigured(
                "SIGNAAL_SIGNING_KEY holds an RSA and/or an Ed25519 private key, one of each."
            )
    return Keys(rsa=rsa, ed25519=ed25519)


@functools.cache
def configured() -> Keys:
    pem = settings.SIGNAAL_SIGNING_KEY
    path = settings.SIGNAAL_SIGNING_KEY_FILE
    from_file = not pem
    if from_file and path.exists():
        pem = path.read_text()
    keys = _parse(pem or "")
    if keys.rsa or keys.ed25519:
        if keys.rsa or not from_file or not _may_generate():
            return keys
    elif not _may_generate():
        raise ImproperlyConfigured(
            "Set SIGNAAL_SIGNING_KEY (an RSA private key in PEM, optionally followed by the "
            "Ed25519 key that signed earlier credentials) to sign certificates."
        )
    # Debug and tests: generate what the key file lacks (an older file has only Ed25519).
    keys = Keys(
        rsa=keys.rsa or generate_private_key(public_exponent=65537, key_size=RSA_MINIMUM_BITS),
        ed25519=keys.ed25519 or Ed25519PrivateKey.generate(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_pem(keys.rsa) + _pem(keys.ed25519))
    path.chmod(0o600)
    return keys


def _may_generate() -> bool:
    return settings.DEBUG or getattr(settings, "TESTING", False)


def signing_key() -> RSAPrivateKey | Ed25519PrivateKey:
    """The key new credentials are signed with: RSA when there is one."""
    keys = configured()
    return keys.rsa or keys.ed25519


def algorithm() -> str:
    return "RS256" if configured().rsa else "EdDSA"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _public_raw(key) -> bytes:
    public = key.public_key()
    if isinstance(key, Ed25519PrivateKey):
        return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def key_id(key=None) -> str:
    """A short, stable id of a key (the Ed25519 key's id is what it always was)."""
    return hashlib.sha256(_public_raw(key or signing_key())).hexdigest()[:16]


def _jwk(key) -> dict:
    if isinstance(key, Ed25519PrivateKey):
        material = {"kty": "OKP", "crv": "Ed25519", "x": _b64url(_public_raw(key)), "alg": "EdDSA"}
    else:
        numbers = key.public_key().public_numbers()
        material = {
            "kty": "RSA",
            "n": _b64url(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")),
            "e": _b64url(numbers.e.to_bytes((numbers.e.bit_length() + 7) // 8, "big")),
            "alg": "RS256",
        }
    # Public parts only: never "d" or the RSA primes.
    return material | {"use": "sig", "kid": key_id(key)}


def public_jwks() -> list[dict]:
    """Every published key, the signing key first."""
    keys = configured()
    return [_jwk(key) for key in (keys.rsa, keys.ed25519) if key is not None]


def public_jwk(kid: str) -> dict | None:
    return next((jwk for jwk in public_jwks() if jwk["kid"] == kid), None)
