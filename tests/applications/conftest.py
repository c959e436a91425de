"""Fixtures for the applications tests: agencies, principals, a definition using every field type."""

from __future__ import annotations

import copy
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from satupintu.applications.actions import definition_import
from satupintu.applications.definitions_io import parse_definition
from satupintu.applications.models import DefinitionVersion
from satupintu.catalog.models import Agency
from satupintu.core.principal import Principal

T = {"id": "Teks", "en": "Text"}


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """Each test starts with empty sign-in rate-limit counters (allauth keeps them in the cache,
    ``login`` 30/min per IP): the page tests sign in through allauth many times a minute."""
    from django.core.cache import cache

    cache.clear()


def texts(id_: str, en: str) -> dict[str, str]:
    return {"id": id_, "en": en}


FULL_SCHEMA: dict[str, Any] = {
    "format": 1,
    "fields": [
        {"name": "nama", "type": "text", "required": True, "label": texts("Nama lengkap", "Full name"),
         "rules": {"min_length": 3, "max_length": 60, "pattern": "[A-Za-z' .]+",
                   "pattern_message": texts("Hanya huruf.", "Letters only.")}},
        {"name": "catatan", "type": "textarea", "label": texts("Catatan", "Notes"), "rules": {"max_length": 50}},
        {"name": "jumlah_anak", "type": "number", "label": texts("Jumlah anak", "Children"),
         "rules": {"min": 0, "max": 20}},
        {"name": "luas", "type": "decimal", "label": texts("Luas (m2)", "Area (m2)"),
         "rules": {"min": 0.5, "max": 1000, "decimal_places": 2}},
        {"name": "tanggal_lahir", "type": "date", "required": True, "label": texts("Tanggal lahir", "Date of birth"),
         "rules": {"after": "1900-01-01", "before": "today"}},
        {"name": "nik", "type": "nik", "required": True, "label": texts("NIK", "NIK")},
        {"name": "npwp", "type": "npwp", "label": texts("NPWP", "NPWP")},
        {"name": "email", "type": "email", "label": texts("Surel", "E-mail")},
        {"name": "telepon", "type": "phone", "label": texts("Telepon", "Phone")},
        {"name": "wilayah", "type": "region", "region_level": 2, "label": texts("Kabupaten/kota", "Regency/city")},
        {"name": "alamat", "type": "address", "label": texts("Alamat", "Address")},
        {"name": "alasan", "type": "choice", "required": True, "label": texts("Alasan", "Reason"),
         "choices": [{"value": "hilang", "label": texts("Hilang", "Lost")},
                     {"value": "rusak", "label": texts("Rusak", "Damaged")}]},
        {"name": "surat_kehilangan", "type": "file", "required": True, "accept": ["pdf", "jpeg", "png"],
         "label": texts("Surat kehilangan", "Police loss report"), "show_if": {"field": "alasan", "equals": "hilang"}},
        {"name": "nomor_laporan", "type": "text", "required": True, "label": texts("Nomor laporan", "Report number"),
         "show_if": {"field": "alasan", "equals": "hilang"}},
        {"name": "keperluan", "type": "multichoice", "label": texts("Keperluan", "Purposes"),
         "rules": {"max_items": 2},
         "choices": [{"value": "kerja", "label": texts("Kerja", "Work")},
                     {"value": "sekolah", "label": texts("Sekolah", "School")},
                     {"value": "visa", "label": texts("Visa", "Visa")}]},
        {"name": "punya_paspor", "type": "yesno", "label": texts("Punya paspor?", "Have a passport?")},
        {"name": "anggota", "type": "group", "label": texts("Anggota keluarga", "Family members"),
         "rules": {"max_items": 5},
         "fields": [
             {"name": "nama", "type": "text", "required": True, "label": texts("Nama", "Name")},
             {"name": "nik", "type": "nik", "required": True, "label": texts("NIK", "NIK")},
         ]},
        {"name": "pernyataan", "type": "statement", "label": texts("Pernyataan", "Statement"),
         "text": texts("Data yang saya isi benar.", "The data I entered is true.")},
    ],
}

