"""Certificate codes (issue 22): Damm's check over the 32 characters catches every single
mistyped character and every swap of neighbours, which the old Luhn mod 32 did not (a
neighbouring 0 and Z); codes issued with the old check stay valid."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certificates import codes
from tests.courses.conftest import catalogue  # noqa: F401
from tests.factories import CertificateFactory

bodies = st.text(alphabet=codes.ALPHABET, min_size=codes.RANDOM_CHARACTERS, max_size=16)


def with_check(body: str) -> str:
    return body + codes.check_character(body)


@settings(max_examples=300)
@given(bodies)
def test_every_single_substitution_is_caught(body):
    code = with_check(body)
    assert codes.has_current_check(code)
    for position, original in enumerate(code):
        for replacement in codes.ALPHABET:
            if replacement != original:
                typo = code[:position] + replacement + code[position + 1 :]
                assert not codes.has_current_check(typo), (code, typo)


@settings(max_examples=300)
@given(bodies)
def test_every_swap_of_neighbours_is_caught_check_character_included(body):
    code = with_check(body)
    for position in range(len(code) - 1):
        swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
        if swapped != code:
            assert not codes.has_current_check(swapped), (code, swapped)


def test_the_old_check_missed_a_swapped_0_and_z_and_the_new_one_does_not():
    body = "0Z" + "A" * 14
    swapped_body = "Z0" + "A" * 14
    assert codes.legacy_check_character(body) == codes.legacy_check_character(swapped_body)
    assert codes.check_character(body) != codes.check_character(swapped_body)


def test_dashes_from_word_processors_and_crockford_reading_are_tolerated():
    code = codes.new_code()
    pretty = codes.formatted(code)
    for dash in ("\u2010", "\u2011", "\u2013", "\u2014", "\u2212"):
        assert codes.normalise(pretty.replace("-", dash)) == code
    assert codes.normalise(" " + pretty.lower().replace("-", "\u00a0") + " ") == code
    assert codes.normalise(code.replace("0", "O").replace("1", "l")) == code


@pytest.mark.django_db
def test_an_old_code_still_verifies_and_a_swap_in_a_new_one_is_a_typo(client, catalogue):  # noqa: F811
    from tests.courses.conftest import make_module

    module = make_module(catalogue, "Rode vlaggen", lessons=1)
    old_body = "0Z" + "ABCDEFGHJKMNPQ"
    old = CertificateFactory(module=module, code=old_body + codes.legacy_check_character(old_body))
    response = client.get(f"/certificaten/verifieer/{old.code}/")
    assert response.status_code == 200
    assert response.context["verification"].outcome == "valid"

    new_body = "0Z" + "ABCDEFGHJKMNPQ"
    new = CertificateFactory(module=module, code=with_check("1" + new_body[1:]))
    swapped = new.code[1] + new.code[0] + new.code[2:]
    response = client.get(f"/certificaten/verifieer/{codes.formatted(swapped)}/")
    assert response.status_code == 404
    assert response.context["verification"].outcome == "typo"
    assert "laatste" not in response.content.decode()
