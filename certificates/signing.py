"""Documents other than credentials signed by the platform as a compact JWS, with the same
keys as the Open Badges credentials (certificates.keys), so anyone can check them against
the published keys (/certificaten/open-badges/sleutels.json). Organisations signs its
compliance statements with these (issue 20.11)."""

import jwt
from django.urls import reverse

from . import keys


def sign_document(claims: dict, *, typ: str, base_url: str) -> str:
    """`claims` as a compact JWS signed with the platform's signing key; the header names
    the document type and where the public key is (`kid`, a URL)."""
    kid = keys.key_id()
    return jwt.encode(
        claims,
        keys.signing_key(),
        algorithm=keys.algorithm(),
        headers={
            "typ": typ,
            "kid": base_url.rstrip("/") + reverse("open_badges_public_key", args=[kid]),
        },
    )


def verify_document(token: str, *, typ: str) -> dict | None:
    """The claims of a JWS this platform signed as `typ` with one of its published keys;
    None when the signature, the key or the type does not match."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        return None
    if header.get("typ") != typ:
        return None
    kid = str(header.get("kid", "")).rstrip("/").rsplit("/", 1)[-1].removesuffix(".json")
    configured = keys.configured()
    for key in (configured.rsa, configured.ed25519):
        if key is None or keys.key_id(key) != kid:
            continue
        algorithm = "EdDSA" if key is configured.ed25519 else "RS256"
        try:
            return jwt.decode(token, key.public_key(), algorithms=[algorithm])
        except jwt.PyJWTError:
            return None
    return None