WORKFLOW: dict[str, Any] = {
    "initial": "diajukan",
    "states": [
        {"name": "diajukan", "label": texts("Diajukan", "Submitted")},
        {"name": "diverifikasi", "label": texts("Diverifikasi", "Verified")},
        {"name": "perlu_perbaikan", "label": texts("Perlu perbaikan", "Needs revision"), "with": "applicant"},
        {"name": "disetujui", "label": texts("Disetujui", "Approved"), "final": "approved"},
        {"name": "ditolak", "label": texts("Ditolak", "Rejected"), "final": "rejected"},
    ],
    "transitions": [
        {"name": "verifikasi", "from": ["diajukan"], "to": "diverifikasi", "role": "verifier",
         "label": texts("Verifikasi", "Verify")},
        {"name": "minta_perbaikan", "from": ["diajukan", "diverifikasi"], "to": "perlu_perbaikan",
         "role": "verifier", "reason_required": True, "label": texts("Minta perbaikan", "Ask for a fix")},
        {"name": "kirim_perbaikan", "from": ["perlu_perbaikan"], "to": "diajukan", "role": "applicant",
         "label": texts("Kirim perbaikan", "Send the fix")},
        {"name": "setujui", "from": ["diverifikasi"], "to": "disetujui", "role": "approver",
         "label": texts("Setujui", "Approve")},
        {"name": "tolak", "from": ["diverifikasi"], "to": "ditolak", "role": "approver", "reason_required": True,
         "label": texts("Tolak", "Reject")},
    ],
}

VALID_NIK = "3275014101900002"  # Kota Bekasi, woman born 01-01-1990
VALID_NIK_2 = "3171011506850001"


def definition_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "slug": "uji-layanan", "service": "uji-layanan", "agency": "dukcapil",
        "name": texts("Layanan uji", "Test service"), "level_of_assurance": 2, "sla_working_days": 3,
        "outcome_template": "uji", "documents": [{"code": "lapor", "label": texts("Surat", "Report"),
                                                   "field": "surat_kehilangan"}],
        "form": copy.deepcopy(FULL_SCHEMA), "workflow": copy.deepcopy(WORKFLOW),
    }
    data.update(overrides)
    return data


def citizen(n: int = 1) -> Principal:
    return Principal(kind="citizen", id=f"warga-{n}", display=f"Warga {n}")


def officer(agency: str, *roles: str, n: int = 1) -> Principal:
    return Principal(kind="officer", id=f"petugas-{agency}-{n}", display=f"Petugas {n}", agency=agency,
                     roles=frozenset(roles or {"verifier", "approver"}))


@pytest.fixture
def agencies(db, small_regions) -> dict[str, Agency]:  # noqa: ANN001
    from satupintu.regions.models import Region

    Region.objects.create(kode="94", nama="Papua Tengah", level=1, nama_lower="papua tengah")
    Region.objects.create(kode="94.01", nama="Kabupaten Nabire", level=2, parent_id="94", nama_lower="kab nabire")
    return {
        "dukcapil": Agency.objects.create(code="dukcapil", name_id="Ditjen Dukcapil", kind="kementerian"),
        "polri": Agency.objects.create(code="polri", name_id="Polri", kind="lembaga"),
        "pemda-94-01": Agency.objects.create(code="pemda-94-01", name_id="Pemkab Nabire", kind="pemda",
                                             region_id="94.01"),
    }


@pytest.fixture
def version(agencies) -> DefinitionVersion:  # noqa: ANN001
    v, _created = definition_import(content=parse_definition(definition_data()), acting=Principal.platform())
    return v


def pdf_bytes(pages: int = 1) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png_bytes(size: tuple[int, int] = (20, 10)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (200, 10, 10)).save(out, format="PNG")
    return out.getvalue()


def jpeg_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (16, 16), (0, 100, 0)).save(out, format="JPEG")
    return out.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def valid_post(version_number: int = 1, **overrides: Any) -> dict[str, Any]:
    """A complete POST for FULL_SCHEMA (reason "rusak": no loss report needed)."""
    data: dict[str, Any] = {
        "_version": str(version_number), "nama": "Siti Aminah", "tanggal_lahir": "1990-01-01", "nik": VALID_NIK,
        "alasan": "rusak", "anggota-count": "1",
    }
    data.update(overrides)
    return data
