"""Routes of the documents app, mounted at the site root by ``config/urls.py``."""

from django.urls import path

from satupintu.documents import views

app_name = "documents"
urlpatterns = [
    path("verifikasi/", views.verify, name="verify"),
    path("verifikasi/<str:document_id>/", views.status, name="status"),
    path("dokumen/<str:document_id>/unduh/", views.download, name="download"),
    path("dokumen/<str:document_id>/cabut/", views.revoke, name="revoke"),
]
