from django.urls import path

from satupintu.registries import views

app_name = "registries"
urlpatterns = [
    path("data/penduduk/1.0", views.list_residents, name="population-list"),
    path("data/penduduk/1.0/read", views.read, name="population-read"),
    path("data/penduduk/1.0/exists", views.exists, name="population-exists"),
]
