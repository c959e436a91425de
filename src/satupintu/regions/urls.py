from django.urls import path

from satupintu.regions import views

app_name = "regions"
urlpatterns = [
    path("", views.browse, name="browse"),
    path("pilih/", views.picker_demo, name="picker"),
    path("<str:kode>/", views.detail, name="detail"),
]
