"""The catalogue link: `import-online-services` uses the catalogue's agencies and marks the six
services as online on the portal (audited); the service page's "Ajukan online" leads to a
working application form."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from satupintu.audit.models import AuditEvent
from satupintu.catalog.models import Channel
from tests.applications.people import citizen_loa2
from tests.conftest import SHARED_DATA

pytestmark = pytest.mark.django_db
KTP = "dukcapil-ktp-el-penggantian"


@pytest.fixture
def catalogue(small_regions):  # noqa: ANN001, ANN201
    from satupintu.catalog.analyzer import reset_analyzer
    from satupintu.catalog.importer import import_catalog

    reset_analyzer()
    yield import_catalog(SHARED_DATA / "catalog")
    reset_analyzer()


def test_import_uses_catalogue_agencies_and_puts_the_six_services_online_once(catalogue) -> None:  # noqa: ANN001
    out = StringIO()
    call_command("import_online_services", stdout=out)  # no --with-agencies needed
    assert out.getvalue().count("now online on the portal") == 6
    assert Channel.objects.filter(kind="portal").count() == 6
    marked = AuditEvent.objects.filter(action="service.updated", details__portal=True)
    assert marked.count() == 6 and {e.actor_kind for e in marked} == {"platform"}
    again = StringIO()
    call_command("import_online_services", stdout=again)
    assert "now online" not in again.getvalue() and Channel.objects.filter(kind="portal").count() == 6
    assert AuditEvent.objects.filter(action="service.updated", details__portal=True).count() == 6


def test_without_catalogue_agencies_the_import_says_what_to_do() -> None:
    with pytest.raises(CommandError, match="import-catalog"):
        call_command("import_online_services", stdout=StringIO())


def test_ktp_service_page_shows_apply_online_leading_to_the_form(catalogue) -> None:  # noqa: ANN001
    call_command("import_online_services", stdout=StringIO())
    page = Client().get(f"/layanan/{KTP}/").content.decode()
    assert "Ajukan online" in page and f'href="/layanan/{KTP}/ajukan/"' in page
    hop = Client().get(f"/layanan/{KTP}/ajukan/")
    assert hop.status_code == 302 and hop["Location"] == f"/permohonan/layanan/{KTP}/"
    _user, me = citizen_loa2()
    form = me.get(hop["Location"])
    assert form.status_code == 200 and 'name="nik"' in form.content.decode()


def test_a_service_without_an_online_form_keeps_the_opening_soon_page(catalogue) -> None:  # noqa: ANN001
    from satupintu.catalog.models import Service

    other = Service.objects.exclude(slug=KTP).first()
    page = Client().get(f"/layanan/{other.slug}/ajukan/")
    assert page.status_code == 200 and other.name in page.content.decode()
    assert Client().get("/layanan/tidak-ada/ajukan/").status_code == 404
