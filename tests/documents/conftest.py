"""Fixtures for the documents app: signing keys made once per session, an agency, an issued document."""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import override_settings

from satupintu.core.principal import Principal

KEYS_PASSWORD = "test-keys-password"
AGENCY_CODE = "dukcapil-bekasi"
NIK = "3275012345670001"


@dataclass
class KeySet:
    trusted: Path
    untrusted: Path


@pytest.fixture(scope="session")
def key_set(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KeySet]:
    """A trusted platform CA with a signing key for AGENCY_CODE, and a separate, untrusted CA
    with a key for the same agency code (a forger's look-alike)."""
    from satupintu.documents import keys

    old = os.environ.get("SATUPINTU_KEYS_PASSWORD")
    os.environ["SATUPINTU_KEYS_PASSWORD"] = KEYS_PASSWORD
    trusted = tmp_path_factory.mktemp("keys")
    untrusted = tmp_path_factory.mktemp("forger-keys")
    for directory, name in ((trusted, "satupintu"), (untrusted, "satupintu")):
        keys.init_dev_ca(directory, platform_name=name)
        keys.issue_agency_certificate(code=AGENCY_CODE, name="Dinas Kependudukan dan Pencatatan Sipil Kota Bekasi",
                                      directory=directory)
    yield KeySet(trusted=trusted, untrusted=untrusted)
    if old is None:
        os.environ.pop("SATUPINTU_KEYS_PASSWORD", None)
    else:
        os.environ["SATUPINTU_KEYS_PASSWORD"] = old


@pytest.fixture(autouse=True)
def documents_settings(key_set: KeySet, tmp_path: Path) -> Iterator[Path]:
    """Every test signs with the session keys and stores documents in its own folder."""
    docs = tmp_path / "documents"
    with override_settings(SATUPINTU_KEYS_DIR=key_set.trusted, SATUPINTU_DOCUMENTS_DIR=docs, SATUPINTU_TSA_URL="",
                           SATUPINTU_PUBLIC_URL="https://portal.example.go.id"):
        yield docs


@pytest.fixture
def agency(db):  # noqa: ANN001, ANN201
    from satupintu.catalog.models import Agency

    return Agency.objects.create(code=AGENCY_CODE, name_id="Dinas Kependudukan dan Pencatatan Sipil Kota Bekasi",
                                 name_en="Population and Civil Registration Office, Bekasi City", kind="lembaga",
                                 website="https://disdukcapil.bekasikota.go.id")


@pytest.fixture
def officer() -> Principal:
    return Principal(kind="officer", id="41", display="Petugas Satu", agency=AGENCY_CODE,
                     roles=frozenset({"approver"}))


@pytest.fixture
def citizen() -> Principal:
    return Principal(kind="citizen", id="7001", display="Warga")


def issue(agency, *, reference: str = "PRM-2026-000123", holder_principal_id: str = "7001", **overrides):  # noqa: ANN001, ANN201
    from satupintu.documents.actions import document_issue

    kwargs = dict(
        agency=agency, holder_name="Budi Santoso", holder_nik=NIK, service_name="Penerbitan Akta Kelahiran",
        decision="Permohonan disetujui. Akta kelahiran diterbitkan.", valid_until=dt.date(2099, 12, 31),
        reference=reference, acting=Principal.platform(), holder_principal_id=holder_principal_id,
    )
    kwargs.update(overrides)
    return document_issue(**kwargs)


@pytest.fixture
def document(agency):  # noqa: ANN001, ANN201
    return issue(agency)


@pytest.fixture
def signed_pdf(document) -> bytes:  # noqa: ANN001
    from satupintu.documents.actions import document_path

    return document_path(document).read_bytes()


def content_streams(pdf: bytes) -> bytes:
    """All decoded page content of ``pdf`` (to look for printed text)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(pdf))
    out = b""
    for page_ref in reader.root["/Pages"]["/Kids"]:
        contents = page_ref.get_object()["/Contents"]
        streams = contents if isinstance(contents, list) else [contents]
        for stream in streams:
            out += stream.get_object().data
    return out
