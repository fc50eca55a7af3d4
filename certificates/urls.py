from django.urls import path

from . import views

urlpatterns = [
    path("verifieer/", views.verify_form, name="certificate_verify_form"),
    path("verifieer/<str:code>/", views.verify, name="certificate_verify"),
    path("api/verificatie/<str:code>/", views.verify_api, name="certificate_verify_api"),
    path("open-badges/uitgever.json", views.open_badges_issuer, name="open_badges_issuer"),
    path("open-badges/sleutels.json", views.open_badges_key, name="open_badges_key"),
    path(
        "open-badges/sleutels/<str:kid>.json",
        views.open_badges_public_key,
        name="open_badges_public_key",
    ),
    path("open-badges/badge.svg", views.open_badges_image, name="open_badges_image"),
    path(
        "open-badges/badge/<int:module_id>.svg",
        views.open_badges_image,
        name="open_badges_module_image",
    ),
    path(
        "open-badges/statuslijsten/<int:number>.jwt",
        views.open_badges_status_list,
        name="open_badges_status_list",
    ),
    # The lists of credentials downloaded before status positions were random.
    path(
        "open-badges/status/<int:number>.jwt",
        views.open_badges_legacy_status_list,
        name="open_badges_legacy_status_list",
    ),
    path("<str:code>/pdf/", views.certificate_pdf, name="certificate_pdf"),
    path("<str:code>/open-badge.jwt", views.open_badge, name="certificate_open_badge"),
    path("<str:code>/open-badge.svg", views.open_badge_baked, name="certificate_baked_badge"),
]
