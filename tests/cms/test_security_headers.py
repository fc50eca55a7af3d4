import pytest

from tests.auth import sign_in_with_mfa
from tests.factories import UserFactory


@pytest.mark.django_db
def test_public_pages_send_a_strict_content_security_policy(client, home_page):
    response = client.get("/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_hsts_is_sent_over_https_in_production_mode(client, home_page):
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


@pytest.mark.django_db
def test_admin_allows_only_what_wagtails_editor_needs(client, home_page):
    sign_in_with_mfa(client, UserFactory(is_superuser=True))
    response = client.get("/beheer/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'unsafe-inline'" in policy
    assert "frame-ancestors 'self'" in policy
    assert "default-src 'self'" in policy


@pytest.mark.django_db
def test_session_and_csrf_cookies_are_secure_in_production_settings(settings):
    from cms.settings import base

    assert base.DEBUG is False
    assert base.SESSION_COOKIE_SECURE is True
    assert base.CSRF_COOKIE_SECURE is True
    assert base.SECURE_HSTS_SECONDS == 31536000
