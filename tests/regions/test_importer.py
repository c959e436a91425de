"""Region import: validation with line numbers, idempotence, diffs, both file formats."""

from __future__ import annotations

import hashlib
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from satupintu.regions.importer import RegionImportError, download_pinned, import_regions, resolve_sources
from satupintu.regions.models import PostalCode, Region
from tests.conftest import SMALL_POSTAL_CSV, SMALL_REGIONS_CSV

pytestmark = pytest.mark.django_db


def _snapshot() -> tuple[list, list]:
    return (
        list(Region.objects.order_by("kode").values_list("kode", "nama", "level", "parent_id")),
        list(PostalCode.objects.order_by("region_id").values_list("region_id", "kodepos")),
    )


def test_import_loads_every_level_with_parents_and_postal_codes(small_regions) -> None:
    assert small_regions.added == 13
    assert small_regions.by_level == {1: 2, 2: 4, 3: 3, 4: 4}
    assert small_regions.postal_added == 4
    village = Region.objects.get(kode="32.75.01.1001")
    assert village.parent_id == "32.75.01"
    assert village.level == 4
    assert village.kind == "kelurahan"
    assert Region.objects.get(kode="32.16").kind == "kabupaten"
    assert Region.objects.get(kode="32.75").kind == "kota"
    assert village.postal.kodepos == "17113"


def test_reimport_of_same_files_reports_zero_changes_and_touches_nothing(small_regions, small_region_files) -> None:
    before = _snapshot()
    report = import_regions(
        regions_path=small_region_files / "wilayah.csv", postal_path=small_region_files / "wilayah_kodepos.csv"
    )
    assert report.changes == 0
    assert (report.added, report.renamed, report.removed) == (0, 0, 0)
    assert _snapshot() == before


def test_reimport_reports_added_renamed_and_removed(small_regions, tmp_path: Path) -> None:
    changed = (
        SMALL_REGIONS_CSV.replace("31.71.01.1002,Cideng\n", "")
        .replace("Bekasi Timur", "Bekasi Timur Baru")
        + "32.75.01.1002,Durenjaya\n"
    )
    path = tmp_path / "changed.csv"
    path.write_text(changed, encoding="utf-8")
    report = import_regions(regions_path=path)
    assert (report.added, report.renamed, report.removed) == (1, 1, 1)
    assert Region.objects.get(kode="32.75.01").nama == "Bekasi Timur Baru"
    assert not Region.objects.filter(kode="31.71.01.1002").exists()
    # The removed village's postal code went with it; the others are untouched.
    assert not PostalCode.objects.filter(region_id="31.71.01.1002").exists()
    assert PostalCode.objects.count() == 3


@pytest.mark.parametrize(
    ("bad_line", "rule"),
    [
        ("32.75.1,Kecamatan Salah", "code_format"),
        ("32.75.01.9001,Desa Salah", "level"),
        ("32.75.02,", "name_required"),
        ("32.99.01,Yatim", "parent_missing"),
        ("32.75,Kota Bekasi Lagi", "duplicate"),
        ("32.00,Kabupaten Nol", "level"),
    ],
)
def test_file_with_one_bad_row_changes_nothing_and_names_the_line(
    small_regions, tmp_path: Path, bad_line: str, rule: str
) -> None:
    before = _snapshot()
    lines = SMALL_REGIONS_CSV.replace("Margahayu", "Margahayu Baru").splitlines()
    lines.append(bad_line)  # line 15: header + 13 regions + this one
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(RegionImportError) as caught:
        import_regions(regions_path=path)
    assert [(e.line, e.rule) for e in caught.value.errors] == [(15, rule)]
    assert "bad.csv:15" in str(caught.value)
    assert _snapshot() == before  # the valid rename in the same file was not applied either


def test_bad_postal_row_rolls_back_the_region_changes_too(small_regions, tmp_path: Path) -> None:
    before = _snapshot()
    (tmp_path / "wilayah.csv").write_text(SMALL_REGIONS_CSV + "32.75.01.1002,Durenjaya\n", encoding="utf-8")
    (tmp_path / "wilayah_kodepos.csv").write_text(SMALL_POSTAL_CSV + "32.75.01.1002,1711\n", encoding="utf-8")
    with pytest.raises(RegionImportError) as caught:
        import_regions(regions_path=tmp_path / "wilayah.csv", postal_path=tmp_path / "wilayah_kodepos.csv")
    assert [(e.source, e.line, e.rule) for e in caught.value.errors] == [("wilayah_kodepos.csv", 6, "postal_format")]
    assert _snapshot() == before


def test_postal_code_for_unknown_village_is_rejected(small_regions, tmp_path: Path) -> None:
    path = tmp_path / "wilayah_kodepos.csv"
    path.write_text("kode,kodepos\n99.99.99.1999,12345\n", encoding="utf-8")
    with pytest.raises(RegionImportError) as caught:
        import_regions(regions_path=None, postal_path=path)
    assert caught.value.errors[0].rule == "region_missing"


