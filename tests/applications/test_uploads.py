"""Uploads: content sniffing, real PDFs, re-encoded images, names, limits, scanner, guarded view."""

from __future__ import annotations

import io
import socket
import threading
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.datastructures import MultiValueDict

from satupintu.applications import uploads
from satupintu.applications.actions import FormInvalid, application_apply
from satupintu.applications.models import Application, DefinitionVersion, Upload
from satupintu.applications.uploads import ClamdScanner, check_upload, sanitise_name
from tests.applications.conftest import citizen, jpeg_bytes, pdf_bytes, png_bytes, upload, valid_post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _uploads(settings, tmp_path):  # noqa: ANN001, ANN202
    settings.SATUPINTU_UPLOAD_ROOT = str(tmp_path / "uploads")


def refuse(file, code: str, accept=("pdf", "jpeg", "png")) -> None:  # noqa: ANN001
    with pytest.raises(ValidationError) as exc:
        check_upload(file, accept=list(accept))
    assert exc.value.code == code


def test_real_pdf_is_accepted() -> None:
    checked = check_upload(upload("surat.pdf", pdf_bytes()), accept=["pdf"])
    assert (checked.kind, checked.content_type, checked.name) == ("pdf", "application/pdf", "surat.pdf")


def test_file_claiming_to_be_pdf_but_is_not_is_refused() -> None:
    refuse(upload("surat.pdf", b"MZ\x90\x00 this is an exe really " * 10), "file_type")
    refuse(upload("surat.pdf", b"hello, I am text"), "file_type")


