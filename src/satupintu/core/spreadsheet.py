"""Cells for files users open in spreadsheet programs (CSV, XLSX): guard against formula injection.

A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel,
LibreOffice and Google Sheets as a formula, so a value a client or user supplied (e.g. a purpose
``=HYPERLINK("http://evil.example","klik")``) would run when the file is opened. Following the OWASP
"CSV Injection" guidance such a cell is prefixed with a single quote, which shows the text as typed.
Every CSV the platform offers for download is written through :func:`safe_csv_writer` (ADR 0127).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, Protocol

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: Any) -> Any:
    """``value`` made safe for a spreadsheet cell.

    Input: any cell value. Output: a ``str`` starting with one of :data:`FORMULA_TRIGGERS` gets a
    leading ``'``; every other value (other text, numbers, dates, ``None``) is returned unchanged, so
    numbers stay numbers (a negative number is not text and cannot carry a formula). Never raises.
    Rule: OWASP, "CSV Injection" (https://owasp.org/www-community/attacks/CSV_Injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


class _Writable(Protocol):
    def write(self, s: str, /) -> Any: ...


class SafeCsvWriter:
    """A :func:`csv.writer` whose :meth:`writerow` passes every cell through :func:`neutralise_formula`."""

    def __init__(self, out: _Writable) -> None:
        self._writer = csv.writer(out)

    def writerow(self, row: Iterable[Any]) -> Any:
        """Write one row (cells neutralised); returns what the underlying file's ``write`` returned
        (the formatted line when ``out`` is an echo object, for streaming responses)."""
        return self._writer.writerow([neutralise_formula(cell) for cell in row])


def safe_csv_writer(out: _Writable) -> SafeCsvWriter:
    """A CSV writer (Excel dialect) onto ``out`` (a file, an ``HttpResponse`` or any object with
    ``write(str)``) that neutralises formula cells; use it for every CSV offered to users."""
    return SafeCsvWriter(out)
