"""JSON API: POST /api/v1/documents/verify and GET /api/v1/documents/{id}."""

from __future__ import annotations

import io

import pytest
from django.test import Client

from tests.documents.test_views import GIB_200, LazyBody, _wsgi_post

pytestmark = pytest.mark.django_db


def test_verify_a_raw_pdf_body(client: Client, document, signed_pdf) -> None:
    response = client.post("/api/v1/documents/verify", data=signed_pdf, content_type="application/pdf")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "valid" and body["valid"] is True
    assert body["document"]["number"] == document.number and body["document"]["holderName"] == "Bu** Sa*****"
    [sig] = body["signatures"]
    assert sig["intact"] and sig["trusted"] and sig["coverage"] == "ENTIRE_FILE" and sig["level"] == "B-B"
    assert sig["byteRange"][0] == 0 and sig["coveredUntil"] == len(signed_pdf)


def test_verify_a_multipart_upload_in_english(client: Client, signed_pdf) -> None:
    tampered = signed_pdf.replace(b"ReportLab PDF Library", b"ReportLab PDF Librarz", 1)
    response = client.post("/api/v1/documents/verify?lang=en", {"file": io.BytesIO(tampered)})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "invalid" and body["valid"] is False
    assert body["message"].startswith("The signature is NOT valid")


@pytest.mark.parametrize(("payload", "status"), [
    (b"", "empty"), (b"PK\x03\x04 a zip file", "not_pdf"), (b"%PDF-1.4\n%%EOF\n", "malformed"),
])
def test_bad_pdfs_get_a_verdict(client: Client, payload: bytes, status: str) -> None:
    # The test client drops the content type of an empty body; a real client sends it.
    response = client.post("/api/v1/documents/verify", data=payload, content_type="application/pdf",
                           CONTENT_TYPE="application/pdf")
    assert response.status_code == 200 and response.json()["status"] == status


def test_no_file_is_a_problem_naming_the_field(client: Client) -> None:
    response = client.post("/api/v1/documents/verify", {"note": "x"})
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "file"


@pytest.mark.parametrize("content_type", ["multipart/form-data; boundary=xyz", "application/pdf"])
def test_a_200_mb_body_is_refused_with_413_before_it_is_read(content_type: str) -> None:
    body = LazyBody(GIB_200)
    code, content = _wsgi_post("/api/v1/documents/verify", body, content_type)
    assert code == 413 and b"payload-too-large" in content
    assert body.read_bytes < 1024 * 1024


def test_public_status_by_id(client: Client, document) -> None:
    body = client.get(f"/api/v1/documents/{document.pk}").json()
    assert body["number"] == document.number and body["status"] == "valid"
    assert body["agencyCode"] == document.agency.code and "holderNik" not in body


@pytest.mark.parametrize("forged", ["6f1c1b8e-0000-4000-8000-000000000000", "not-a-uuid"])
def test_a_forged_id_is_404_problem(client: Client, forged: str) -> None:
    response = client.get(f"/api/v1/documents/{forged}")
    assert response.status_code == 404 and response.json()["type"] == "/problems/not-found"


def test_the_operations_are_in_the_openapi_document(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/documents/verify" in paths
    assert "application/pdf" in paths["/api/v1/documents/verify"]["post"]["requestBody"]["content"]
