"""Render an outcome document to an (unsigned) PDF with ReportLab; the QR code is drawn with segno.

The document text is Indonesian (the official language of the outcome), with English labels in
small type beneath, so a foreign bank or school can read it too. The bottom-right corner is
left free for the visible signature stamp (:data:`STAMP_BOX`), which pyHanko draws when signing.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass

import segno
from reportlab.lib.colors import HexColor, black
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

PAGE_W, PAGE_H = A4
MARGIN = 20 * mm
# (x1, y1, x2, y2) in PDF points of the visible signature stamp on page 1.
STAMP_BOX = (int(PAGE_W - MARGIN - 75 * mm), int(MARGIN), int(PAGE_W - MARGIN), int(MARGIN + 32 * mm))

_MONTHS_ID = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
              "Oktober", "November", "Desember"]


@dataclass(frozen=True)
class OutcomeContent:
    """What the PDF shows. ``holder_nik_masked`` is already masked; the full NIK never reaches the PDF."""

    document_id: str
    number: str
    agency_name: str
    agency_name_en: str
    agency_website: str
    holder_name: str
    holder_nik_masked: str
    service_name: str
    decision: str
    issued_on: dt.date
    valid_until: dt.date | None
    reference: str
    verify_url: str
    platform_name: str


def tanggal(day: dt.date) -> str:
    """A date written the Indonesian way: ``5 Januari 2027``."""
    return f"{day.day} {_MONTHS_ID[day.month - 1]} {day.year}"


def _draw_qr(canvas: Canvas, url: str, x: float, y: float, size: float) -> None:
    qr = segno.make(url, error="m", micro=False)
    matrix = list(qr.matrix_iter(scale=1, border=0))
    modules = len(matrix)
    cell = size / modules
    canvas.setFillColor(black)
    path = canvas.beginPath()
    for row_index, row in enumerate(matrix):
        for col_index, dark in enumerate(row):
            if dark:
                path.rect(x + col_index * cell, y + size - (row_index + 1) * cell, cell, cell)
    canvas.drawPath(path, stroke=0, fill=1)


def _letterhead(canvas: Canvas, content: OutcomeContent) -> float:
    top = PAGE_H - MARGIN
    canvas.setFillColor(HexColor("#0b3d91"))
    canvas.setFont("Helvetica-Bold", 15)
    lines = simpleSplit(content.agency_name.upper(), "Helvetica-Bold", 15, PAGE_W - 2 * MARGIN)[:2]
    for line in lines:
        top -= 18
        canvas.drawCentredString(PAGE_W / 2, top, line)
    canvas.setFillColor(black)
    canvas.setFont("Helvetica", 9)
    sub = " · ".join(p for p in [content.agency_name_en, content.agency_website] if p)
    if sub:
        top -= 13
        canvas.drawCentredString(PAGE_W / 2, top, sub[:120])
    top -= 8
    canvas.setLineWidth(1.5)
    canvas.line(MARGIN, top, PAGE_W - MARGIN, top)
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN, top - 2.5, PAGE_W - MARGIN, top - 2.5)
    return top - 30


def _field(canvas: Canvas, y: float, label_id: str, label_en: str, value: str, width: float) -> float:
    label_w = 48 * mm
    canvas.setFont("Helvetica-Bold", 10)
    canvas.drawString(MARGIN, y, label_id)
    canvas.setFont("Helvetica-Oblique", 7)
    canvas.drawString(MARGIN, y - 9, label_en)
    canvas.setFont("Helvetica", 10)
    lines = simpleSplit(value or "-", "Helvetica", 10, width - label_w) or ["-"]
    for i, line in enumerate(lines[:24]):
        canvas.drawString(MARGIN + label_w, y - i * 13, line)
    return y - max(26, 13 * min(len(lines), 24) + 10)


def render_default(content: OutcomeContent) -> bytes:
    """The ``default`` outcome template: letterhead, title, fields, QR code, room for the stamp."""
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"{content.service_name} — {content.number}")
    canvas.setAuthor(content.agency_name)
    canvas.setSubject(content.service_name)
    canvas.setCreator(content.platform_name)
    canvas.setKeywords(f"satupintu-document-id:{content.document_id}")
    y = _letterhead(canvas, content)
    canvas.setFont("Helvetica-Bold", 13)
    canvas.drawCentredString(PAGE_W / 2, y, "SURAT KEPUTUSAN HASIL LAYANAN")
    canvas.setFont("Helvetica-Oblique", 8)
    canvas.drawCentredString(PAGE_W / 2, y - 11, "Outcome of a public service application")
    canvas.setFont("Helvetica", 10)
    canvas.drawCentredString(PAGE_W / 2, y - 26, f"Nomor: {content.number}")
    y -= 60
    width = PAGE_W - 2 * MARGIN
    rows = [
        ("Nama pemegang", "Holder", content.holder_name),
        ("NIK", "National identity number (masked)", content.holder_nik_masked or "-"),
        ("Layanan", "Service", content.service_name),
        ("Nomor permohonan", "Application reference", content.reference),
        ("Keputusan", "Decision", content.decision),
        ("Tanggal terbit", "Date of issue", tanggal(content.issued_on)),
        ("Berlaku sampai", "Valid until",
         tanggal(content.valid_until) if content.valid_until else "Tidak terbatas (no expiry)"),
    ]
    for label_id, label_en, value in rows:
        y = _field(canvas, y, label_id, label_en, value, width)
    qr_size = 32 * mm
    _draw_qr(canvas, content.verify_url, MARGIN, MARGIN, qr_size)
    canvas.setFont("Helvetica", 7.5)
    text_x = MARGIN + qr_size + 4 * mm
    canvas.drawString(text_x, MARGIN + qr_size - 8, "Pindai untuk memeriksa keaslian dokumen ini")
    canvas.setFont("Helvetica-Oblique", 7)
    canvas.drawString(text_x, MARGIN + qr_size - 17, "Scan to check this document is genuine")
    canvas.setFont("Helvetica", 6.5)
    lines = simpleSplit(content.verify_url, "Helvetica", 6.5, 55 * mm)[:3] + [f"Id: {content.document_id}"]
    for i, line in enumerate(lines):
        canvas.drawString(text_x, MARGIN + qr_size - 30 - i * 8, line)
    canvas.setFont("Helvetica", 7)
    canvas.drawString(MARGIN, MARGIN - 12,
                      f"Dokumen ini ditandatangani secara elektronik ({content.platform_name}); "
                      "this document is electronically signed.")
    canvas.showPage()
    canvas.save()
    return buf.getvalue()


TEMPLATES: dict[str, Callable[[OutcomeContent], bytes]] = {"default": render_default}
