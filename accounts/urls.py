from django.urls import path

from . import views

urlpatterns = [
    path("", views.my_data, name="my_data"),
    path("download/", views.download_my_data, name="my_data_download"),
    path("bekijken/", views.my_data_readable, name="my_data_readable"),
    path("account-verwijderen/", views.delete_account, name="delete_account"),
]
