"""Inventory import/export: whole-file validation with row and column, nothing written on error,
re-import updates by the stable key, agency scope, CSV and XLSX round trips."""

from __future__ import annotations

import io

import pytest
from django.utils import translation

from satupintu.audit.models import AuditEvent
from satupintu.consolidation.inventory_io import (
    COLUMNS,
    InventoryImportError,
    export_rows,
    import_inventory,
    template_rows,
    to_csv,
    to_xlsx,
)
from satupintu.consolidation.models import Application
from satupintu.core.principal import Principal
from tests.consolidation.conftest import admin_of

pytestmark = pytest.mark.django_db

HEADER = ",".join(COLUMNS)


def row(**overrides: str) -> str:
    values = {
        "kode_instansi": "pemda-32-16", "kode_aplikasi": "simpeg", "nama": "SIMPEG Bekasi", "deskripsi": "Data pegawai",
        "unit_pemilik": "BKPSDM", "fungsi_bisnis": "01.05", "area_layanan": "32.16", "pengguna": "internal",
        "jumlah_pengguna": "1200", "anggaran_pembangunan": "0", "anggaran_operasional": "250.000.000",
        "hosting": "dc_instansi", "status": "aktif", "jenis": "khusus", "login_nasional": "tidak",
        "pertukaran_data": "ya", "data_pribadi": "ya", "layanan_katalog": "",
    }
    values.update(overrides)
    return ",".join(values[c] for c in COLUMNS)


