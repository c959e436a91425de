"""Application submissions per second with two 1 MB uploads, and the officer queue query.

Submission: :func:`application_apply` on a definition with text, NIK, choice and two required
PDF fields, each request with two fresh 1 MB PDFs (content sniffing, strict PDF parse, storage,
tracking number, SLA deadline, workflow start, audit event) — one transaction each.
Baseline (same run, same database): a plain ``Application.objects.create`` of the same answers
(no validation, no files, no audit). Ratio = submission time / baseline time.

Queue: ``queue_for(officer)[:50]`` (the officer queue's first page, SLA order) with
``BENCH_QUEUE_ROWS`` applications (default 100,000) spread over 10 agencies (PostgreSQL: ANALYZE after
the bulk load, as autovacuum would); baseline: the same
slice of ``Application.objects.order_by("id")`` without scoping.
"""

from __future__ import annotations

import io
import os
import secrets
import sys
import tempfile

from bench.common import median, percentile, prepare_backend, print_table, timed

N_SUBMISSIONS = int(os.environ.get("BENCH_SUBMISSIONS", "30"))
QUEUE_ROWS = int(os.environ.get("BENCH_QUEUE_ROWS", "100000"))


def pdf_of_size(size: int) -> bytes:
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    stream = DecodedStreamObject()
    line_count = size // 66
    stream.set_data(b"".join(b"% " + secrets.token_hex(32).encode() + b"\n" for _ in range(line_count)))
    page[NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


DEFINITION = {
    "slug": "bench-layanan", "service": "bench-layanan", "agency": "bench-0", "name": {"id": "Uji", "en": "Bench"},
    "level_of_assurance": 2, "sla_working_days": 5, "outcome_template": "bench",
    "form": {"format": 1, "fields": [
        {"name": "nama", "type": "text", "required": True, "label": {"id": "Nama", "en": "Name"}},
        {"name": "nik", "type": "nik", "required": True, "label": {"id": "NIK", "en": "NIK"}},
        {"name": "alasan", "type": "choice", "required": True, "label": {"id": "Alasan", "en": "Reason"},
         "choices": [{"value": "a", "label": {"id": "A", "en": "A"}}, {"value": "b", "label": {"id": "B", "en": "B"}}]},
        {"name": "kk", "type": "file", "required": True, "accept": ["pdf"], "label": {"id": "KK", "en": "KK"}},
        {"name": "akta", "type": "file", "required": True, "accept": ["pdf"], "label": {"id": "Akta", "en": "Akta"}},
    ]},
    "workflow": {"initial": "diajukan", "states": [
        {"name": "diajukan", "label": {"id": "Diajukan", "en": "Submitted"}},
        {"name": "selesai", "final": "approved", "label": {"id": "Selesai", "en": "Done"}}],
        "transitions": [{"name": "setujui", "from": ["diajukan"], "to": "selesai", "role": "approver",
                         "label": {"id": "Setujui", "en": "Approve"}}]},
}


def main(backend: str) -> None:
    os.environ.setdefault("SATUPINTU_UPLOAD_ROOT", tempfile.mkdtemp(prefix="applications-bench-"))
    prepare_backend(backend)
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils.datastructures import MultiValueDict

    from satupintu.applications.actions import application_apply, definition_import
    from satupintu.applications.definitions_io import parse_definition
    from satupintu.applications.models import Application
    from satupintu.applications.selectors import queue_for
    from satupintu.catalog.models import Agency
    from satupintu.core.principal import Principal

    for i in range(10):
        Agency.objects.create(code=f"bench-{i}", name_id=f"Instansi {i}", kind="lembaga")
    version, _ = definition_import(content=parse_definition(DEFINITION), acting=Principal.platform())
    definition = version.definition
    pdfs = [pdf_of_size(1024 * 1024) for _ in range(2)]
    answers = {"nama": "Siti Aminah", "nik": "3275014101900002", "alasan": "a"}
    data = MultiValueDict({"_version": ["1"], **{k: [v] for k, v in answers.items()}})

    def submit(i: int) -> None:
        files = MultiValueDict({"kk": [SimpleUploadedFile("kk.pdf", pdfs[0], "application/pdf")],
                                "akta": [SimpleUploadedFile("akta.pdf", pdfs[1], "application/pdf")]})
        application_apply(acting=Principal(kind="citizen", id=f"w{i}"), definition=definition, data=data,
                          files=files, idempotency_key=f"k{i}")

    def plain(i: int) -> None:
        Application.objects.create(version=version, definition=definition, agency=definition.agency,
                                   applicant_kind="citizen", applicant_id=f"p{i}", answers=answers)

    base = [timed(lambda i=i: plain(i)) for i in range(N_SUBMISSIONS)]
    full = [timed(lambda i=i: submit(i)) for i in range(N_SUBMISSIONS)]
    print_table(
        f"Submissions on {backend} ({N_SUBMISSIONS} each; two 1 MB PDFs per submission)",
        ["operation", "per second", "median ms", "p95 ms", "ratio to plain insert"],
        [["plain insert of the same answers (baseline)", 1 / median(base), median(base) * 1000,
          percentile(base, 95) * 1000, 1.0],
         ["application_apply with two 1 MB uploads", 1 / median(full), median(full) * 1000,
          percentile(full, 95) * 1000, median(full) / median(base)]],
    )

    # Officer queue with QUEUE_ROWS applications over 10 agencies.
    from django.utils import timezone

    agencies = list(Agency.objects.filter(code__startswith="bench-").order_by("code"))
    now = timezone.now()
    batch = []
    for i in range(QUEUE_ROWS):
        batch.append(Application(
            version=version, definition=definition, agency=agencies[i % 10], applicant_kind="citizen",
            applicant_id=f"q{i}", answers=answers, status="in_process", state="diajukan",
            tracking_number=f"SP-2099-{i:07d}", submitted_at=now, due_at=now + timezone.timedelta(hours=i % 500)))
        if len(batch) == 5000:
            Application.objects.bulk_create(batch)
            batch = []
    Application.objects.bulk_create(batch)
    from django.db import connection

    if connection.vendor == "postgresql":  # what autovacuum would do after a bulk load
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE applications_application")
    officer = Principal(kind="officer", id="o", agency="bench-3", roles=frozenset({"verifier"}))
    q_base = [timed(lambda: list(Application.objects.order_by("id")[:50])) for _ in range(30)]
    q_full = [timed(lambda: list(queue_for(officer)[:50])) for _ in range(30)]
    q_overdue = [timed(lambda: list(queue_for(officer, sla="due_soon")[:50])) for _ in range(30)]
    print_table(
        f"Officer queue first page on {backend} ({QUEUE_ROWS:,} applications, 10 agencies)",
        ["query", "median ms", "p95 ms", "ratio to unscoped id-ordered page"],
        [["unscoped first 50 by id (baseline)", median(q_base) * 1000, percentile(q_base, 95) * 1000, 1.0],
         ["queue_for(officer)[:50] (agency scope, SLA order)", median(q_full) * 1000,
          percentile(q_full, 95) * 1000, median(q_full) / median(q_base)],
         ["queue_for(officer, sla=due_soon)[:50]", median(q_overdue) * 1000, percentile(q_overdue, 95) * 1000,
          median(q_overdue) / median(q_base)]],
    )


if __name__ == "__main__":
    main(sys.argv[1])
