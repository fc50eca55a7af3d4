"""Open Badges 3.0 credentials for certificates, signed as VC-JWT (EdDSA, Ed25519), and the
W3C Bitstring Status List that publishes revocations without asking about one person."""

import base64
import gzip
from datetime import datetime

import jwt
from django.urls import reverse

from . import keys
from .models import Certificate

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
STATUS_LIST_BITS = 131_072  # 16 KiB, the minimum size the specification asks for


def absolute(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + path


def status_position(certificate: Certificate) -> tuple[int, int]:
    """(list number, index in that list) for a certificate."""
    return certificate.pk // STATUS_LIST_BITS + 1, certificate.pk % STATUS_LIST_BITS


def issuer_profile(base_url: str) -> dict:
    return {
        "id": absolute(base_url, reverse("open_badges_issuer")),
        "type": ["Profile"],
        "name": "Signaal",
        "url": absolute(base_url, "/"),
    }


def credential(certificate: Certificate, *, base_url: str) -> dict:
    list_number, index = status_position(certificate)
    status_list = absolute(base_url, reverse("open_badges_status_list", args=[list_number]))
    module_url = absolute(base_url, certificate.module.url) if certificate.module else base_url
    return {
        "@context": CONTEXTS,
        "id": absolute(base_url, reverse("certificate_verify", args=[certificate.code])),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": issuer_profile(base_url),
        "validFrom": certificate.issued_at.isoformat(timespec="seconds"),
        "validUntil": f"{certificate.expires_on.isoformat()}T23:59:59Z",
        "name": certificate.module_title,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            # The holder's name only: no email address or account id leaves the platform.
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": certificate.holder_name,
                }
            ],
            "achievement": {
                "id": f"{module_url}#versie-{certificate.module_version}",
                "type": ["Achievement"],
                "name": f"{certificate.module_title} (versie {certificate.module_version})",
                "description": certificate.module_title,
                "criteria": {
                    "narrative": "Alle lessen van de module gelezen en de scenariotoets gehaald."
                },
            },
        },
        "credentialStatus": {
            "id": f"{status_list}#{index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(index),
            "statusListCredential": status_list,
        },
    }


def sign(payload_credential: dict, *, base_url: str) -> str:
    """VC-JWT as Open Badges 3.0 describes it: the credential in the `vc` claim, with
    iss, jti, nbf and exp taken from it."""
    claims = {
        "iss": payload_credential["issuer"]["id"],
        "jti": payload_credential["id"],
        "nbf": int(datetime.fromisoformat(payload_credential["validFrom"]).timestamp()),
        "exp": int(datetime.fromisoformat(payload_credential["validUntil"]).timestamp()),
        "vc": payload_credential,
    }
    return jwt.encode(
        claims,
        keys.signing_key(),
        algorithm="EdDSA",
        headers={
            "typ": "JWT",
            "kid": absolute(base_url, reverse("open_badges_key")) + f"#{keys.key_id()}",
        },
    )


def encoded_status_list(revoked_indexes: set[int]) -> str:
    """GZIP-compressed bitstring, base64url without padding, first index = left-most bit."""
    bits = bytearray(STATUS_LIST_BITS // 8)
    for index in revoked_indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    return base64.urlsafe_b64encode(gzip.compress(bytes(bits))).rstrip(b"=").decode()


def status_list_credential(list_number: int, revoked_indexes: set[int], *, base_url: str) -> dict:
    url = absolute(base_url, reverse("open_badges_status_list", args=[list_number]))
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_profile(base_url),
        "validFrom": "2026-01-01T00:00:00Z",
        "validUntil": "2100-01-01T00:00:00Z",
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": "u" + encoded_status_list(revoked_indexes),
        },
    }
