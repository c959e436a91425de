"""Names in agency certificates fit X.509's 64-character bound without being cut inside a word
(found by the browser journey 5 of issue 10: the verification page said "signed by … (Ditjen Du")."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.x509.oid import NameOID

from satupintu.documents import keys

LONG = "Direktorat Jenderal Kependudukan dan Pencatatan Sipil (Ditjen Dukcapil)"


@pytest.mark.parametrize(("text", "expected"), [
    ("Ditjen Dukcapil", "Ditjen Dukcapil"),
    (LONG, "Direktorat Jenderal Kependudukan dan Pencatatan Sipil"),
    ("  Dinas   Kependudukan  ", "Dinas Kependudukan"),
    ("Badan " + "Penyelenggara " * 6 + "Nasional", "Badan" + " Penyelenggara" * 4 + "…"),
    ("X" * 80, "X" * 63 + "…"),
])
def test_fit_x509_name(text: str, expected: str) -> None:
    fitted = keys.fit_x509_name(text)
    assert fitted == expected
    assert len(fitted) <= keys.X509_NAME_MAX


def test_agency_certificate_of_a_long_agency_name_is_cut_between_words(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("SATUPINTU_KEYS_PASSWORD", "test-keys-password")
    keys.init_dev_ca(tmp_path, platform_name="satupintu")
    keys.issue_agency_certificate(code="dukcapil", name=LONG, directory=tmp_path)
    [(_name, cert, _current)] = keys.agency_certificates("dukcapil", tmp_path)
    common = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    organization = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value
    assert common == organization == "Direktorat Jenderal Kependudukan dan Pencatatan Sipil"
