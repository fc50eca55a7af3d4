"""Signaal's signing keys as an LTI tool: the JWKS it publishes and the key it signs with.

Rotation: `manage.py rotate_lti_keys` adds a new key, which signs from then on; older
active keys stay in the JWKS until they are retired (`--retire-older-than DAYS`), so an
LMS that cached the previous JWKS keeps verifying what was signed before."""

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.db import transaction
from pylti1p3.registration import Registration

from .models import ToolKey


def public_jwk(public_pem: str) -> dict:
    """The public key as a JWK, with the kid pylti1p3 puts in the headers it signs."""
    return dict(Registration.get_jwk(public_pem))


def generate_key() -> ToolKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return ToolKey.objects.create(
        kid=public_jwk(public_pem)["kid"], private_key=private_pem, public_key=public_pem
    )


def signing_key() -> ToolKey:
    """The newest active key; the first one is made when none exists yet."""
    with transaction.atomic():
        key = ToolKey.objects.filter(is_active=True).order_by("-created_at", "-pk").first()
        return key or generate_key()


def jwks() -> dict:
    signing_key()
    return {
        "keys": [
            public_jwk(pem)
            for pem in ToolKey.objects.filter(is_active=True).values_list("public_key", flat=True)
        ]
    }
