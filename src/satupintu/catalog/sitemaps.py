"""``sitemap.xml`` entries: every service, agency and life-event page."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from satupintu.catalog.models import Agency, LifeEvent, Service


class ServiceSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):  # noqa: ANN201
        return Service.objects.order_by("slug").only("slug", "updated_at")

    def location(self, item: Service) -> str:
        return reverse("catalog:service", args=[item.slug])

    def lastmod(self, item: Service):  # noqa: ANN201
        return item.updated_at


class AgencySitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.5

    def items(self):  # noqa: ANN201
        return Agency.objects.order_by("code").only("code", "updated_at")

    def location(self, item: Agency) -> str:
        return reverse("catalog:agency", args=[item.code])


class LifeEventSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.5

    def items(self):  # noqa: ANN201
        return LifeEvent.objects.order_by("slug")

    def location(self, item: LifeEvent) -> str:
        return reverse("catalog:life-event", args=[item.slug])


SITEMAPS = {"layanan": ServiceSitemap, "instansi": AgencySitemap, "peristiwa": LifeEventSitemap}