def test_pdf_header_with_garbage_body_is_refused() -> None:
    refuse(upload("surat.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 100), "broken")


def test_type_is_decided_by_content_not_by_name() -> None:
    checked = check_upload(upload("foto.pdf", png_bytes(), "application/pdf"), accept=["png", "pdf"])
    assert checked.kind == "png" and checked.name == "foto.png"
    refuse(upload("foto.png", png_bytes()), "file_type", accept=["pdf"])


def test_images_are_reencoded_without_trailing_data() -> None:
    payload = png_bytes() + b"<script>alert(1)</script>"
    checked = check_upload(upload("x.png", payload), accept=["png"])
    assert b"<script>" not in checked.data
    from PIL import Image

    assert Image.open(io.BytesIO(checked.data)).size == (20, 10)
    assert check_upload(upload("y.jpg", jpeg_bytes()), accept=["jpeg"]).kind == "jpeg"


def test_truncated_image_is_refused() -> None:
    refuse(upload("x.png", png_bytes()[:40]), "broken")


def test_empty_file_is_refused() -> None:
    refuse(upload("kosong.pdf", b""), "empty")


def test_over_the_per_file_limit_is_refused(settings) -> None:  # noqa: ANN001
    settings.SATUPINTU_UPLOAD_MAX_FILE_BYTES = 1000
    refuse(upload("besar.pdf", pdf_bytes() + b"\n%" + b"x" * 2000), "too_large")


@pytest.mark.parametrize(("name", "expected"), [
    ("../../etc/passwd", "passwd.pdf"),
    ("..\\..\\windows\\system32\\cmd.exe", "cmd.pdf"),
    ("", "berkas.pdf"),
    ("....", "berkas.pdf"),
    ("surat\x00kehilangan.pdf", "suratkehilangan.pdf"),
    ("Surat Kehilangan (asli).PDF", "Surat Kehilangan_asli.pdf"),
    ("ｆｕｌｌｗｉｄｔｈ.pdf", "fullwidth.pdf"),
    ("a" * 300 + ".pdf", "a" * 96 + ".pdf"),
])
def test_names_are_sanitised(name: str, expected: str) -> None:
    assert sanitise_name(name, "pdf") == expected


def test_bad_files_come_back_on_the_form_with_data_kept(version: DefinitionVersion) -> None:
    data = MultiValueDict({k: [v] for k, v in valid_post(alasan="hilang", nomor_laporan="LP/9").items()})
    for name, content, message in [
        ("laporan.pdf", b"not a pdf at all", "not a PDF, JPEG, PNG file"),
        ("laporan.pdf", b"", "empty"),
        ("", pdf_bytes(), "This field is required."),  # a 0-byte name: the browser sends no file
        ("../../../../laporan.pdf", b"%PDF-1.4 broken", "damaged"),
    ]:
        with pytest.raises(FormInvalid) as exc, translation.override("en"):
            application_apply(acting=citizen(), definition=version.definition, data=data,
                              files=parse_multipart("surat_kehilangan", name, content),
                              idempotency_key="u")
        errors = {e.field: e.message for e in exc.value.errors}
        assert list(errors) == ["surat_kehilangan"], name
        assert message in errors["surat_kehilangan"], (name, errors)
        assert exc.value.form.data["nomor_laporan"] == "LP/9"
    assert Application.objects.count() == 0 and Upload.objects.count() == 0


def test_total_per_application_limit(version: DefinitionVersion, settings) -> None:  # noqa: ANN001
    settings.SATUPINTU_UPLOAD_MAX_TOTAL_BYTES = 100
    data = MultiValueDict({k: [v] for k, v in valid_post(alasan="hilang", nomor_laporan="LP/9").items()})
    with pytest.raises(FormInvalid) as exc:
        application_apply(acting=citizen(), definition=version.definition, data=data,
                          files=MultiValueDict({"surat_kehilangan": [upload("a.pdf", pdf_bytes())]}),
                          idempotency_key="t")
    assert exc.value.errors[0].rule == "total_too_large"


def parse_multipart(field: str, filename: str, content: bytes) -> MultiValueDict:
    """The files Django's own multipart parser makes of one file part (as a browser sends it)."""
    from django.http.multipartparser import MultiPartParser
    from django.test import RequestFactory

    boundary = "BoUnDaRyx"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
            f"Content-Type: application/pdf\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    request = RequestFactory().post("/", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    meta = {**request.META, "CONTENT_LENGTH": str(len(body))}
    _post, files = MultiPartParser(meta, io.BytesIO(body), request.upload_handlers, "utf-8").parse()
    return files


def test_multipart_parser_strips_path_traversal_from_names() -> None:
    files = parse_multipart("f", "../../../etc/passwd.pdf", pdf_bytes())
    assert files["f"].name == "passwd.pdf"
    assert "f" not in parse_multipart("f", "", pdf_bytes())


class FakeClamd:
    """A real socket server speaking clamd's INSTREAM protocol (for the adapter test)."""

    def __init__(self, path: Path, verdict: bytes) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(str(path))
        self.sock.listen(1)
        self.verdict = verdict
        self.received = b""
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        conn, _ = self.sock.accept()
        with conn:
            buf = b""
            while True:
                part = conn.recv(65536)
                if not part:
                    break
                buf += part
                if buf.endswith(b"\0\0\0\0"):
                    break
            self.received = buf
            conn.sendall(self.verdict)


def test_clamd_adapter_reports_infected_and_clean(tmp_path: Path) -> None:
    clean = FakeClamd(tmp_path / "ok.sock", b"stream: OK\0")
    ClamdScanner(str(tmp_path / "ok.sock")).scan(b"hello", "a.pdf")
    clean.thread.join(2)
    assert clean.received.startswith(b"zINSTREAM\0\0\0\0\x05hello")
    FakeClamd(tmp_path / "bad.sock", b"stream: Eicar-Test-Signature FOUND\0")
    with pytest.raises(uploads.InfectedFile, match="Eicar"):
        ClamdScanner(str(tmp_path / "bad.sock")).scan(b"X5O!P%", "a.pdf")
    with pytest.raises(uploads.ScannerUnavailable):
        ClamdScanner(str(tmp_path / "missing.sock")).scan(b"x", "a.pdf")


def test_download_only_through_the_chokepoint(version: DefinitionVersion, client) -> None:  # noqa: ANN001
    data = MultiValueDict({k: [v] for k, v in valid_post(alasan="hilang", nomor_laporan="LP/9").items()})
    app = application_apply(acting=citizen(), definition=version.definition, data=data,
                            files=MultiValueDict({"surat_kehilangan": [upload("lap.pdf", pdf_bytes())]}),
                            idempotency_key="dl")
    upload_id = app.answers["surat_kehilangan"]["upload"]
    url = f"/permohonan/{app.pk}/berkas/{upload_id}/"
    assert client.get(url).status_code == 404  # anonymous
    from satupintu.catalog.models import Agency
    from satupintu.identity.testing import make_officer

    other = Agency.objects.get_or_create(code="polri-uji", defaults={"name_id": "Polri (uji)", "kind": "lembaga"})[0]
    client.force_login(make_officer(agency=other, roles=["verifier"], with_totp=True))
    assert client.get(url).status_code == 404  # a verifier of another agency: same answer as missing
    from satupintu.core.principal import Principal

    request_principal = Principal(kind="officer", id="p1", agency="dukcapil", roles=frozenset({"verifier"}))
    from django.test import RequestFactory

    from satupintu.applications.views import upload_download

    request = RequestFactory().get(url)
    request.principal = request_principal  # type: ignore[attr-defined]
    response = upload_download(request, app.pk, upload_id)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"] and "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")
