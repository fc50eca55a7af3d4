from django.urls import path

from . import views

app_name = "xapi"

urlpatterns = [
    path(
        "organisaties/<slug:slug>/leerregistraties/",
        views.statement_export,
        name="export",
    ),
]
