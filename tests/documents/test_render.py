"""The rendered page: the QR code drawn in the PDF encodes the verification URL exactly."""

from __future__ import annotations

import re

import pytest
import segno

from satupintu.documents.actions import verify_url
from satupintu.documents.render import MARGIN
from tests.documents.conftest import content_streams

pytestmark = pytest.mark.django_db
_RE = re.compile(rb"(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) re")


def test_the_qr_code_on_the_page_is_the_verification_url(document, signed_pdf) -> None:
    url = verify_url(document.pk)
    assert url == f"https://portal.example.go.id/verifikasi/{document.pk}/"
    rects = [tuple(float(v) for v in m.groups()) for m in _RE.finditer(content_streams(signed_pdf))]
    assert rects, "no QR modules drawn"
    cell = rects[0][2]
    expected = [list(row) for row in segno.make(url, error="m", micro=False).matrix_iter(scale=1, border=0)]
    size = cell * len(expected)
    drawn = {(round((MARGIN + size - y) / cell) - 1, round((x - MARGIN) / cell)) for x, y, _w, _h in rects}
    dark = {(r, c) for r, row in enumerate(expected) for c, on in enumerate(row) if on}
    assert drawn == dark
