"""Whether a typed search term names a person (organisations.selectors.personal_data): deleting
an account blanks the coordinators' and administrators' searches that do (issue 16,
finding 9; the deletion itself is tested in tests/accounts/test_privacy_audit.py)."""

import pytest

from organisations.selectors.personal_data import names_person, person_terms
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "names"),
    [
        ("Sanne de Vries", True),
        ("  sanne   DE vries ", True),
        ("vries", True),
        ("SANNE@werk", True),
        ("zoek sanne@example.nl", True),
        ("vries sanne", True),
        ("piet", False),
        ("de", False),  # too short to be about her
        ("", False),
    ],
)
def test_which_typed_search_terms_name_the_person(typed, names):
    person = UserFactory.build(full_name="Sanne de Vries", email="sanne@example.nl")
    terms = person_terms(person, {"sanne@example.nl", "sanne@werk.example.nl"})
    assert names_person(typed, terms) is names


def test_a_very_short_name_blanks_only_itself():
    terms = person_terms(UserFactory.build(full_name="E"), set())
    assert names_person("e", terms)
    assert not names_person("petersen", terms)