def test_wrong_header_is_reported_on_line_one(db, tmp_path: Path) -> None:
    path = tmp_path / "wilayah.csv"
    path.write_text("code,name\n11,Aceh\n", encoding="utf-8")
    with pytest.raises(RegionImportError) as caught:
        import_regions(regions_path=path)
    assert (caught.value.errors[0].line, caught.value.errors[0].rule) == (1, "header")
    assert Region.objects.count() == 0


def test_sql_dump_with_doubled_quotes_is_read(db, tmp_path: Path) -> None:
    path = tmp_path / "wilayah.sql"
    path.write_text(
        "-- dump\nDROP TABLE IF EXISTS wilayah;\nINSERT INTO wilayah (kode, nama)\nVALUES\n"
        "('11','Aceh'),\n('11.01','Kabupaten Aceh Selatan'),\n('11.01.02','Kluet Utara'),\n"
        "('11.01.02.2018','Pasi Kuala Ba''u'),\n('11.01.02.2019','Kurau (Timur)');\n",
        encoding="utf-8",
    )
    report = import_regions(regions_path=path)
    assert report.added == 5
    assert Region.objects.get(kode="11.01.02.2018").nama == "Pasi Kuala Ba'u"
    assert Region.objects.get(kode="11.01.02.2019").nama == "Kurau (Timur)"


def test_sql_dump_with_broken_tuple_names_its_line(db, tmp_path: Path) -> None:
    path = tmp_path / "wilayah.sql"
    path.write_text(
        "INSERT INTO wilayah (kode, nama)\nVALUES\n('11','Aceh'),\n('11.01',Kabupaten),\n", encoding="utf-8"
    )
    with pytest.raises(RegionImportError) as caught:
        import_regions(regions_path=path)
    assert (caught.value.errors[0].line, caught.value.errors[0].rule) == (4, "syntax")


def test_single_file_kind_is_detected(small_region_files: Path) -> None:
    postal = small_region_files / "wilayah_kodepos.csv"
    assert resolve_sources(postal) == (None, postal)
    assert resolve_sources(small_region_files) == (
        small_region_files / "wilayah.csv",
        small_region_files / "wilayah_kodepos.csv",
    )


def test_command_reports_counts_and_if_empty_skips(small_region_files: Path, capsys, db) -> None:
    call_command("import_regions", str(small_region_files))
    out = capsys.readouterr().out
    assert "Regions: 13 (provinces 2, regencies/cities 4, districts 3, villages 4); added 13" in out
    call_command("import_regions", str(small_region_files), "--if-empty")
    assert "already loaded" in capsys.readouterr().out


def test_command_with_bad_file_fails_with_line(tmp_path: Path, db) -> None:
    (tmp_path / "wilayah.csv").write_text("kode,nama\n11,Aceh\n11.01,\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"wilayah.csv:3: \[name_required\]"):
        call_command("import_regions", str(tmp_path))


@pytest.fixture
def file_server(tmp_path: Path) -> Iterator[str]:
    """A static file server on 127.0.0.1 (stands in for the upstream host)."""
    root = tmp_path / "www"
    root.mkdir()
    (root / "wilayah.csv").write_text(SMALL_REGIONS_CSV, encoding="utf-8")

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, *args) -> None:  # noqa: ANN002
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_download_checks_sha256_then_imports(file_server: str, db, capsys) -> None:
    sha = hashlib.sha256(SMALL_REGIONS_CSV.encode()).hexdigest()
    call_command("import_regions", "--url", f"{file_server}/wilayah.csv", "--sha256", sha)
    assert Region.objects.count() == 13


def test_download_with_wrong_sha256_imports_nothing(file_server: str, db) -> None:
    with pytest.raises(CommandError, match="sha256"):
        call_command("import_regions", "--url", f"{file_server}/wilayah.csv", "--sha256", "0" * 64)
    assert Region.objects.count() == 0


def test_download_of_missing_file_is_a_clear_error(file_server: str) -> None:
    with pytest.raises(RegionImportError, match="HTTP 404"):
        download_pinned(f"{file_server}/nope.sql", "0" * 64)


@pytest.mark.parametrize("url", ["wilayah.csv", "ftp://example.invalid/wilayah.csv", "{server}/nope.sql"])
def test_a_bad_url_says_the_source_failed_not_that_rows_are_invalid(file_server: str, db, url: str) -> None:
    with pytest.raises(CommandError) as caught:
        call_command("import_regions", "--url", url.format(server=file_server), "--sha256", "0" * 64)
    message = str(caught.value)
    assert message.startswith("The source could not be used; nothing was imported.") and "[download]" in message
    assert "invalid row" not in message and Region.objects.count() == 0
