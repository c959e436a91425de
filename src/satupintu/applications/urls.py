from django.urls import path

from satupintu.applications import views

app_name = "applications"

urlpatterns = [
    path("<int:application_id>/berkas/<int:upload_id>/", views.upload_download, name="upload"),
]
