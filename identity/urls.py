from django.urls import path

from . import views

urlpatterns = [
    path("", views.organisation_sign_in, name="identity_sign_in"),
]
