"""'Mijn gegevens' also as a page a person can read (issue 19, finding 9)."""

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_data_can_be_read_as_a_page(client, home_page):
    person = UserFactory(full_name="Noor Jansen", email="noor@example.nl")
    assert client.get("/mijn-gegevens/bekijken/")["Location"].startswith("/account/login/")
    client.force_login(person)
    assert "/mijn-gegevens/bekijken/" in client.get("/mijn-gegevens/").content.decode()
    page = client.get("/mijn-gegevens/bekijken/").content.decode()
    assert "Noor Jansen" in page and "noor@example.nl" in page
    assert "Je account" in page and "Certificaten" in page
    assert "{" not in page.split('class="signaal-data"')[1]  # no JSON