def csv_bytes(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")


def test_valid_csv_creates_rows_with_parsed_values_and_one_audit_event(agencies) -> None:  # noqa: ANN001
    data = csv_bytes(row(), row(kode_aplikasi="e-office", nama="e-Office", fungsi_bisnis="01.06",
                               layanan_katalog="lapor-pengaduan-pelayanan-publik;dukcapil-kk-baru"))
    result = import_inventory(data=data, filename="inv.csv", acting=admin_of("pemda-32-16"))
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    app = Application.objects.get(agency__code="pemda-32-16", code="simpeg")
    assert app.run_budget_idr == 250_000_000 and app.users_count == 1200
    assert (app.hosting, app.status, app.uses_exchange, app.uses_national_login) == ("agency_dc", "live", True, False)
    assert Application.objects.get(code="e-office").service_slugs == ["dukcapil-kk-baru",
                                                                      "lapor-pengaduan-pelayanan-publik"]
    event = AuditEvent.objects.get(action="spbe_inventory.imported")
    assert event.details["created"] == 2 and event.actor_agency == "pemda-32-16"


def test_reimport_updates_by_agency_and_code_and_leaves_others(agencies) -> None:  # noqa: ANN001
    admin = admin_of("pemda-32-16")
    import_inventory(data=csv_bytes(row(), row(kode_aplikasi="e-office", fungsi_bisnis="01.06")), filename="a.csv",
                     acting=admin)
    first_id = Application.objects.get(code="simpeg").pk
    result = import_inventory(data=csv_bytes(row(nama="SIMPEG Baru", anggaran_operasional="300000000")),
                              filename="b.csv", acting=admin)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    app = Application.objects.get(code="simpeg")
    assert (app.pk, app.name, app.run_budget_idr) == (first_id, "SIMPEG Baru", 300_000_000)
    assert Application.objects.count() == 2
    again = import_inventory(data=csv_bytes(row(nama="SIMPEG Baru", anggaran_operasional="300000000")),
                             filename="b.csv", acting=admin)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


def test_every_invalid_cell_is_reported_with_row_and_column_and_nothing_is_written(agencies) -> None:  # noqa: ANN001
    data = csv_bytes(
        row(),                                                       # row 2: fine
        row(kode_aplikasi="a2", anggaran_operasional="Rp 5 juta"),   # row 3
        row(kode_aplikasi="a3", fungsi_bisnis="99.99", hosting="awan"),  # row 4
        row(kode_aplikasi="a4", area_layanan="32.99", login_nasional="mungkin"),  # row 5
        row(kode_aplikasi="simpeg"),                                 # row 6: duplicate of row 2
        row(kode_aplikasi="a6", nama=""),                            # row 7
    )
    with translation.override("en"), pytest.raises(InventoryImportError) as caught:
        import_inventory(data=data, filename="bad.csv", acting=admin_of("pemda-32-16"))
    got = {(e.row, e.column, e.rule) for e in caught.value.errors}
    assert got == {
        (3, "anggaran_operasional", "integer"), (4, "fungsi_bisnis", "function_unknown"), (4, "hosting", "choice"),
        (5, "area_layanan", "region_unknown"), (5, "login_nasional", "boolean"), (6, "kode_aplikasi", "duplicate"),
        (7, "nama", "required"),
    }
    assert Application.objects.count() == 0
    assert not AuditEvent.objects.filter(action="spbe_inventory.imported").exists()
    message = next(e for e in caught.value.errors if e.rule == "duplicate").message
    assert "row 2" in message


def test_errors_are_in_the_users_language(agencies) -> None:  # noqa: ANN001
    with translation.override("id"), pytest.raises(InventoryImportError) as caught:
        import_inventory(data=csv_bytes(row(status="hidup")), filename="x.csv", acting=admin_of("pemda-32-16"))
    assert caught.value.errors[0].message.startswith("Gunakan salah satu")


def test_header_problems_are_reported_on_row_1(agencies) -> None:  # noqa: ANN001
    data = (HEADER.replace("hosting", "tempat") + "\n" + row() + "\n").encode()
    with pytest.raises(InventoryImportError) as caught:
        import_inventory(data=data, filename="x.csv", acting=admin_of("pemda-32-16"))
    assert {(e.row, e.column, e.rule) for e in caught.value.errors} == {
        (1, "hosting", "column_missing"), (1, "tempat", "column_unknown")}


def test_agency_admin_cannot_import_rows_of_another_agency(agencies) -> None:  # noqa: ANN001
    data = csv_bytes(row(), row(kode_instansi="pemda-32-75", area_layanan="32.75"))
    with pytest.raises(InventoryImportError) as caught:
        import_inventory(data=data, filename="x.csv", acting=admin_of("pemda-32-16"))
    assert [(e.row, e.column, e.rule) for e in caught.value.errors] == [(3, "kode_instansi", "agency_forbidden")]
    assert Application.objects.count() == 0


def test_coordinator_sees_but_cannot_import(agencies) -> None:  # noqa: ANN001
    coord = Principal(kind="officer", id="c", roles=frozenset({"spbe_coordinator"}))
    with pytest.raises(InventoryImportError) as caught:
        import_inventory(data=csv_bytes(row()), filename="x.csv", acting=coord)
    assert caught.value.errors[0].rule == "agency_forbidden"


def test_semicolon_csv_from_indonesian_excel_is_accepted(agencies) -> None:  # noqa: ANN001
    data = (HEADER.replace(",", ";") + "\n" + row(anggaran_operasional="250000000").replace(",", ";") + "\n").encode()
    assert import_inventory(data=data, filename="x.csv", acting=admin_of("pemda-32-16")).created == 1


def test_xlsx_export_then_import_round_trips(agencies) -> None:  # noqa: ANN001
    admin = admin_of("pemda-32-16")
    import_inventory(data=csv_bytes(row(nama="=HYPERLINK(\"x\")", layanan_katalog="oss-nib")), filename="a.csv",
                     acting=admin)
    exported = to_xlsx(export_rows(Application.objects.select_related("agency")))
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(exported)).worksheets[0]
    assert sheet.cell(2, 3).value == "'=HYPERLINK(\"x\")"  # formula injection neutralised
    Application.objects.all().delete()
    result = import_inventory(data=exported, filename="export.xlsx", acting=admin)
    assert result.created == 1
    app = Application.objects.get()
    assert app.name == "=HYPERLINK(\"x\")" and app.service_slugs == ["oss-nib"] and app.run_budget_idr == 250_000_000


def test_xlsx_errors_name_row_and_column(agencies) -> None:  # noqa: ANN001
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(list(COLUMNS))
    values = row().split(",")
    values[COLUMNS.index("jumlah_pengguna")] = -5  # type: ignore[call-overload]
    ws.append(values)
    buffer = io.BytesIO()
    wb.save(buffer)
    with pytest.raises(InventoryImportError) as caught:
        import_inventory(data=buffer.getvalue(), filename="x.xlsx", acting=admin_of("pemda-32-16"))
    assert [(e.row, e.column, e.rule) for e in caught.value.errors] == [(2, "jumlah_pengguna", "integer")]


