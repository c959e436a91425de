"""import-catalog: validate everything first, report every error, write nothing when invalid, idempotent."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from satupintu.audit.models import AuditEvent
from satupintu.catalog.importer import CatalogImportError, import_catalog
from satupintu.catalog.models import Agency, Channel, SearchDocument, Service, Synonym
from tests.catalog.conftest import CATALOG_DIR

pytestmark = pytest.mark.django_db


def _services(folder: Path) -> list[dict]:
    return yaml.safe_load((folder / "services.yaml").read_text(encoding="utf-8"))


def _write(folder: Path, name: str, data: list[dict]) -> None:
    (folder / name).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_every_service_and_agency_of_the_shared_catalogue_is_imported(catalog) -> None:
    expected = {s["id"] for s in _services(CATALOG_DIR)}
    assert set(Service.objects.values_list("slug", flat=True)) == expected
    assert Agency.objects.count() == len(yaml.safe_load((CATALOG_DIR / "agencies.yaml").read_text()))
    assert SearchDocument.objects.count() == len(expected)
    assert Agency.objects.get(code="dukcapil").parent.code == "kemendagri"
    assert Agency.objects.get(code="samsat").kind == "pemda"  # a pemda without one region
    skck = Service.objects.get(slug="polri-skck")
    assert skck.fee_idr == 30000 and skck.agency.code == "polri"
    assert list(skck.channels.values_list("kind", flat=True)) == ["online", "app", "offline"]
    passport = Service.objects.get(slug="imigrasi-paspor-baru")
    assert passport.fee_idr is None and passport.fee_variants[0] == {
        "label": "Paspor biasa non-elektronik, masa berlaku paling lama 5 tahun", "amount_idr": 350000}
    assert Synonym.objects.filter(variant="akte", canonical="akta").exists()


def test_import_is_audited_in_the_same_transaction(catalog) -> None:
    assert AuditEvent.objects.filter(action="service.created").count() == 60
    assert AuditEvent.objects.filter(action="agency.created").count() == 31
    event = AuditEvent.objects.get(action="catalog.imported")
    assert event.actor_kind == "platform" and event.details["services_created"] == 60


def test_reimporting_the_same_files_changes_nothing(catalog) -> None:
    events = AuditEvent.objects.count()
    stamps = dict(Service.objects.values_list("slug", "updated_at"))
    report = import_catalog(CATALOG_DIR)
    assert (report.services_created, report.services_updated, report.services_unchanged) == (0, 0, 60)
    assert AuditEvent.objects.count() == events
    assert dict(Service.objects.values_list("slug", "updated_at")) == stamps


def test_a_changed_entry_is_updated_and_audited_with_its_fields(catalog, catalog_copy: Path) -> None:
    services = _services(catalog_copy)
    skck = next(s for s in services if s["id"] == "polri-skck")
    skck["fee"]["amount_idr"] = 35000
    skck["channels"] = skck["channels"][:1]
    _write(catalog_copy, "services.yaml", services)
    report = import_catalog(catalog_copy)
    assert report.services_updated == 1 and report.services_unchanged == 59
    assert Service.objects.get(slug="polri-skck").fee_idr == 35000
    assert Channel.objects.filter(service__slug="polri-skck").count() == 1
    event = AuditEvent.objects.filter(action="service.updated").get()
    assert event.details["fields"] == ["channels", "fee_idr"]


def test_unknown_keys_are_errors_naming_file_entry_and_field(db, catalog_copy: Path) -> None:
    services = _services(catalog_copy)
    services[0]["fees"] = {"amount_idr": 1}
    services[1]["fee"]["amout_idr"] = 5
    services[2]["channels"][0]["adress"] = "x"
    _write(catalog_copy, "services.yaml", services)
    with pytest.raises(CatalogImportError) as caught:
        import_catalog(catalog_copy)
    errors = {str(e) for e in caught.value.errors}
    assert f"services.yaml: {services[0]['id']}: fees: unknown key" in errors
    assert f"services.yaml: {services[1]['id']}: fee.amout_idr: unknown key" in errors
    assert f"services.yaml: {services[2]['id']}: channels[0].adress: unknown key" in errors


def test_every_error_is_reported_and_nothing_is_written(db, catalog_copy: Path) -> None:
    services = _services(catalog_copy)
    services[0]["agency"] = "no-such-agency"
    services[1]["fee"]["amount_idr"] = -5
    services[2]["life_events"] = ["ulang-tahun"]
    services[3]["id"] = services[4]["id"]
    services[5]["channels"][0]["kind"] = "fax"
    services[6]["duration_days"] = "tiga"
    services[7]["sources"] = ["ftp://example.org/x"]
    del services[8]["product"]
    agencies = yaml.safe_load((catalog_copy / "agencies.yaml").read_text(encoding="utf-8"))
    agencies[0]["kind"] = "kerajaan"
    _write(catalog_copy, "agencies.yaml", agencies)
    _write(catalog_copy, "services.yaml", services)
    with pytest.raises(CatalogImportError) as caught:
        import_catalog(catalog_copy)
    fields = {(e.file, e.field) for e in caught.value.errors}
    assert {("services.yaml", "agency"), ("services.yaml", "fee.amount_idr"), ("services.yaml", "life_events"),
            ("services.yaml", "id"), ("services.yaml", "channels[0].kind"), ("services.yaml", "duration_days"),
            ("services.yaml", "sources[0]"), ("services.yaml", "product"), ("agencies.yaml", "kind")} <= fields
    assert Service.objects.count() == 0 and Agency.objects.count() == 0 and AuditEvent.objects.count() == 0


def test_a_failed_reimport_keeps_the_previous_catalogue(catalog, catalog_copy: Path) -> None:
    services = _services(catalog_copy)
    services[0]["name_id"] = "Nama baru"
    services[1]["keywords"] = "not a list"
    _write(catalog_copy, "services.yaml", services)
    with pytest.raises(CatalogImportError):
        import_catalog(catalog_copy)
    assert Service.objects.get(slug=services[0]["id"]).name_id != "Nama baru"


def test_broken_yaml_and_missing_files_are_reported(db, tmp_path: Path) -> None:
    (tmp_path / "agencies.yaml").write_text("- code: [unclosed\n", encoding="utf-8")
    with pytest.raises(CatalogImportError) as caught:
        import_catalog(tmp_path)
    messages = [str(e) for e in caught.value.errors]
    assert any(m.startswith("agencies.yaml: -: -: not valid YAML") for m in messages)
    assert any(m.startswith("services.yaml: -: -: file not found") for m in messages)


def test_command_prints_each_error_and_fails(db, catalog_copy: Path) -> None:
    services = _services(catalog_copy)
    services[0]["colour"] = "blue"
    _write(catalog_copy, "services.yaml", services)
    err = StringIO()
    with pytest.raises(CommandError, match="1 error"):
        call_command("import_catalog", str(catalog_copy), stderr=err)
    assert f"services.yaml: {services[0]['id']}: colour: unknown key" in err.getvalue()


def test_command_if_empty_skips_a_loaded_catalogue(catalog) -> None:
    out = StringIO()
    call_command("import_catalog", str(CATALOG_DIR), "--if-empty", stdout=out)
    assert "already loaded" in out.getvalue()


def test_command_defaults_to_the_shared_data_folder(db, settings) -> None:
    settings.SATUPINTU_SHARED_DATA = CATALOG_DIR.parent
    out = StringIO()
    call_command("import_catalog", stdout=out)
    assert "60 created" in out.getvalue()
