"""The certificates listing in the Wagtail admin: platform administrators only; search by
code or holder, filter by status and module, 50 a page, details and revoking."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission

from certificates import codes, services
from certificates.models import Certificate
from tests.auth import sign_in_with_mfa
from tests.courses.conftest import catalogue, make_module  # noqa: F401
from tests.factories import CertificateFactory, UserFactory

pytestmark = pytest.mark.django_db

LISTING = "/beheer/certificaten/"


@pytest.fixture
def modules(catalogue):  # noqa: F811
    return (
        make_module(catalogue, "Rode vlaggen", lessons=1),
        make_module(catalogue, "Dwingende controle", lessons=1),
    )


@pytest.fixture
def admin_client(client):
    sign_in_with_mfa(client, UserFactory(is_superuser=True, full_name="Beheerder Bea"))
    return client


def codes_on(response) -> set[str]:
    page = response.content.decode()
    return {c.formatted_code for c in Certificate.objects.all() if c.formatted_code in page}


def test_the_listing_pages_by_50_newest_first(admin_client, modules):
    red_flags, _control = modules
    made = [CertificateFactory(module=red_flags) for _ in range(55)]
    assert LISTING in admin_client.get("/beheer/").content.decode()  # the menu item
    first = admin_client.get(LISTING)
    assert first.status_code == 200
    assert len(codes_on(first)) == 50
    assert made[-1].formatted_code in codes_on(first)  # newest first
    second = admin_client.get(LISTING, {"p": 2})
    assert len(codes_on(second)) == 5
    assert codes_on(first).isdisjoint(codes_on(second))


def test_search_finds_a_code_in_any_spelling_or_part_of_a_holders_name(admin_client, modules):
    red_flags, _control = modules
    noor = CertificateFactory(module=red_flags, holder_name="Noor Jansen")
    sem = CertificateFactory(module=red_flags, holder_name="Sem de Boer")
    typed = codes.formatted(noor.code).lower()
    assert codes_on(admin_client.get(LISTING, {"q": typed})) == {noor.formatted_code}
    assert codes_on(admin_client.get(LISTING, {"q": "de boer"})) == {sem.formatted_code}
    assert codes_on(admin_client.get(LISTING, {"q": sem.code[:8]})) == {sem.formatted_code}
    # The results fragment that Wagtail's search box loads as one types.
    results = admin_client.get(f"{LISTING}results/", {"q": "jansen"})
    assert codes_on(results) == {noor.formatted_code}


def test_filters_by_status_and_module(admin_client, modules):
    red_flags, control = modules
    valid = CertificateFactory(module=red_flags)
    expired = CertificateFactory(
        module=red_flags, expires_on=datetime.date.today() - datetime.timedelta(days=1)
    )
    revoked = CertificateFactory(module=control)
    services.revoke(certificate=revoked, by=UserFactory(is_superuser=True), reason="Fraude")
    assert codes_on(admin_client.get(LISTING, {"status": "valid"})) == {valid.formatted_code}
    assert codes_on(admin_client.get(LISTING, {"status": "expired"})) == {expired.formatted_code}
    assert codes_on(admin_client.get(LISTING, {"status": "revoked"})) == {revoked.formatted_code}
    assert codes_on(admin_client.get(LISTING, {"module": control.pk})) == {revoked.formatted_code}
    assert codes_on(admin_client.get(LISTING, {"module": red_flags.pk, "status": "valid"})) == {
        valid.formatted_code
    }


def test_details_show_the_revocation_log(admin_client, modules):
    red_flags, _control = modules
    certificate = CertificateFactory(module=red_flags, holder_name="Noor Jansen")
    listing = admin_client.get(LISTING).content.decode()
    assert f"{LISTING}{certificate.pk}/intrekken/" in listing
    # Without a category nothing happens and the form says what is missing.
    response = admin_client.post(
        f"{LISTING}{certificate.pk}/intrekken/", {"reason": "Verkeerde persoon"}
    )
    assert response.status_code == 200 and "Dit is een verplicht veld." in response.content.decode()
    certificate.refresh_from_db()
    assert certificate.revoked_at is None
    admin_client.post(
        f"{LISTING}{certificate.pk}/intrekken/",
        {"reason": "Verkeerde persoon", "category": "issued_in_error"},
    )
    assert certificate.revocation.category == "issued_in_error"
    details = admin_client.get(f"{LISTING}inspect/{certificate.pk}/").content.decode()
    assert certificate.formatted_code in details and "Noor Jansen" in details
    assert "Verkeerde persoon" in details
    assert "Beheerder Bea" in details
    listing = admin_client.get(LISTING).content.decode()
    assert f"{LISTING}{certificate.pk}/intrekken/" not in listing  # nothing left to revoke


def test_there_is_nothing_to_add_edit_or_delete(admin_client, modules):
    certificate = CertificateFactory(module=modules[0])
    for path in ("new/", f"edit/{certificate.pk}/", f"delete/{certificate.pk}/"):
        assert admin_client.get(f"{LISTING}{path}").status_code == 404


def test_non_administrators_are_refused_even_with_admin_access(client, modules):
    certificate = CertificateFactory(module=modules[0])
    editor = UserFactory()
    editors = Group.objects.create(name="Redactie")
    editors.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
        *Permission.objects.filter(content_type__app_label="certificates"),
    )
    editor.groups.add(editors)
    sign_in_with_mfa(client, editor)
    for path in ("", "results/", f"inspect/{certificate.pk}/", f"{certificate.pk}/intrekken/"):
        response = client.get(f"{LISTING}{path}")
        # Wagtail sends an admin user without the permission back to the dashboard.
        assert (response.status_code, response["Location"]) == (302, "/beheer/"), path
        assert certificate.formatted_code not in response.content.decode()
    response = client.post(f"{LISTING}{certificate.pk}/intrekken/", {"reason": "x"})
    assert (response.status_code, response["Location"]) == (302, "/beheer/")
    certificate.refresh_from_db()
    assert certificate.revoked_at is None
    # Nor does the admin menu offer it.
    assert LISTING not in client.get("/beheer/").content.decode()

    client.logout()
    assert client.get(LISTING).status_code == 302  # to the login page