def test_not_a_spreadsheet_is_a_clear_error(agencies) -> None:  # noqa: ANN001
    for name, data in (("x.xlsx", b"not a zip"), ("x.pdf", b"%PDF"), ("x.csv", b"\xff\xfe\x00bad")):
        with pytest.raises(InventoryImportError) as caught:
            import_inventory(data=data, filename=name, acting=admin_of("pemda-32-16"))
        assert caught.value.errors[0].rule in {"format", "encoding"}


def test_template_imports_cleanly_for_its_agency(agencies) -> None:  # noqa: ANN001
    from satupintu.catalog.models import Agency

    Agency.objects.create(code="dukcapil", name_id="Ditjen Dukcapil", kind="kementerian")
    data = to_csv(template_rows())
    result = import_inventory(data=data, filename="template.csv", acting=admin_of("dukcapil"))
    assert result.created == 1


def _errors(data: bytes, name: str = "inv.csv") -> list[tuple[int, str, str]]:
    with pytest.raises(InventoryImportError) as caught:
        import_inventory(data=data, filename=name, acting=admin_of("pemda-32-16"))
    assert not Application.objects.exists()
    return [(e.row, e.column, e.rule) for e in caught.value.errors]


def test_a_nul_or_control_character_in_a_cell_names_the_cell_and_writes_nothing(agencies) -> None:  # noqa: ANN001
    # PostgreSQL cannot store NUL: without the rule this was a 500 there (and stored as-is on SQLite).
    assert _errors(csv_bytes(row(nama="SIM\x00PEG"), row(kode_aplikasi="b", unit_pemilik="BKP\x1bSDM"))) == [
        (2, "nama", "control_character"), (3, "unit_pemilik", "control_character")]


def test_a_number_with_thousands_of_digits_is_implausibly_large_not_an_error_page(agencies) -> None:  # noqa: ANN001
    assert _errors(csv_bytes(row(anggaran_operasional="9" * 5000))) == [(2, "anggaran_operasional", "max_value")]


def test_a_damaged_xlsx_sheet_is_a_clear_format_error(agencies) -> None:  # noqa: ANN001
    import zipfile

    from openpyxl import Workbook

    workbook = Workbook()
    for _ in range(50):
        workbook.active.append(list(COLUMNS))
    original = io.BytesIO()
    workbook.save(original)
    for keep in (1 / 3, 2 / 3):  # damaged before the sheet's size (read on open) and after (read row by row)
        source = zipfile.ZipFile(io.BytesIO(original.getvalue()))
        damaged = io.BytesIO()
        with zipfile.ZipFile(damaged, "w") as out:
            for name in source.namelist():
                part = source.read(name)
                out.writestr(name, part[: int(len(part) * keep)] if "worksheets/sheet1" in name else part)
        assert [rule for _, _, rule in _errors(damaged.getvalue(), "rusak.xlsx")] == ["format"]


def test_an_unreadable_csv_line_is_explained_in_the_users_language(agencies) -> None:  # noqa: ANN001
    with pytest.raises(InventoryImportError) as caught:
        import_inventory(data=csv_bytes(row(nama="x" * 200_000)), filename="inv.csv", acting=admin_of("pemda-32-16"))
    error = caught.value.errors[0]
    assert (error.row, error.rule) == (2, "format")
    assert "field limit" not in error.message and "131.072" in error.message


def test_a_windows_1252_csv_says_how_to_save_it_as_utf8(agencies) -> None:  # noqa: ANN001
    data = csv_bytes(row(nama="Café")).replace("é".encode(), b"\xe9")
    with pytest.raises(InventoryImportError) as caught:
        import_inventory(data=data, filename="inv.csv", acting=admin_of("pemda-32-16"))
    error = caught.value.errors[0]
    assert (error.row, error.rule) == (2, "encoding") and "CSV UTF-8" in error.message
