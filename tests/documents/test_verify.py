"""Verification of uploaded PDFs (issue 8, Proof and Bad input), through verify_pdf itself."""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from reportlab.pdfgen.canvas import Canvas

from satupintu.documents import keys, render, signing
from satupintu.documents.actions import document_revoke
from satupintu.documents.verify import verify_pdf
from tests.documents.conftest import AGENCY_CODE

pytestmark = pytest.mark.django_db


def _unsigned_pdf() -> bytes:
    buf = io.BytesIO()
    canvas = Canvas(buf)
    canvas.drawString(72, 720, "Surat tanpa tanda tangan")
    canvas.showPage()
    canvas.save()
    return buf.getvalue()


def test_a_signed_document_validates(document, signed_pdf) -> None:
    verdict = verify_pdf(signed_pdf)
    assert verdict.status == "valid" and verdict.ok
    [sig] = verdict.signatures
    assert sig.intact and sig.trusted and sig.coverage == "ENTIRE_FILE" and sig.uncovered_bytes == 0
    assert sig.level == "B-B" and sig.signer_organization.startswith("Dinas Kependudukan")
    assert sig.byte_range[0] == 0 and sig.byte_range[2] + sig.byte_range[3] == len(signed_pdf)
    assert verdict.document is not None and verdict.document["number"] == document.number
    assert verdict.document["holderName"] == "Bu** Sa*****"
    assert "tidak berubah" in verdict.message  # Indonesian by default


def test_changing_one_byte_inside_the_signed_range_fails(signed_pdf) -> None:
    offset = signed_pdf.index(b"ReportLab PDF Library") + 3
    verdict = verify_pdf(signed_pdf)
    start2 = verdict.signatures[0].byte_range[2]
    assert offset < verdict.signatures[0].byte_range[1] or offset >= start2  # inside the signed range
    tampered = signed_pdf[:offset] + bytes([signed_pdf[offset] ^ 0x01]) + signed_pdf[offset + 1:]
    verdict = verify_pdf(tampered)
    assert verdict.status == "invalid" and not verdict.ok
    assert not verdict.signatures[0].intact
    assert verdict.document is None


def test_an_incremental_update_after_signing_is_reported_with_the_covered_range(signed_pdf) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(signed_pdf))
    writer.root["/SatupintuNote"] = generic.TextStringObject("ditambahkan setelah tanda tangan")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    updated = out.getvalue()
    verdict = verify_pdf(updated)
    assert verdict.status == "modified" and not verdict.ok
    [sig] = verdict.signatures
    assert sig.intact and sig.trusted  # the signed bytes themselves are untouched
    assert sig.later_revisions == 1
    assert sig.covered_until == len(signed_pdf)
    assert sig.uncovered_bytes == len(updated) - len(signed_pdf) > 0
    assert str(len(signed_pdf)) in verdict.message and "1" in verdict.message


def test_trailing_bytes_after_eof_are_reported(signed_pdf) -> None:
    verdict = verify_pdf(signed_pdf + b"\n% appended junk after the end of file\n")
    assert verdict.status == "modified"
    [sig] = verdict.signatures
    assert sig.later_revisions == 0 and sig.uncovered_bytes == 39
    assert "39" in verdict.message


def test_a_pdf_signed_by_an_untrusted_key_is_not_trusted(key_set) -> None:
    forger = keys.load_signer(AGENCY_CODE, directory=key_set.untrusted)
    forged = signing.sign_pdf(_unsigned_pdf(), signer=forger, number="SP/X/2026/000001", verify_hint="x",
                              reason="palsu")
    verdict = verify_pdf(forged)
    assert verdict.status == "untrusted" and not verdict.ok
    assert verdict.signatures[0].intact and not verdict.signatures[0].trusted


def test_a_revoked_document_shows_revoked(document, signed_pdf, officer) -> None:
    document_revoke(document=document, reason="Data kelahiran keliru, diterbitkan ulang.", acting=officer)
    verdict = verify_pdf(signed_pdf)
    assert verdict.status == "revoked" and not verdict.ok
    assert "DICABUT" in verdict.message
    assert verdict.document is not None and verdict.document["revokedAt"]


