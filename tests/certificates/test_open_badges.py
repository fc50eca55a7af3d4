"""Open Badges 3.0: the credential verifies with a standard JWT library against the
published key, carries the required fields, and its revocation shows in the public
Bitstring Status List."""

import base64
import gzip
import json

import jwt
import pytest

from certificates import services
from certificates.models import Certificate
from tests.factories import UserFactory
from tests.quizzes.conftest import catalogue, module, quiz  # noqa: F401

from .test_issuing import complete

pytestmark = pytest.mark.django_db


def status_bit(client, credential_status) -> int:
    url = credential_status["statusListCredential"].replace("http://testserver", "")
    token = client.get(url).content.decode()
    payload = jwt.decode(token, options={"verify_signature": False})
    encoded = payload["vc"]["credentialSubject"]["encodedList"]
    assert encoded.startswith("u")
    data = encoded[1:]
    bits = gzip.decompress(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))
    index = int(credential_status["statusListIndex"])
    return (bits[index // 8] >> (7 - index % 8)) & 1


def test_the_open_badge_verifies_and_has_the_required_fields(client, module, quiz):  # noqa: F811
    learner = UserFactory(full_name="Daan Visser", email="daan@example.nl")
    complete(module, quiz, learner)
    certificate = Certificate.objects.get(user=learner)
    client.force_login(learner)
    token = client.get(f"/certificaten/{certificate.code}/open-badge.jwt").content.decode()

    header = jwt.get_unverified_header(token)
    assert header["alg"] == "EdDSA"
    jwks = json.loads(client.get("/certificaten/open-badges/sleutels.json").content)
    key = jwt.PyJWK(jwks["keys"][0])
    assert header["kid"].endswith("#" + key.key_id)
    claims = jwt.decode(token, key=key, algorithms=["EdDSA"], options={"verify_exp": True})

    credential = claims["vc"]
    assert credential["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json" in credential["@context"]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert claims["iss"] == credential["issuer"]["id"]
    assert claims["jti"] == credential["id"] and certificate.code in credential["id"]
    assert credential["issuer"]["type"] == ["Profile"] and credential["issuer"]["name"]
    assert credential["validFrom"] and credential["validUntil"]
    subject = credential["credentialSubject"]
    assert "AchievementSubject" in subject["type"]
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"]
    assert achievement["name"] and achievement["criteria"]["narrative"]
    assert subject["identifier"][0]["identityHash"] == "Daan Visser"
    assert "daan@example.nl" not in json.dumps(claims)
    issuer = json.loads(client.get("/certificaten/open-badges/uitgever.json").content)
    assert issuer["id"] == claims["iss"]

    # A tampered token does not verify.
    head, body, signature = token.split(".")
    forged = f"{head}.{body[:-4]}AAAA.{signature}"
    with pytest.raises(jwt.InvalidTokenError):
        jwt.decode(forged, key=key, algorithms=["EdDSA"])

    # Revocation is published in the status list, for anyone to check.
    status = credential["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry"
    assert status_bit(client, status) == 0
    services.revoke(certificate=certificate, by=UserFactory(is_superuser=True), reason="Fout")
    assert status_bit(client, status) == 1


def test_only_the_holder_downloads_the_badge(client, module, quiz):  # noqa: F811
    learner = UserFactory()
    complete(module, quiz, learner)
    certificate = Certificate.objects.get(user=learner)
    client.force_login(UserFactory())
    assert client.get(f"/certificaten/{certificate.code}/open-badge.jwt").status_code == 404
