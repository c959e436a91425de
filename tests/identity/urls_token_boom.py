"""The platform's URL map with a token endpoint that fails, to exercise errors on the lean OAuth path."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from satupintu.config.urls import handler500  # noqa: F401
from satupintu.config.urls import urlpatterns as base_patterns


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("deliberate failure at the token endpoint")


urlpatterns = [path("o/token/", boom), *base_patterns]
