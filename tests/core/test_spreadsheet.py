"""Formula injection guard for every CSV/XLSX the platform offers (OWASP "CSV Injection", ADR 0127)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

import pytest

import satupintu
from satupintu.core.spreadsheet import neutralise_formula, safe_csv_writer

SRC = Path(satupintu.__file__).resolve().parent


@pytest.mark.parametrize("text", ['=HYPERLINK("http://evil.example","klik")', "+1", "-1+2", "@SUM(A1)", "\tx", "\r=1"])
def test_text_starting_with_a_formula_trigger_is_quoted(text: str) -> None:
    assert neutralise_formula(text) == "'" + text


@pytest.mark.parametrize("value", ["Verifikasi bansos", "", "a=b", "'=already quoted", -5, 2.5, None,
                                   date(2026, 12, 1)])
def test_other_values_are_unchanged(value: object) -> None:
    assert neutralise_formula(value) == value


def test_safe_csv_writer_quotes_every_cell_of_every_row() -> None:
    out = io.StringIO()
    writer = safe_csv_writer(out)
    writer.writerow(["=1+1", "ok"])
    writer.writerow([-3, "@x"])
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [["'=1+1", "ok"], ["-3", "'@x"]]


def test_no_csv_is_written_around_the_shared_guard() -> None:
    """Every CSV writer in src/ goes through core.spreadsheet, so a new export cannot forget the guard."""
    offenders = [str(path.relative_to(SRC)) for path in SRC.rglob("*.py")
                 if path.name != "spreadsheet.py" and re.search(r"csv\.(writer|DictWriter)\(", path.read_text())]
    assert offenders == []
