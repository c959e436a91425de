"""Routes of the applications app, mounted at the site root (``/permohonan/…`` for citizens,
``/backoffice/permohonan/…`` for officers)."""

from django.urls import path

from satupintu.applications import pages, views

app_name = "applications"

urlpatterns = [
    # Takes over the catalogue's "Ajukan online" placeholder URL (included before catalog.urls; ADR 0081).
    path("layanan/<slug:slug>/ajukan/", pages.apply_from_catalogue, name="service-apply"),
    path("permohonan/saya/", pages.mine, name="mine"),
    path("permohonan/layanan/<slug:slug>/", pages.apply, name="apply"),
    path("permohonan/<int:application_id>/", pages.status, name="status"),
    path("permohonan/<int:application_id>/ubah/", pages.edit, name="edit"),
    path("permohonan/<int:application_id>/tinjau/", pages.review, name="review"),
    path("permohonan/<int:application_id>/batal/", pages.cancel, name="cancel"),
    path("permohonan/<int:application_id>/berkas/<int:upload_id>/", views.upload_download, name="upload"),
    path("backoffice/permohonan/", pages.queue, name="queue"),
    path("backoffice/permohonan/<int:application_id>/", pages.officer_detail, name="officer-detail"),
]
