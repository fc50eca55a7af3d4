from django.urls import path

from . import views

urlpatterns = [
    path("verifieer/", views.verify_form, name="certificate_verify_form"),
    path("verifieer/<str:code>/", views.verify, name="certificate_verify"),
    path("<str:code>/pdf/", views.certificate_pdf, name="certificate_pdf"),
]
