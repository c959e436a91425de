from django.urls import path

from satupintu.exchange import views

app_name = "exchange"
urlpatterns = [
    path("", views.my_data_accesses, name="my-data-accesses"),
]
