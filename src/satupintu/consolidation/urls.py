"""SPBE back-office pages, mounted at ``/backoffice/spbe/``."""

from django.urls import path, re_path

from satupintu.consolidation import views, views_index, views_moratorium

app_name = "consolidation"
urlpatterns = [
    path("", views.home, name="home"),
    path("aplikasi/", views.app_list, name="apps"),
    path("aplikasi/baru/", views.app_edit, name="app-new"),
    path("aplikasi/impor/", views.app_import, name="app-import"),
    re_path(r"^aplikasi/ekspor\.(?P<fmt>csv|xlsx)$", views.app_export, name="app-export"),
    re_path(r"^aplikasi/templat\.(?P<fmt>csv|xlsx)$", views.app_template, name="app-template"),
    path("aplikasi/<int:app_id>/", views.app_detail, name="app-detail"),
    path("aplikasi/<int:app_id>/ubah/", views.app_edit, name="app-edit"),
    path("aplikasi/<int:app_id>/hapus/", views.app_delete, name="app-delete"),
    path("laporan/", views.reports, name="reports"),
    path("laporan/kemiripan/", views.similar, name="similar"),
    re_path(r"^laporan/fungsi/(?P<function>[0-9]{2}\.[0-9]{2})/$", views.group_detail, name="group"),
    path("laporan/<slug:kind>.csv", views.report_csv, name="report-csv"),
    path("asumsi/", views.assumption, name="assumption"),
    path("moratorium/", views_moratorium.proposal_list, name="proposals"),
    path("moratorium/baru/", views_moratorium.proposal_new, name="proposal-new"),
    path("moratorium/<int:proposal_id>/", views_moratorium.proposal_detail, name="proposal"),
    path("indeks/", views_index.index_table, name="index"),
    path("indeks/buka/", views_index.index_open, name="index-open"),
    path("indeks/instansi/<slug:code>/", views_index.agency_history, name="agency-history"),
    path("indeks/<int:assessment_id>/", views_index.assessment, name="assessment"),
    path("indeks/<int:assessment_id>/bukti/<int:number>/", views_index.evidence, name="evidence"),
]
