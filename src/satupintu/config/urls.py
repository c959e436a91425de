"""URL map of the whole platform. Each app owns its own routes; this file only mounts them."""

from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.i18n import set_language

from satupintu.applications.registration_api import registration_api  # the catalogue's BB API + applications
from satupintu.catalog import views as catalog_views
from satupintu.catalog.sitemaps import SITEMAPS
from satupintu.core import views as core_views
from satupintu.core.api import api

handler404 = "satupintu.core.views.page_not_found"
handler500 = "satupintu.core.views.server_error"
handler403 = "satupintu.core.views.permission_denied"
handler400 = "satupintu.core.views.bad_request"
# django-allauth answers its rate limits with ROOT_URLCONF.handler429 when there is one.
handler429 = "satupintu.core.views.too_many_requests"

sitemaps: dict = {**SITEMAPS}

from satupintu.identity.urls import oidc_urlpatterns  # noqa: E402

urlpatterns = [
    path("", catalog_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("robots.txt", core_views.robots_txt, name="robots"),
    path("readyz", core_views.readyz, name="readyz"),
    path("bahasa/", set_language, name="set_language"),
    path("wilayah/", include("satupintu.regions.urls")),
    path("registri/", include("satupintu.registries.urls")),
    path("akun/akses-data/", include("satupintu.exchange.urls")),
    path("backoffice/spbe/", include("satupintu.consolidation.urls")),
    path("", include("satupintu.documents.urls")),  # /verifikasi/ (public), /dokumen/<id>/unduh|cabut/
    path("", include("satupintu.identity.urls")),
    path("akun/", include("allauth.urls")),
    path("", include("satupintu.applications.urls")),
    path("api/v1/", api.urls),
    path("registration/v1/", registration_api.urls),
    path("", include("satupintu.catalog.urls")),
    path("api/docs", core_views.api_docs, name="api-docs"),
    path("kelola/", admin.site.urls),
    path("backoffice/audit/", include("satupintu.audit.urls")),
    path("sitemap.xml", sitemap, {"sitemaps": sitemaps}, name="sitemap"),
    *oidc_urlpatterns,
]
