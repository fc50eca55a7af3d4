"""Open Badges 3.0: every credential we issue is checked as an outside verifier would
(1EdTech OB 3.0, section 9 'Verification and Validation'): by openbadgeslib's OB3Verifier
(PyPI), and step by step: the signature with joserfc, a JOSE library that is not the one
we sign with, against the key its `kid` dereferences to;
the credential against the JSON Schema of the 1EdTech data model (tests/certificates/
schemas/); the JWT claims against the credential, its dates, and its revocation in the
public Bitstring Status List (decoded here, per the W3C specification)."""

import base64
import gzip
import hashlib
import json
import os
import time
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest
from joserfc import jwt as jose_jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import JWKRegistry
from jsonschema.protocols import Validator

from certificates import keys, open_badges, services
from certificates.models import STATUS_LIST_BITS, Certificate
from tests.factories import UserFactory
from tests.quizzes.conftest import catalogue, module, quiz  # noqa: F401

from .test_issuing import complete

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).parent / "schemas"


def _schema_validator(path: Path) -> Validator:
    schema = json.loads(path.read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def credential_validators() -> list[Validator]:
    validators = [_schema_validator(SCHEMAS / "ob_v3p0_achievementcredential.schema.json")]
    official = os.environ.get("OB3_OFFICIAL_SCHEMA_DIR")
    if official:
        validators.append(
            _schema_validator(Path(official) / "ob_v3p0_achievementcredential_schema.json")
        )
    return validators


def local(client, url: str):
    parts = urlsplit(url)
    assert parts.netloc == "testserver"
    return client.get(parts.path)


def verify_jws(client, token: str, *, typ: str, media_type: str, served_as: str) -> dict:
    """Dereference the header's kid to a JWK, check the signature with joserfc, and return
    the header and claims."""
    assert served_as == media_type
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert set(header) <= {"alg", "kid", "jwk", "typ"}  # OB 3.0: no other JOSE headers
    assert header["alg"] == "RS256" and header["typ"] == typ
    jwk = json.loads(local(client, header["kid"]).content)
    assert "d" not in jwk
    key = JWKRegistry.import_key(jwk)
    decoded = jose_jwt.decode(token, key, algorithms=["RS256"])
    return decoded.claims


def verify_credential(client, token: str, *, served_as: str) -> dict:
    """The verification an OB 3.0 verifier does; returns the credential."""
    claims = verify_jws(client, token, typ="JWT", media_type="application/jwt", served_as=served_as)
    credential = {key: value for key, value in claims.items() if key not in JWT_CLAIMS}
    for validator in credential_validators():
        validator.validate(credential)
    # Section 8.2.6: the claims must match the credential.
    registry = jose_jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": credential["issuer"]["id"]},
        sub={"essential": True, "value": credential["credentialSubject"]["id"]},
        jti={"essential": True, "value": credential["id"]},
        nbf={"essential": True},
        exp={"essential": True},
    )
    registry.validate(claims)
    assert claims["nbf"] == _epoch(credential["validFrom"]) <= time.time()
    assert time.time() < claims["exp"] == _epoch(credential["validUntil"])
    return credential


JWT_CLAIMS = {"iss", "sub", "jti", "nbf", "exp"}


def _epoch(value: str) -> int:
    return int(time.mktime(time.strptime(value, "%Y-%m-%dT%H:%M:%SZ")) - time.timezone)


