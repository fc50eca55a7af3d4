"""Open Badges 3.0 credentials for certificates, and the W3C Bitstring Status List that
publishes revocations without asking about one person.

Followed: the 1EdTech Open Badges 3.0 specification as published in
1EdTech/openbadges-specification (ob_v3p0, section 8.2 'JSON Web Token Proof Format', as
revised December 2024). It secures the VC 2.0 data model with a JWT whose payload IS the
OpenBadgeCredential (no `vc` claim: that was the VC 1.1 style), with the claims `iss`
(issuer.id), `jti` (id), `nbf` (validFrom), `exp` (validUntil) and `sub`
(credentialSubject.id) beside it; its JOSE header has `alg` RS256 (what every verifier must
support), `kid` (a URI that dereferences to the public JWK) and `typ`, which "if present,
MUST be set to 'JWT'". So the credential's header says `typ: JWT` and it is served as
application/jwt, the media type RFC 7519 names for `typ: JWT` (VC-JOSE-COSE's
`vc+jwt` is not allowed in an Open Badges 3.0 header).

The status list credential is not an Open Badges credential but a plain W3C VC 2.0
(Bitstring Status List v1.0), secured as VC-JOSE-COSE says: the credential as payload,
`typ: vc+jwt`, served as application/vc+jwt.
"""

import base64
import gzip
import hashlib
import secrets
import uuid
from datetime import UTC, datetime

import jwt
from django.urls import reverse
from django.utils.html import escape

from . import keys
from .models import STATUS_LIST_BITS, Certificate

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
CREDENTIAL_MEDIA_TYPE = "application/jwt"  # typ "JWT" (RFC 7519 section 5.1)
CREDENTIAL_TYP = "JWT"
STATUS_LIST_MEDIA_TYPE = "application/vc+jwt"  # typ "vc+jwt" (VC-JOSE-COSE section 3.1.1)
STATUS_LIST_TYP = "vc+jwt"
# The AchievementType that fits: a learner completed a training module (its lessons and its
# scenario quiz); 'Certification' is for an authoritative body's attestation, 'Course' for
# a course completion without assessment, 'Certificate' for the requisite knowledge of an
# occupation.
ACHIEVEMENT_TYPE = "CertificateOfCompletion"


