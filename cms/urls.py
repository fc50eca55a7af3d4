from django.conf import settings
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from accounts import second_factor_views
from certificates import views as certificate_views
from identity import views as identity_views

from . import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path(".well-known/security.txt", views.security_txt, name="security_txt"),
    # The admin signs in through allauth, so that MFA and rate limits apply there too.
    path(
        "beheer/login/",
        RedirectView.as_view(pattern_name="account_login", query_string=True),
        name="wagtailadmin_login_redirect",
    ),
    # Wagtail's password reset would mail any account a reset link, unthrottled: allauth's
    # reset (rate-limited) is the only one. Its other steps do not exist here.
    path(
        "beheer/password_reset/",
        RedirectView.as_view(pattern_name="account_reset_password"),
        name="wagtailadmin_password_reset_redirect",
    ),
    re_path(r"^beheer/password_reset/.+$", views.not_found),
    path("beheer/", include(wagtailadmin_urls)),
    path("documenten/", include(wagtaildocs_urls)),
    # Enrolling an authenticator: a privileged account first confirms a code sent to its
    # verified address (accounts.second_factor).
    path(
        "account/2fa/totp/activate/",
        second_factor_views.activate_totp,
        name="mfa_activate_totp",
    ),
    path(
        "account/tweede-factor/",
        second_factor_views.second_factor_required,
        name="second_factor_required",
    ),
    path("account/organisatie/", include("identity.urls")),
    # allauth's OpenID Connect callback with a clear page when the IdP went down meanwhile.
    path(
        "account/oidc/<str:provider_id>/login/callback/",
        identity_views.oidc_callback,
        name="identity_oidc_callback",
    ),
    path("account/", include("allauth.urls")),
    path("mijn-gegevens/", include("accounts.urls")),
    path("taal/", views.set_language, name="set_language"),
    path("zoeken/", views.search, name="search"),
    path("veilig-gebruik/", views.safe_use, name="safe_use"),
    path("mijn-leren/", views.my_learning, name="my_learning"),
    path("mijn-certificaten/", certificate_views.my_certificates, name="my_certificates"),
    path(
        "mijn-certificaten/registratienummers/",
        certificate_views.registration_numbers,
        name="registration_numbers",
    ),
    path("certificaten/", include("certificates.urls")),
    path("lti/", include("lti.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [
    path("", include("organisations.urls")),
    path("", include("xapi.urls")),
    # Wagtail's front-end login (for login-restricted pages) is a plain Django login: no
    # rate limit, no verified email, no second factor. Everyone signs in through allauth.
    path(
        "_util/login/",
        RedirectView.as_view(pattern_name="account_login", query_string=True),
        name="wagtailcore_login_redirect",
    ),
    path("", include(wagtail_urls)),
]

# 503 'Even niet bereikbaar' when the database is unavailable, else the plain 500 page.
handler500 = "cms.views.server_error"
