from django.urls import path

from . import views

app_name = "lti"

urlpatterns = [
    path("jwks.json", views.jwks, name="jwks"),
    path("login/", views.login_initiation, name="login"),
    path("launch/", views.launch, name="launch"),
    path("koppelen/", views.link_account_view, name="link_account"),
    path("deep-link/", views.deep_link_response, name="deep_link_response"),
    path("registreren/<str:token>/", views.register, name="register"),
    path("scorm/<int:package_id>/pakket.zip", views.scorm_download, name="scorm_download"),
    path("scorm/<str:key>/start/", views.scorm_start, name="scorm_start"),
    path("scorm/<str:key>/status/", views.scorm_status, name="scorm_status"),
]
