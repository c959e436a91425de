"""Outcome documents: generated+signed per second and verifications per second.

Baselines measured in the same run: rendering the same outcome as an unsigned PDF (so
"issue ÷ render" shows what signing, storing and recording cost) and merely parsing the signed
PDF (so "verify ÷ parse" shows what the cryptographic validation costs).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import sys
import tempfile
from pathlib import Path

from bench.common import prepare_backend, print_table, timed

N = int(os.environ.get("BENCH_DOCUMENTS_N", "40"))


def main(backend: str) -> None:
    os.environ.setdefault("SATUPINTU_KEYS_PASSWORD", "bench-password")
    prepare_backend(backend)
    from django.conf import settings
    from pyhanko.pdf_utils.reader import PdfFileReader

    from satupintu.catalog.models import Agency
    from satupintu.core.principal import Principal
    from satupintu.documents import keys, render, signing
    from satupintu.documents.actions import document_issue, document_path
    from satupintu.documents.verify import verify_pdf

    work = Path(tempfile.mkdtemp(prefix="satupintu-bench-docs-"))
    settings.SATUPINTU_KEYS_DIR = work / "keys"
    settings.SATUPINTU_DOCUMENTS_DIR = work / "documents"
    settings.SATUPINTU_TSA_URL = ""
    agency = Agency.objects.create(code="bench", name_id="Dinas Bench Kota Contoh", kind="lembaga")
    keys.init_dev_ca()
    keys.issue_agency_certificate(code="bench", name=agency.name_id)
    content = render.OutcomeContent(
        document_id="00000000-0000-4000-8000-000000000000", number="SP/BENCH/2026/000000",
        agency_name=agency.name_id, agency_name_en="", agency_website="", holder_name="Budi Santoso",
        holder_nik_masked="3275********0001", service_name="Penerbitan Akta Kelahiran",
        decision="Permohonan disetujui. " * 10, issued_on=dt.date(2026, 1, 5), valid_until=None,
        reference="PRM-0", verify_url="https://portal.example.go.id/verifikasi/00000000/", platform_name="satupintu")
    signer = keys.load_signer("bench")
    unsigned = render.render_default(content)  # warm-up

    t_render = timed(lambda: [render.render_default(content) for _ in range(N)])
    t_sign = timed(lambda: [signing.sign_pdf(unsigned, signer=signer, number="N", verify_hint="x", reason="r")
                            for _ in range(N)])
    counter = iter(range(10**6))

    def issue_one() -> object:
        return document_issue(agency=agency, holder_name="Budi Santoso", holder_nik="3275012345670001",
                              service_name="Penerbitan Akta Kelahiran", decision="Permohonan disetujui.",
                              valid_until=None, reference=f"PRM-{next(counter)}", acting=Principal.platform())

    first = issue_one()
    t_issue = timed(lambda: [issue_one() for _ in range(N)])
    signed = document_path(first).read_bytes()  # type: ignore[arg-type]
    assert verify_pdf(signed).status == "valid"
    t_parse = timed(lambda: [PdfFileReader(io.BytesIO(signed)).embedded_signatures for _ in range(N)])
    t_verify = timed(lambda: [verify_pdf(signed) for _ in range(N)])

    def row(name: str, seconds: float, base: float) -> list[object]:
        return [name, N / seconds, seconds / N * 1000, seconds / base]

    print_table(
        f"Outcome documents on {backend} ({N} each, ECDSA P-256, PAdES B-B, {len(signed):,}-byte PDF)",
        ["step", "per second", "ms each", "ratio to its baseline"],
        [
            row("render unsigned PDF (baseline)", t_render, t_render),
            row("sign only (pyHanko, in memory)", t_sign, t_render),
            row("issue: render + sign + store + DB + audit", t_issue, t_render),
            row("parse signed PDF, find signature (baseline)", t_parse, t_parse),
            row("verify: pyHanko validation + register lookup", t_verify, t_parse),
        ],
    )


if __name__ == "__main__":
    main(sys.argv[1])