def status_bit(client, credential_status) -> int:
    """Bitstring Status List v1.0, section 3.2 'Validate Algorithm'."""
    assert credential_status["type"] == "BitstringStatusListEntry"
    assert credential_status["statusPurpose"] == "revocation"
    response = local(client, credential_status["statusListCredential"])
    claims = verify_jws(
        client,
        response.content.decode(),
        typ="vc+jwt",
        media_type="application/vc+jwt",
        served_as=response["Content-Type"],
    )
    _schema_validator(SCHEMAS / "bitstring_status_list_credential.schema.json").validate(claims)
    assert claims["id"] == credential_status["statusListCredential"]
    subject = claims["credentialSubject"]
    assert subject["statusPurpose"] == credential_status["statusPurpose"]
    encoded = subject["encodedList"]
    assert encoded.startswith("u")  # multibase base64url
    data = encoded[1:]
    bits = gzip.decompress(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))
    assert len(bits) * 8 >= 131_072
    index = int(credential_status["statusListIndex"])
    return (bits[index // 8] >> (7 - index % 8)) & 1


def download(client, certificate) -> tuple[str, str]:
    response = client.get(f"/certificaten/{certificate.code}/open-badge.jwt")
    assert response.status_code == 200
    return response.content.decode(), response["Content-Type"]


def test_the_open_badge_verifies_and_has_the_required_fields(client, module, quiz):  # noqa: F811
    learner = UserFactory(full_name="Daan Visser", email="daan@example.nl")
    complete(module, quiz, learner)
    certificate = Certificate.objects.get(user=learner)
    client.force_login(learner)
    token, media_type = download(client, certificate)

    credential = verify_credential(client, token, served_as=media_type)
    assert "vc" not in json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert credential["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json" in credential["@context"]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert certificate.code in credential["id"]
    assert credential["issuer"]["type"] == ["Profile"] and credential["issuer"]["name"]
    issuer = json.loads(client.get("/certificaten/open-badges/uitgever.json").content)
    assert issuer["id"] == credential["issuer"]["id"]

    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["type"] == ["Achievement"]
    assert achievement["achievementType"] == "CertificateOfCompletion"
    assert module.title in achievement["name"]
    narrative = achievement["criteria"]["narrative"]
    assert "lessen" in narrative and "scenariotoets" in narrative
    image = local(client, achievement["image"]["id"])
    assert image["Content-Type"] == "image/svg+xml"
    assert module.title.encode() in image.content and b"<title" in image.content
    assert credential["image"]["id"] == achievement["image"]["id"]


def test_the_recipient_is_the_salted_hash_of_the_verified_address_and_the_name(
    client,
    module,  # noqa: F811
    quiz,  # noqa: F811
):
    learner = UserFactory(full_name="Daan Visser", email="daan@example.nl")
    complete(module, quiz, learner)
    certificate = Certificate.objects.get(user=learner)
    client.force_login(learner)
    token, media_type = download(client, certificate)
    credential = verify_credential(client, token, served_as=media_type)
    assert "daan@example.nl" not in token and "daan@example.nl" not in json.dumps(credential)

    subject = credential["credentialSubject"]
    assert subject["id"].startswith("urn:uuid:")
    by_type = {item["identityType"]: item for item in subject["identifier"]}
    email = by_type["emailAddress"]
    assert email["hashed"] is True and len(email["salt"]) >= 16
    # What an employer who knows the address does (OB 3.0, 'Verify the Recipient Using an
    # Identifier'): hash the known address with the salt and compare.
    known = "sha256$" + hashlib.sha256(("daan@example.nl" + email["salt"]).encode()).hexdigest()
    assert email["identityHash"] == known
    wrong = "sha256$" + hashlib.sha256(("iemand@example.nl" + email["salt"]).encode()).hexdigest()
    assert email["identityHash"] != wrong
    assert by_type["name"] == {
        "type": "IdentityObject",
        "identityType": "name",
        "hashed": False,
        "identityHash": "Daan Visser",
    }


def test_an_unverified_address_is_not_put_in_the_credential(client, module, quiz):  # noqa: F811
    learner = UserFactory(full_name="Daan Visser", verified=False)
    complete(module, quiz, learner)
    certificate = Certificate.objects.get(user=learner)
    credential = open_badges.credential(certificate, base_url="http://testserver/")
    identity_types = [
        item["identityType"] for item in credential["credentialSubject"]["identifier"]
    ]
    assert identity_types == ["name"]


def test_revocation_shows_in_the_status_list(client, module, quiz):  # noqa: F811
    learner, other = UserFactory(), UserFactory()
    complete(module, quiz, learner)
    complete(module, quiz, other)
    certificate = Certificate.objects.get(user=learner)
    client.force_login(learner)
    token, media_type = download(client, certificate)
    status = verify_credential(client, token, served_as=media_type)["credentialStatus"]
    assert int(status["statusListIndex"]) == certificate.status_index
    assert status_bit(client, status) == 0

    services.revoke(certificate=certificate, by=UserFactory(is_superuser=True), reason="Fout")
    assert status_bit(client, status) == 1
    # The other certificate's bit stays clear.
    other_credential = open_badges.credential(
        Certificate.objects.get(user=other), base_url="http://testserver/"
    )
    assert status_bit(client, other_credential["credentialStatus"]) == 0


def test_status_list_indexes_are_random_and_unique(module, quiz):  # noqa: F811
    indexes = []
    for _ in range(6):
        complete(module, quiz, UserFactory())
    for certificate in Certificate.objects.order_by("pk"):
        assert certificate.status_list == 1
        assert 0 <= certificate.status_index < STATUS_LIST_BITS
        indexes.append(certificate.status_index)
    assert len(set(indexes)) == len(indexes)
    # Not the order of issue: six random indexes in 131072 are in increasing order with
    # probability 1/720, and consecutive ids with a far smaller one.
    pks = list(Certificate.objects.order_by("pk").values_list("pk", flat=True))
    assert indexes != pks and indexes != sorted(indexes)


def test_a_tampered_credential_does_not_verify(client, module, quiz):  # noqa: F811
    learner = UserFactory()
    complete(module, quiz, learner)
    certificate = Certificate.objects.get(user=learner)
    client.force_login(learner)
    token, media_type = download(client, certificate)
    head, body, signature = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=="))
    payload["validUntil"] = "2099-12-31T23:59:59Z"
    forged_body = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    with pytest.raises(BadSignatureError):
        verify_credential(client, f"{head}.{forged_body}.{signature}", served_as=media_type)


def test_an_incomplete_credential_fails_the_schema(module, quiz):  # noqa: F811
    learner = UserFactory()
    complete(module, quiz, learner)
    credential = open_badges.credential(
        Certificate.objects.get(user=learner), base_url="http://testserver/"
    )
    (validator,) = credential_validators()[:1]
    validator.validate(credential)
    del credential["credentialSubject"]["achievement"]["criteria"]
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(credential)


def test_the_key_set_publishes_the_rsa_key_and_the_earlier_ed25519_key(client):
    response = client.get("/certificaten/open-badges/sleutels.json")
    jwks = json.loads(response.content)["keys"]
    assert [(jwk["kty"], jwk["alg"]) for jwk in jwks] == [("RSA", "RS256"), ("OKP", "EdDSA")]
    assert all("d" not in jwk and "p" not in jwk for jwk in jwks)
    assert jwks[0]["kid"] == keys.key_id()
    for jwk in jwks:
        single = client.get(f"/certificaten/open-badges/sleutels/{jwk['kid']}.json")
        assert json.loads(single.content) == jwk
    assert client.get("/certificaten/open-badges/sleutels/onbekend.json").status_code == 404


def test_only_the_holder_downloads_the_badge(client, module, quiz):  # noqa: F811
    learner = UserFactory()
    complete(module, quiz, learner)
    certificate = Certificate.objects.get(user=learner)
    client.force_login(UserFactory())
    assert client.get(f"/certificaten/{certificate.code}/open-badge.jwt").status_code == 404


def test_a_module_without_certificates_has_no_badge_image(client, module):  # noqa: F811
    assert client.get(f"/certificaten/open-badges/badge/{module.pk}.svg").status_code == 404
    generic = client.get("/certificaten/open-badges/badge.svg")
    assert generic.status_code == 200 and b"Signaal" in generic.content


def test_credentials_from_before_random_positions_still_show_revocation(client, module, quiz):  # noqa: F811
    """Earlier credentials pointed at /status/<list>.jwt with the database id as index."""
    learner = UserFactory()
    complete(module, quiz, learner)
    certificate = Certificate.objects.get(user=learner)
    legacy = {
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(certificate.pk % STATUS_LIST_BITS),
        "statusListCredential": "http://testserver/certificaten/open-badges/status/"
        f"{certificate.pk // STATUS_LIST_BITS + 1}.jwt",
    }
    assert status_bit(client, legacy) == 0
    services.revoke(certificate=certificate, by=UserFactory(is_superuser=True), reason="Fout")
    assert status_bit(client, legacy) == 1


def test_with_only_the_earlier_ed25519_key_credentials_are_signed_with_eddsa(settings, tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from certificates.checks import open_badges_signed_with_rsa

    ed25519 = Ed25519PrivateKey.generate()
    settings.SIGNAAL_SIGNING_KEY = ed25519.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    settings.DEBUG, settings.TESTING = False, False
    keys.configured.cache_clear()
    try:
        assert keys.algorithm() == "EdDSA"
        assert [jwk["kty"] for jwk in keys.public_jwks()] == ["OKP"]
        assert [warning.id for warning in open_badges_signed_with_rsa()] == ["certificates.W002"]
    finally:
        keys.configured.cache_clear()


def test_the_baked_badge_carries_the_signed_credential(client, module, quiz):  # noqa: F811
    from defusedxml import ElementTree

    learner = UserFactory()
    complete(module, quiz, learner)
    certificate = Certificate.objects.get(user=learner)
    client.force_login(learner)
    response = client.get(f"/certificaten/{certificate.code}/open-badge.svg")
    assert response["Content-Type"] == "image/svg+xml"
    svg = ElementTree.fromstring(response.content)
    # OB 3.0 'SVG Baking': the first element after <svg> is openbadges:credential.
    first = svg[0]
    assert first.tag == "{https://purl.imsglobal.org/ob/v3p0}credential"
    credential = verify_credential(client, first.get("verify"), served_as="application/jwt")
    assert certificate.code in credential["id"]
    assert svg.find("{http://www.w3.org/2000/svg}title").text.endswith(module.title)

    client.force_login(UserFactory())
    assert client.get(f"/certificaten/{certificate.code}/open-badge.svg").status_code == 404


def test_openbadgeslib_accepts_the_credential_and_sees_the_revocation(client, module, quiz):  # noqa: F811
    """A second, complete OB 3.0 verifier from PyPI (openbadgeslib's OB3Verifier): the
    signature (RS256, the key from our JWKS), the claims and dates, and the status list,
    fetched through the test client, with its own signature checked too."""
    from openbadgeslib.ob3.verifier import OB3VerificationError, OB3Verifier

    learner = UserFactory()
    complete(module, quiz, learner)
    certificate = Certificate.objects.get(user=learner)
    client.force_login(learner)
    token, _media_type = download(client, certificate)
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    jwk = json.loads(local(client, header["kid"]).content)
    public_pem = JWKRegistry.import_key(jwk).as_pem(private=False)
    verifier = OB3Verifier(public_pem)

    def fetch(url: str) -> bytes:
        response = local(client, url)
        assert response.status_code == 200
        return response.content

    credential = verifier.verify(token, check_status=True, download=fetch)
    assert credential.issuer.id == "http://testserver/certificaten/open-badges/uitgever.json"

    baked = client.get(f"/certificaten/{certificate.code}/open-badge.svg").content
    verifier.verify(OB3Verifier.extract_token_from_svg(baked), check_status=True, download=fetch)

    services.revoke(certificate=certificate, by=UserFactory(is_superuser=True), reason="Fout")
    with pytest.raises(OB3VerificationError, match="revocation"):
        verifier.verify(token, check_status=True, download=fetch)


def test_a_certificate_written_in_bulk_gets_its_position_with_its_first_credential(
    module,  # noqa: F811
    quiz,  # noqa: F811
):
    learner = UserFactory()
    complete(module, quiz, learner)
    # As organisations.loaddata writes rows (COPY, no save()): no position yet.
    Certificate.objects.filter(user=learner).update(status_list=None, status_index=None)
    certificate = Certificate.objects.get(user=learner)
    first = open_badges.credential(certificate, base_url="http://testserver/")
    stored = Certificate.objects.get(pk=certificate.pk)
    assert stored.status_list == 1 and stored.status_index is not None
    assert first["credentialStatus"]["statusListIndex"] == str(stored.status_index)
    again = open_badges.credential(stored, base_url="http://testserver/")
    assert again["credentialStatus"] == first["credentialStatus"]