def absolute(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + path


def _datetime(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _numeric_date(value: str) -> int:
    return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())


def issuer_profile(base_url: str) -> dict:
    return {
        "id": absolute(base_url, reverse("open_badges_issuer")),
        "type": ["Profile"],
        "name": "Signaal",
        "url": absolute(base_url, "/"),
    }


def image_url(certificate: Certificate, *, base_url: str) -> str:
    if certificate.module_id is None:
        return absolute(base_url, reverse("open_badges_image"))
    return absolute(base_url, reverse("open_badges_module_image", args=[certificate.module_id]))


def verified_email(certificate: Certificate) -> str | None:
    """The holder's primary verified address (allauth): the one an employer may know."""
    from allauth.account.models import EmailAddress

    if certificate.user_id is None:
        return None
    return (
        EmailAddress.objects.filter(user_id=certificate.user_id, verified=True)
        .order_by("-primary", "pk")
        .values_list("email", flat=True)
        .first()
    )


def identity_hash(identifier: str, salt: str) -> str:
    """IdentityHash: 'sha256$' and the SHA-256 of the identifier followed by the salt."""
    return "sha256$" + hashlib.sha256((identifier + salt).encode()).hexdigest()


def recipient_identifiers(certificate: Certificate) -> list[dict]:
    """The holder as Open Badges identifies a recipient: the verified email address, salted
    and hashed (someone who knows the address can check it, nobody can read it), and the
    name as printed on the certificate."""
    identifiers = []
    email = verified_email(certificate)
    if email:
        salt = secrets.token_hex(16)
        identifiers.append(
            {
                "type": "IdentityObject",
                "identityType": "emailAddress",
                "hashed": True,
                "identityHash": identity_hash(email.lower(), salt),
                "salt": salt,
            }
        )
    if not certificate.holder_removed:
        identifiers.append(
            {
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": False,
                "identityHash": certificate.holder_name,
            }
        )
    return identifiers


def criteria_narrative(certificate: Certificate) -> str:
    from courses.models import ModuleVersion

    lessons = ""
    if certificate.module_id:
        version = ModuleVersion.objects.filter(
            module_id=certificate.module_id, number=certificate.module_version
        ).first()
        if version and version.lesson_ids:
            lessons = f" ({len(version.lesson_ids)})"
    return (
        f"De houder heeft alle lessen{lessons} van de e-learningmodule "
        f"'{certificate.module_title}' (versie {certificate.module_version}) op Signaal "
        "doorlopen en afgerond, en de scenariotoets van de module gehaald: de score op of "
        "boven de cesuur van de toets. Het certificaat is geldig tot de einddatum en kan "
        "worden ingetrokken; de actuele status staat op de verificatiepagina."
    )


def credential(certificate: Certificate, *, base_url: str) -> dict:
    certificate.ensure_status_position()
    status_list = absolute(
        base_url, reverse("open_badges_status_list", args=[certificate.status_list])
    )
    module_url = absolute(base_url, certificate.module.url) if certificate.module else base_url
    credential_id = absolute(base_url, reverse("certificate_verify", args=[certificate.code]))
    image = {
        "id": image_url(certificate, base_url=base_url),
        "type": "Image",
        "caption": f"Signaal-badge: {certificate.module_title}",
    }
    return {
        "@context": CONTEXTS,
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": issuer_profile(base_url),
        "validFrom": _datetime(certificate.issued_at),
        "validUntil": f"{certificate.expires_on.isoformat()}T23:59:59Z",
        "name": certificate.module_title,
        "image": image,
        "credentialSubject": {
            # A name for the holder of this one credential (no account id leaves the
            # platform); the JWT's `sub` must equal it.
            "id": uuid.uuid5(uuid.NAMESPACE_URL, credential_id).urn,
            "type": ["AchievementSubject"],
            "identifier": recipient_identifiers(certificate),
            "achievement": {
                "id": f"{module_url}#versie-{certificate.module_version}",
                "type": ["Achievement"],
                "achievementType": ACHIEVEMENT_TYPE,
                "name": f"{certificate.module_title} (versie {certificate.module_version})",
                "description": (
                    f"Certificaat van de e-learningmodule '{certificate.module_title}' "
                    f"op Signaal, versie {certificate.module_version}."
                ),
                "criteria": {"narrative": criteria_narrative(certificate)},
                "image": image,
                "inLanguage": "nl",
                "version": str(certificate.module_version),
            },
        },
        "credentialStatus": {
            "id": f"{status_list}#{certificate.status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(certificate.status_index),
            "statusListCredential": status_list,
        },
    }


def _header(typ: str, *, base_url: str) -> dict:
    kid = keys.key_id()
    return {
        "typ": typ,
        "kid": absolute(base_url, reverse("open_badges_public_key", args=[kid])),
    }


def sign(payload_credential: dict, *, base_url: str) -> str:
    """The OpenBadgeCredential as a Compact JWS (Open Badges 3.0, section 8.2)."""
    claims = payload_credential | {
        "iss": payload_credential["issuer"]["id"],
        "jti": payload_credential["id"],
        "sub": payload_credential["credentialSubject"]["id"],
        "nbf": _numeric_date(payload_credential["validFrom"]),
        "exp": _numeric_date(payload_credential["validUntil"]),
    }
    return jwt.encode(
        claims,
        keys.signing_key(),
        algorithm=keys.algorithm(),
        headers=_header(CREDENTIAL_TYP, base_url=base_url),
    )


def sign_status_list(status_credential: dict, *, base_url: str) -> str:
    """A status list credential secured with VC-JOSE-COSE (the credential is the payload)."""
    return jwt.encode(
        status_credential,
        keys.signing_key(),
        algorithm=keys.algorithm(),
        headers=_header(STATUS_LIST_TYP, base_url=base_url),
    )


def encoded_status_list(revoked_indexes: set[int]) -> str:
    """GZIP-compressed bitstring, base64url without padding, first index = left-most bit."""
    bits = bytearray(STATUS_LIST_BITS // 8)
    for index in revoked_indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    return base64.urlsafe_b64encode(gzip.compress(bytes(bits))).rstrip(b"=").decode()


def status_list_credential(
    list_number: int, revoked_indexes: set[int], *, base_url: str, url_name: str = ""
) -> dict:
    url = absolute(base_url, reverse(url_name or "open_badges_status_list", args=[list_number]))
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


def _lines(title: str, width: int = 16, count: int = 4) -> list[str]:
    """The title in lines of about `width` characters, words kept whole; at most `count`
    lines, the last one ending in an ellipsis when the title is longer."""
    lines, line = [], ""
    for word in title.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    if len(lines) > count:
        lines = lines[:count]
        lines[-1] += " …"
    return lines


def badge_svg(title: str, *, credential_jws: str = "") -> str:
    """The badge image: Signaal's colours, the module title in large type on a round badge,
    with a title and description for screen readers. No fonts or images are loaded.

    With `credential_jws` the image is baked (OB 3.0 section 5.3.2.1 'SVG Baking'): the
    signed credential in the `verify` attribute of an <openbadges:credential> element
    directly after the <svg> tag, for the holder's own download only."""
    text_lines = _lines(title) if title else []
    longest = max((len(line) for line in text_lines), default=1)
    # About 0.6 em per character in Arial: the longest line fits in 280 of the 400 units.
    size = min(30, int(280 / (0.6 * longest)))
    step = round(size * 1.3)
    first_y = 220 - step * (len(text_lines) - 1) // 2
    tspans = "".join(
        f'<tspan x="200" y="{first_y + step * number}">{escape(line)}</tspan>'
        for number, line in enumerate(text_lines)
    )
    label = escape(f"Signaal-badge: {title}" if title else "Signaal-badge")
    namespace = element = ""
    if credential_jws:
        namespace = ' xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"'
        element = (
            f'<openbadges:credential verify="{escape(credential_jws)}"></openbadges:credential>'
        )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 400" width="400" '
        f'height="400" role="img" aria-labelledby="title desc"{namespace}>{element}'
        f'<title id="title">{label}</title>'
        '<desc id="desc">Certificaat van een e-learningmodule op Signaal</desc>'
        '<circle cx="200" cy="200" r="196" fill="#4a1b6a"/>'
        '<circle cx="200" cy="200" r="176" fill="#ffffff"/>'
        '<circle cx="200" cy="200" r="168" fill="none" stroke="#a84300" stroke-width="4"/>'
        '<g font-family="Arial, Helvetica, sans-serif" text-anchor="middle">'
        '<text x="200" y="110" font-size="34" font-weight="700" fill="#4a1b6a">Signaal</text>'
        f'<text font-size="{size}" font-weight="700" fill="#1d1b22">{tspans}</text>'
        '<text x="200" y="330" font-size="22" fill="#4d4a55">Certificaat</text>'
        "</g></svg>"
    )
