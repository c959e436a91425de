"""A URL map with a view that fails, to exercise the 500 handler."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from satupintu.config.urls import handler500  # noqa: F401
from satupintu.config.urls import urlpatterns as base_patterns


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("deliberate failure for the 500 page test")


urlpatterns = [path("boom/", boom), *base_patterns]
