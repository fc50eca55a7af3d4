"""Passwords are hashed with Argon2id at OWASP's parameters; older PBKDF2 hashes still sign
in and are rewritten as Argon2id then (issue 25). The test settings use a fast hasher, so
these tests put the production list back."""

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import identify_hasher, make_password

from cms.settings import base
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_hashers(settings):
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS
    assert django_settings.PASSWORD_HASHERS[0] == "accounts.passwords.SignaalArgon2PasswordHasher"


def test_new_passwords_are_argon2id_with_owasp_parameters(production_hashers):
    encoded = make_password("een lang genoeg wachtwoord")
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert identify_hasher(encoded).algorithm == "argon2"


def test_an_old_pbkdf2_hash_signs_in_and_is_upgraded(production_hashers, rf):
    user = UserFactory(email="oud@example.nl")
    user.password = make_password("een lang genoeg wachtwoord", hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])
    assert user.password.startswith("pbkdf2_sha256$")

    signed_in = authenticate(
        rf.post("/account/login/"), email="oud@example.nl", password="een lang genoeg wachtwoord"
    )
    assert signed_in == user
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert (
        authenticate(
            rf.post("/account/login/"),
            email="oud@example.nl",
            password="een lang genoeg wachtwoord",
        )
        == user
    )
    assert authenticate(rf.post("/account/login/"), email="oud@example.nl", password="fout") is None
