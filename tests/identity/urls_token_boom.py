"""The platform's URL map with a token endpoint that fails, and a revocation path taken over by a
view that is not CSRF-exempt, to exercise the lean OAuth path (ADR 0112)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from satupintu.config.urls import handler500  # noqa: F401
from satupintu.config.urls import urlpatterns as base_patterns


@csrf_exempt
def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("deliberate failure at the token endpoint")


def csrf_protected(request: HttpRequest) -> HttpResponse:
    return HttpResponse("reached")


urlpatterns = [path("o/token/", boom), path("o/revoke_token/", csrf_protected), *base_patterns]