def test_a_superseded_document_shows_superseded(agency, document, signed_pdf) -> None:
    from tests.documents.conftest import issue

    newer = issue(agency, reference="PRM-NEW", supersedes=document)
    verdict = verify_pdf(signed_pdf)
    assert verdict.status == "superseded" and newer.number in verdict.message


# Bad input: a clear verdict, never an exception.

def test_empty_file() -> None:
    verdict = verify_pdf(b"")
    assert verdict.status == "empty" and "kosong" in verdict.message


def test_not_a_pdf() -> None:
    verdict = verify_pdf(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    assert verdict.status == "not_pdf" and "bukan dokumen PDF" in verdict.message


def test_a_damaged_pdf() -> None:
    verdict = verify_pdf(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage without xref\n%%EOF\n")
    assert verdict.status == "malformed"


def test_an_encrypted_pdf() -> None:
    buf = io.BytesIO()
    canvas = Canvas(buf, encrypt="rahasia")
    canvas.drawString(72, 720, "terkunci")
    canvas.save()
    verdict = verify_pdf(buf.getvalue())
    assert verdict.status == "encrypted" and "kata sandi" in verdict.message


def test_a_pdf_without_signatures() -> None:
    verdict = verify_pdf(_unsigned_pdf())
    assert verdict.status == "no_signature" and "tanda tangan digital" in verdict.message


def test_a_truncated_signed_pdf_is_not_valid(signed_pdf) -> None:
    verdict = verify_pdf(signed_pdf[: len(signed_pdf) // 2])
    assert verdict.status in {"malformed", "invalid", "no_signature"} and not verdict.ok


def test_render_alone_makes_an_unsigned_pdf() -> None:
    import datetime as dt

    content = render.OutcomeContent(
        document_id="x", number="N", agency_name="A", agency_name_en="", agency_website="", holder_name="H",
        holder_nik_masked="", service_name="S", decision="D", issued_on=dt.date(2026, 1, 5), valid_until=None,
        reference="R", verify_url="https://portal.example.go.id/verifikasi/x/", platform_name="satupintu")
    assert verify_pdf(render.render_default(content)).status == "no_signature"
    assert render.tanggal(dt.date(2026, 1, 5)) == "5 Januari 2026"


KNOWN = {"valid", "modified", "invalid", "untrusted", "revoked", "superseded", "empty", "not_pdf", "encrypted",
         "malformed", "no_signature"}


def test_damaged_files_always_get_a_verdict_never_an_exception(signed_pdf) -> None:
    import random

    _, gap_start, gap_end, _ = verify_pdf(signed_pdf).signatures[0].byte_range
    rng = random.Random(8)  # fixed seed: the same 120 damaged files every run
    seen: dict[str, int] = {}
    for i in range(120):
        data = bytearray(signed_pdf)
        touched_signed_range = True
        if i % 3 == 0:
            data = data[: rng.randrange(len(data))]
        else:
            positions = [rng.randrange(len(data)) for _ in range(rng.randint(1, 8))]
            for pos in positions:
                data[pos] = (data[pos] + rng.randrange(1, 256)) % 256
            touched_signed_range = any(not gap_start <= p < gap_end for p in positions)
        verdict = verify_pdf(bytes(data))
        assert verdict.status in KNOWN and verdict.message
        if touched_signed_range:
            assert verdict.status != "valid", i
        seen[verdict.status] = seen.get(verdict.status, 0) + 1
    assert {"invalid", "malformed"} <= set(seen), seen


@pytest.mark.parametrize("byte_range", [b"/ByteRange 5", b"/ByteRange [0 1 2]", b"/ByteRange [-5 10 20 30]"])
def test_a_signature_with_a_forged_byte_range_is_invalid_not_an_error(signed_pdf, client, byte_range) -> None:
    import re

    forged = re.sub(rb"/ByteRange\s*\[[^\]]*\]", lambda m: byte_range.ljust(len(m.group(0))), signed_pdf, count=1)
    assert forged != signed_pdf
    verdict = verify_pdf(forged)
    assert verdict.status == "invalid" and not verdict.ok and verdict.message
    response = client.post("/api/v1/documents/verify", forged, content_type="application/pdf")
    assert response.status_code == 200 and response.json()["status"] == "invalid"
