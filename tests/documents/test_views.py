"""HTML pages: /verifikasi/ (public, no JavaScript needed), the holder's download, revocation."""

from __future__ import annotations

import io
import re

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.test import Client, RequestFactory
from django.urls import reverse

from satupintu.audit.models import AuditEvent
from satupintu.core.principal import Principal
from satupintu.documents import views
from satupintu.documents.models import DocumentStatus

pytestmark = pytest.mark.django_db

GIB_200 = 200 * 1024 * 1024


def test_verification_page_works_without_javascript(client: Client, document, signed_pdf) -> None:
    page = client.get("/verifikasi/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<script" not in html  # nothing on the page needs JavaScript
    assert re.search(r'<form method="post" action="/verifikasi/" enctype="multipart/form-data">', html)
    assert '<label for="file">' in html and '<label for="id">' in html
    # A plain form POST (what a browser without JavaScript sends) gets the verdict as HTML.
    result = client.post("/verifikasi/", {"file": io.BytesIO(signed_pdf)})
    html = result.content.decode()
    assert result.status_code == 200 and "<script" not in html
    assert 'role="status"' in html and "Sah" in html and document.number in html
    # The id form is a plain GET that lands on the document's public page.
    by_id = client.get("/verifikasi/", {"id": str(document.pk)}, follow=True)
    assert by_id.redirect_chain[-1][0] == f"/verifikasi/{document.pk}/"
    assert document.number in by_id.content.decode() and "<script" not in by_id.content.decode()


def test_status_page_shows_issuer_service_number_date_status_and_masked_holder(client: Client, document) -> None:
    html = client.get(f"/verifikasi/{document.pk}/").content.decode()
    for expected in ("Dinas Kependudukan dan Pencatatan Sipil Kota Bekasi", "Penerbitan Akta Kelahiran",
                     document.number, "Bu** Sa*****", "SAH"):
        assert expected in html, expected
    assert "Budi Santoso" not in html and "3275" not in html


def test_status_page_in_english(client: Client, document) -> None:
    html = client.get(f"/verifikasi/{document.pk}/?lang=en").content.decode()
    assert "This document is registered and VALID." in html and "Issuing agency" in html


def test_a_forged_qr_id_gets_a_clear_not_registered_page(client: Client) -> None:
    for forged in ("6f1c1b8e-0000-4000-8000-000000000000", "not-a-uuid", "%00'--"):
        page = client.get(f"/verifikasi/{forged}/")
        assert page.status_code == 404
        assert "Tidak ada dokumen dengan id ini" in page.content.decode()
    page = client.get("/verifikasi/", {"id": "SP/PALSU/1"})
    assert page.status_code == 404 and "bukan id dokumen" in page.content.decode()


def test_revoked_document_page_says_dicabut_with_the_date(client: Client, document, officer) -> None:
    from satupintu.documents.actions import document_revoke

    document_revoke(document=document, reason="Diterbitkan karena kesalahan data.", acting=officer)
    html = client.get(f"/verifikasi/{document.pk}/").content.decode()
    assert "DICABUT" in html and "dicabut" in html
    assert re.search(r"\d{1,2} \w+ 20\d\d", html)


@pytest.mark.parametrize(("body", "expected"), [
    (b"", "kosong"),
    (b"hello, I am text", "bukan dokumen PDF"),
])
def test_bad_uploads_get_a_verdict_not_an_error(client: Client, body: bytes, expected: str) -> None:
    page = client.post("/verifikasi/", {"file": io.BytesIO(body)})
    assert page.status_code == 200 and expected in page.content.decode()


def test_posting_without_a_file_names_the_field(client: Client) -> None:
    page = client.post("/verifikasi/", {"other": "x"})
    assert page.status_code == 400 and "file" in page.content.decode()


class LazyBody(io.RawIOBase):
    """A request body of ``size`` bytes made on demand; counts what the server read."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # noqa: ANN001
        n = min(len(buffer), self.size - self.read_bytes)
        buffer[:n] = b"A" * n
        self.read_bytes += n
        return n


def _wsgi_post(path: str, body: LazyBody, content_type: str) -> tuple[int, bytes]:
    environ = RequestFactory()._base_environ(PATH_INFO=path, REQUEST_METHOD="POST", CONTENT_TYPE=content_type,
                                              CONTENT_LENGTH=str(body.size), **{"wsgi.input": body})
    status: list[str] = []
    chunks = WSGIHandler()(environ, lambda s, h, *a: status.append(s))
    return int(status[0].split()[0]), b"".join(chunks)


@pytest.mark.parametrize("content_type", ["multipart/form-data; boundary=xyz", "application/pdf"])
def test_a_200_mb_upload_is_refused_before_it_is_read(content_type: str) -> None:
    body = LazyBody(GIB_200)
    code, content = _wsgi_post("/verifikasi/", body, content_type)
    assert code == 413
    assert "lebih besar dari 10 MB" in content.decode()
    assert body.read_bytes < 1024 * 1024  # nowhere near 200 MB was read


def test_a_body_that_lies_about_its_size_is_stopped_at_the_limit(settings) -> None:
    settings.SATUPINTU_DOCUMENTS_MAX_UPLOAD = 100_000
    boundary = "xyz"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n"
            "Content-Type: application/pdf\r\n\r\n").encode()
    payload = head + b"%PDF-1.7\n" + b"0" * 150_000 + f"\r\n--{boundary}--\r\n".encode()
    request = RequestFactory().post("/verifikasi/", data=payload,
                                    content_type=f"multipart/form-data; boundary={boundary}")
    request.META["CONTENT_LENGTH"] = str(len(payload))  # within limit + envelope, so only the stream guard stops it
    response = views.verify(request)
    assert response.status_code == 413


def _as(principal: Principal, method: str, path: str, data: dict | None = None):  # noqa: ANN202
    factory = RequestFactory()
    request = factory.post(path, data or {}) if method == "POST" else factory.get(path)
    request.principal = principal
    request._dont_enforce_csrf_checks = True
    return request


def test_the_holder_downloads_the_signed_pdf_without_an_audit_event(document, signed_pdf, citizen) -> None:
    response = views.download(_as(citizen, "GET", "/"), str(document.pk))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == signed_pdf
    assert "attachment" in response["Content-Disposition"] and {"private", "no-store"} <= set(
        response["Cache-Control"].replace(" ", "").split(","))
    assert not AuditEvent.objects.filter(action="document.downloaded").exists()


def test_an_officer_of_the_agency_downloads_it_and_that_is_audited(document, officer) -> None:
    response = views.download(_as(officer, "GET", "/"), str(document.pk))
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="document.downloaded", actor_id=officer.id).count() == 1


@pytest.mark.parametrize("principal", [
    Principal(kind="citizen", id="9999"),
    Principal(kind="officer", id="5", agency="imigrasi", roles=frozenset({"approver"})),
    Principal(kind="officer", id="6", roles=frozenset({"platform_admin"})),
])
def test_anyone_else_gets_404_for_download(document, principal: Principal) -> None:
    from django.http import Http404

    with pytest.raises(Http404):
        views.download(_as(principal, "GET", "/"), str(document.pk))


def test_download_needs_login_over_http(client: Client, document) -> None:
    path = reverse("documents:download", args=[document.pk])
    response = client.get(path)
    assert response.status_code == 302 and response["Location"] == f"/akun/login/?next={path}"


def test_an_approver_revokes_with_a_reason_and_it_is_audited(document, officer) -> None:
    path = reverse("documents:revoke", args=[document.pk])
    response = views.revoke(_as(officer, "POST", path, {"reason": "Salah data, lihat memo 12/2026."}),
                            str(document.pk))
    assert response.status_code == 302 and response["Location"] == f"/verifikasi/{document.pk}/"
    document.refresh_from_db()
    assert document.status == DocumentStatus.REVOKED and document.revoked_reason.startswith("Salah data")
    event = AuditEvent.objects.get(action="document.revoked")
    assert event.actor_id == officer.id and event.details["reason"] == "Salah data, lihat memo 12/2026."


def test_revoking_without_a_reason_is_refused_and_changes_nothing(document, officer) -> None:
    path = reverse("documents:revoke", args=[document.pk])
    response = views.revoke(_as(officer, "POST", path, {"reason": "short"}), str(document.pk))
    assert response.status_code == 422 and "10" in response.content.decode()
    document.refresh_from_db()
    assert document.status == DocumentStatus.VALID
    assert not AuditEvent.objects.filter(action="document.revoked").exists()


def test_an_officer_without_the_approver_role_may_not_revoke(document) -> None:
    clerk = Principal(kind="officer", id="77", agency=document.agency.code, roles=frozenset({"operator"}))
    for method in ("GET", "POST"):
        response = views.revoke(_as(clerk, method, "/", {"reason": "Saya ingin mencabutnya."}), str(document.pk))
        html = response.content.decode()
        # The page says why, in the visitor's language, and offers no form.
        assert response.status_code == 403 and 'name="reason"' not in html
        assert "Hanya pemberi persetujuan atau administrator instansi penerbit" in html
    document.refresh_from_db()
    assert document.status == DocumentStatus.VALID
    assert not AuditEvent.objects.filter(action="document.revoked").exists()


def test_the_status_page_offers_revocation_only_to_an_approver_of_the_agency(document, officer) -> None:
    link = f'href="/dokumen/{document.pk}/cabut/"'
    for principal, shown in ((officer, True), (Principal.anonymous(), False),
                             (Principal(kind="officer", id="8", agency="imigrasi", roles=frozenset({"approver"})),
                              False)):
        html = views.status(_as(principal, "GET", "/"), str(document.pk)).content.decode()
        assert (link in html) is shown


def test_revoking_twice_records_one_event(document, officer) -> None:
    from satupintu.documents.actions import document_revoke

    first = document_revoke(document=document, reason="Kesalahan penerbitan dokumen.", acting=officer)
    second = document_revoke(document=document, reason="Alasan lain yang berbeda.", acting=officer)
    assert first.revoked_at == second.revoked_at
    assert AuditEvent.objects.filter(action="document.revoked").count() == 1
