from django.conf import settings
from django.urls import include, path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from certificates import views as certificate_views
from courses import views as course_views

from . import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # The admin signs in through allauth, so that MFA and rate limits apply there too.
    path(
        "beheer/login/",
        RedirectView.as_view(pattern_name="account_login", query_string=True),
        name="wagtailadmin_login_redirect",
    ),
    path("beheer/", include(wagtailadmin_urls)),
    path("documenten/", include(wagtaildocs_urls)),
    path("account/", include("allauth.urls")),
    path("mijn-gegevens/", include("cms.accounts.urls")),
    path("taal/", views.set_language, name="set_language"),
    path("zoeken/", views.search, name="search"),
    path("mijn-leren/", course_views.my_learning, name="my_learning"),
    path("mijn-certificaten/", certificate_views.my_certificates, name="my_certificates"),
    path("certificaten/", include("certificates.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [
    path("", include("organisations.urls")),
    path("", include(wagtail_urls)),
]

# 503 'Even niet bereikbaar' when the database is unavailable, else the plain 500 page.
handler500 = "cms.views.server_error"
