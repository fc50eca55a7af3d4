import pytest

from accounts.models import User
from tests.auth import give_totp, log_in_with_code, sign_in_with_mfa
from tests.factories import TEST_PASSWORD, UserFactory


@pytest.mark.django_db
def test_admin_login_goes_through_the_platform_login(client, home_page):
    response = client.get("/beheer/login/?next=/beheer/pages/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")
    assert client.get("/beheer/")["Location"].startswith("/account/login/")


@pytest.mark.django_db
def test_an_editor_reaches_the_admin_and_a_learner_does_not(client, home_page):
    from django.contrib.auth.models import Group

    editor = UserFactory()
    editor.groups.add(Group.objects.get(name="Editors"))
    give_totp(editor)
    log_in_with_code(client, editor)
    assert client.get("/beheer/").status_code == 200

    client.post("/account/logout/")
    learner = UserFactory()
    client.post("/account/login/", {"login": learner.email, "password": TEST_PASSWORD})
    assert client.get("/beheer/").status_code == 302


@pytest.mark.django_db
def test_platform_admin_creates_a_user_with_full_name_in_wagtail(client, home_page):
    sign_in_with_mfa(client, UserFactory(is_superuser=True))
    form_page = client.get("/beheer/users/new/")
    assert form_page.status_code == 200
    assert "full_name" in form_page.context["form"].fields
    assert "first_name" not in form_page.context["form"].fields
    response = client.post(
        "/beheer/users/new/",
        {
            "email": "nieuw@example.nl",
            "full_name": "Nina Nieuw",
            "preferred_language": "nl",
            "password1": "een-lang-wachtwoord-43",
            "password2": "een-lang-wachtwoord-43",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    assert User.objects.get(email="nieuw@example.nl").full_name == "Nina Nieuw"
