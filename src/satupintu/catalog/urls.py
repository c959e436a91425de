from django.urls import path

from satupintu.catalog import views

app_name = "catalog"
urlpatterns = [
    path("layanan/", views.search, name="search"),
    path("layanan/<slug:slug>/", views.service_detail, name="service"),
    path("layanan/<slug:slug>/ajukan/", views.service_apply, name="service-apply"),
    path("instansi/", views.agency_list, name="agencies"),
    path("instansi/<slug:code>/", views.agency_detail, name="agency"),
    path("peristiwa/", views.life_event_list, name="life-events"),
    path("peristiwa/<slug:slug>/", views.life_event_detail, name="life-event"),
    path("prioritas/<slug:slug>/", views.priority_area_detail, name="priority-area"),
]
