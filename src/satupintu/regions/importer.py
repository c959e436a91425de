"""Import kode wilayah and postal codes from the official data files.

Accepted inputs (see ``../shared/data/wilayah/README.md``):

* ``wilayah.csv`` — header ``kode,nama``; ``wilayah.sql`` — the upstream SQL dump
  (``INSERT INTO wilayah (kode, nama) VALUES ('11','Aceh'), ...``, one tuple per line,
  quotes doubled);
* ``wilayah_kodepos.csv`` — header ``kode,kodepos``; ``wilayah_kodepos.sql`` likewise.

The whole input is validated before anything is written; one transaction applies the
difference against the database (added / renamed / removed), so a bad file changes nothing
and a re-import of the same file changes nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from django.db import transaction
from django.db.models import Count

from satupintu.regions.models import PostalCode, Region

# Pinned upstream files (README of the shared data): URL -> sha256.
PINNED_REGIONS_URL = (
    "https://raw.githubusercontent.com/cahyadsn/wilayah/"
    "b7ad440a1322e7be3189a16a8cac35f7d4c3d7f7/db/wilayah.sql"
)
PINNED_REGIONS_SHA256 = "c4c3396d9380d4edee072af1d9dff83573b574d7cd00a6562cf82e200e954031"
PINNED_POSTAL_URL = (
    "https://raw.githubusercontent.com/cahyadsn/wilayah_kodepos/"
    "4fa8c592a581bf2fc4fb0a373010000c5bac6251/db/wilayah_kodepos.sql"
)
PINNED_POSTAL_SHA256 = "316f4a4b628c888d2cbe136e81d2207ddea8069a5d8cf1b119460c9cb070117e"
MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024

CODE_RE = re.compile(r"^[0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?$")
POSTAL_RE = re.compile(r"^[0-9]{5}$")
_SQL_TUPLE_RE = re.compile(r"^\(\s*'((?:[^']|'')*)'\s*,\s*'((?:[^']|'')*)'\s*\)\s*[,;]?\s*$")
_BATCH = 2000

ProgressCallback = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: called as the import advances (counts of rows)."""


@dataclass(frozen=True)
class Row:
    """One input record: ``key`` is the region code, ``value`` the name or postal code,
    ``line`` the 1-based line number in ``source``."""

    key: str
    value: str
    line: int
    source: str


@dataclass(frozen=True)
class RowError:
    source: str
    line: int
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: [{self.rule}] {self.message}"


class RegionImportError(Exception):
    """The input is invalid; ``errors`` lists every broken rule with its line. Nothing was written."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        shown = "\n".join(str(e) for e in errors[:20])
        more = f"\n... and {len(errors) - 20} more" if len(errors) > 20 else ""
        if all(e.line == 0 for e in errors):  # the file itself (download, checksum), not its rows
            lines = "\n".join(f"{e.source}: [{e.rule}] {e.message}" for e in errors[:20])
            super().__init__(f"The source could not be used; nothing was imported.\n{lines}{more}")
            return
        super().__init__(f"{len(errors)} invalid row(s); nothing was imported.\n{shown}{more}")


@dataclass
class ImportReport:
    """Counts of what one import changed (all zero on a re-import of the same data)."""

    regions_total: int = 0
    added: int = 0
    renamed: int = 0
    removed: int = 0
    postal_total: int = 0
    postal_added: int = 0
    postal_changed: int = 0
    postal_removed: int = 0
    by_level: dict[int, int] = field(default_factory=dict)

    @property
    def changes(self) -> int:
        return (
            self.added + self.renamed + self.removed
            + self.postal_added + self.postal_changed + self.postal_removed
        )


# --- reading -----------------------------------------------------------------------------

def _read_text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RegionImportError(
            [RowError(path.name, data[: exc.start].count(b"\n") + 1, "encoding", "file is not valid UTF-8")]
        ) from exc


def _rows_from_csv(text: str, source: str, columns: tuple[str, str]) -> Iterator[Row | RowError]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None or [h.strip().lower() for h in header] != list(columns):
        yield RowError(source, 1, "header", f"first line must be the header {','.join(columns)}")
        return
    for record in reader:
        line = reader.line_num
        if not record or (len(record) == 1 and not record[0].strip()):
            continue
        if len(record) != 2:
            yield RowError(source, line, "columns", f"expected 2 columns, found {len(record)}")
            continue
        yield Row(record[0].strip(), record[1].strip(), line, source)


def _rows_from_sql(text: str, source: str, table: str) -> Iterator[Row | RowError]:
    in_insert = False
    insert_re = re.compile(rf"^INSERT\s+INTO\s+`?{table}`?\s*\(", re.IGNORECASE)
    found_insert = False
    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if insert_re.match(line):
            in_insert = found_insert = True
            continue
        if not in_insert:
            continue
        if not line or line.startswith("--") or line.upper() == "VALUES":
            continue
        match = _SQL_TUPLE_RE.match(line)
        if not match:
            yield RowError(source, line_no, "syntax", "expected a ('kode','value') tuple")
            in_insert = not line.endswith(";")
            continue
        yield Row(match.group(1).replace("''", "'").strip(), match.group(2).replace("''", "'").strip(),
                  line_no, source)
        if line.endswith(";"):
            in_insert = False
    if not found_insert:
        yield RowError(source, 1, "syntax", f"no INSERT INTO {table} statement found")


def detect_kind(path: Path) -> str:
    """Return ``"regions"`` or ``"postal"`` for a data file, from its header or table name.

    Raises :class:`RegionImportError` when the file is neither.
    """
    with path.open("rb") as handle:
        head = handle.read(8192).decode("utf-8", errors="replace").lower()
    if path.suffix.lower() == ".csv":
        first = head.lstrip("\ufeff").splitlines()[0].replace(" ", "") if head else ""
        if first == "kode,nama":
            return "regions"
        if first == "kode,kodepos":
            return "postal"
    else:
        with path.open("rb") as handle:
            text = handle.read().decode("utf-8", errors="replace").lower()
        if re.search(r"insert\s+into\s+`?wilayah_kodepos`?", text):
            return "postal"
        if re.search(r"insert\s+into\s+`?wilayah`?\s*\(", text):
            return "regions"
    raise RegionImportError(
        [RowError(path.name, 1, "format", "not a kode,nama / kode,kodepos CSV nor a wilayah SQL dump")]
    )


def read_rows(path: Path, kind: str) -> Iterator[Row | RowError]:
    """Yield the records of ``path`` (CSV or SQL) for ``kind`` (``regions``/``postal``)."""
    text = _read_text(path)
    if path.suffix.lower() == ".csv":
        yield from _rows_from_csv(text, path.name, ("kode", "nama") if kind == "regions" else ("kode", "kodepos"))
    else:
        yield from _rows_from_sql(text, path.name, "wilayah" if kind == "regions" else "wilayah_kodepos")


def resolve_sources(path: Path) -> tuple[Path | None, Path | None]:
    """Find the regions file and the optional postal-code file for PATH.

    PATH is a folder holding ``wilayah.csv`` or ``wilayah.sql`` (SQL preferred, see below) and
    optionally ``wilayah_kodepos.csv``/``.sql``, or a single file of either kind.
    Raises :class:`FileNotFoundError` when nothing usable is there.
    """
    if path.is_dir():
        # The upstream SQL dump is preferred: the shared CSV lost the closing ")" of nine
        # village names (e.g. 19.04.01.2005 "Kurau (Timur)"), the SQL has them right.
        regions = next((p for p in (path / "wilayah.sql", path / "wilayah.csv") if p.is_file()), None)
        postal = next(
            (p for p in (path / "wilayah_kodepos.sql", path / "wilayah_kodepos.csv") if p.is_file()), None
        )
        if regions is None and postal is None:
            raise FileNotFoundError(f"{path} holds neither wilayah.csv/.sql nor wilayah_kodepos.csv/.sql")
        return regions, postal
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist")
    return (path, None) if detect_kind(path) == "regions" else (None, path)


# --- validation --------------------------------------------------------------------------

def _level_rule(kode: str) -> str | None:
    parts = kode.split(".")
    if not 11 <= int(parts[0]) <= 99:
        return "province part must be 11–99"
    if len(parts) >= 2 and int(parts[1]) in (0, 70):
        return "regency/city part must be 01–69 (kabupaten) or 71–99 (kota)"
    if len(parts) >= 3 and int(parts[2]) == 0:
        return "district part must be 01–99"
    if len(parts) == 4 and parts[3][0] not in "123":
        return "village part must start with 1 (kelurahan), 2 (desa) or 3 (desa adat)"
    return None


def validate_regions(rows: Iterable[Row | RowError]) -> tuple[dict[str, Row], list[RowError]]:
    """Check every region row: code format, level rule, unique code, parent present,
    non-empty name of at most 100 characters. Returns the rows by code and the errors."""
    by_code: dict[str, Row] = {}
    errors: list[RowError] = []
    for row in rows:
        if isinstance(row, RowError):
            errors.append(row)
            continue
        if not CODE_RE.match(row.key):
            errors.append(RowError(row.source, row.line, "code_format",
                                   f"code {row.key!r} is not NN, NN.NN, NN.NN.NN or NN.NN.NN.NNNN"))
            continue
        if problem := _level_rule(row.key):
            errors.append(RowError(row.source, row.line, "level", f"code {row.key}: {problem}"))
            continue
        if not row.value:
            errors.append(RowError(row.source, row.line, "name_required", f"code {row.key} has an empty name"))
            continue
        if len(row.value) > 100:
            errors.append(RowError(row.source, row.line, "name_length", f"name of {row.key} is over 100 characters"))
            continue
        if row.key in by_code:
            errors.append(RowError(row.source, row.line, "duplicate",
                                   f"code {row.key} already on line {by_code[row.key].line}"))
            continue
        by_code[row.key] = row
    for row in by_code.values():
        parent = row.key.rpartition(".")[0]
        if parent and parent not in by_code:
            errors.append(RowError(row.source, row.line, "parent_missing",
                                   f"code {row.key}: parent {parent} is not in the file"))
    errors.sort(key=lambda e: (e.source, e.line))
    return by_code, errors


def validate_postal(rows: Iterable[Row | RowError], village_codes: set[str]) -> tuple[dict[str, Row], list[RowError]]:
    """Check every postal row: a village code that exists, five digits, no duplicate."""
    by_code: dict[str, Row] = {}
    errors: list[RowError] = []
    for row in rows:
        if isinstance(row, RowError):
            errors.append(row)
            continue
        if not CODE_RE.match(row.key) or row.key.count(".") != 3:
            errors.append(RowError(row.source, row.line, "code_format",
                                   f"code {row.key!r} is not a village code NN.NN.NN.NNNN"))
        elif not POSTAL_RE.match(row.value):
            errors.append(RowError(row.source, row.line, "postal_format",
                                   f"postal code {row.value!r} of {row.key} is not five digits"))
        elif row.key in by_code:
            errors.append(RowError(row.source, row.line, "duplicate",
                                   f"code {row.key} already on line {by_code[row.key].line}"))
        elif row.key not in village_codes:
            errors.append(RowError(row.source, row.line, "region_missing",
                                   f"village {row.key} is not a known region"))
        else:
            by_code[row.key] = row
    return by_code, errors


# --- applying ----------------------------------------------------------------------------

def _chunks(items: list, size: int = _BATCH) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def import_regions(
    *,
    regions_path: Path | None,
    postal_path: Path | None = None,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Validate the files, then apply the difference to the database in one transaction.

    Returns an :class:`ImportReport`. Raises :class:`RegionImportError` (with every bad line)
    before writing anything when any row is invalid. Regions absent from a given regions
    file are removed (with their postal codes); postal codes absent from a given postal
    file are removed. Without a postal file, postal codes are left as they are.
    """
    report = ImportReport()
    errors: list[RowError] = []
    tick = progress or (lambda stage, done, total: None)

    region_rows: dict[str, Row] | None = None
    if regions_path is not None:
        region_rows, errs = validate_regions(read_rows(regions_path, "regions"))
        errors += errs
    postal_rows: dict[str, Row] | None = None
    if postal_path is not None:
        if region_rows is not None:
            villages = {k for k in region_rows if k.count(".") == 3}
        else:
            villages = set(Region.objects.filter(level=4).values_list("kode", flat=True))
        postal_rows, errs = validate_postal(read_rows(postal_path, "postal"), villages)
        errors += errs
    if errors:
        raise RegionImportError(errors)

    with transaction.atomic():
        if region_rows is not None:
            _apply_regions(region_rows, report, tick)
        if postal_rows is not None:
            _apply_postal(postal_rows, report, tick)
    report.regions_total = Region.objects.count()
    report.postal_total = PostalCode.objects.count()
    for item in Region.objects.values("level").annotate(n=Count("kode")).order_by("level"):
        report.by_level[item["level"]] = item["n"]
    return report


def _apply_regions(rows: dict[str, Row], report: ImportReport, tick: ProgressCallback) -> None:
    existing = dict(Region.objects.values_list("kode", "nama"))
    total = len(rows)
    to_add = [k for k in rows if k not in existing]
    to_rename = [k for k in rows if k in existing and existing[k] != rows[k].value]
    to_remove = [k for k in existing if k not in rows]

    # Deepest first, so no child is left without its parent even for a moment.
    for chunk in _chunks(sorted(to_remove, key=lambda k: -k.count("."))):
        Region.objects.filter(kode__in=chunk).delete()
    report.removed = len(to_remove)

    done = total - len(to_add) - len(to_rename)
    tick("regions", done, total)
    # Parents before children (sorted by depth, then code).
    ordered = sorted(to_add, key=lambda k: (k.count("."), k))
    for chunk in _chunks(ordered):
        Region.objects.bulk_create(
            [
                Region(
                    kode=k,
                    nama=rows[k].value,
                    nama_lower=rows[k].value.lower(),
                    level=k.count(".") + 1,
                    parent_id=k.rpartition(".")[0] or None,
                )
                for k in chunk
            ]
        )
        done += len(chunk)
        tick("regions", done, total)
    report.added = len(to_add)

    for chunk in _chunks(to_rename):
        objs = [Region(kode=k, nama=rows[k].value, nama_lower=rows[k].value.lower()) for k in chunk]
        Region.objects.bulk_update(objs, ["nama", "nama_lower"])
        done += len(chunk)
        tick("regions", done, total)
    report.renamed = len(to_rename)


def _apply_postal(rows: dict[str, Row], report: ImportReport, tick: ProgressCallback) -> None:
    existing = dict(PostalCode.objects.values_list("region_id", "kodepos"))
    total = len(rows)
    to_add = [k for k in rows if k not in existing]
    to_change = [k for k in rows if k in existing and existing[k] != rows[k].value]
    to_remove = [k for k in existing if k not in rows]
    for chunk in _chunks(to_remove):
        PostalCode.objects.filter(region_id__in=chunk).delete()
    done = total - len(to_add) - len(to_change)
    tick("postal", done, total)
    for chunk in _chunks(to_add):
        PostalCode.objects.bulk_create([PostalCode(region_id=k, kodepos=rows[k].value) for k in chunk])
        done += len(chunk)
        tick("postal", done, total)
    for chunk in _chunks(to_change):
        PostalCode.objects.bulk_update([PostalCode(region_id=k, kodepos=rows[k].value) for k in chunk], ["kodepos"])
        done += len(chunk)
        tick("postal", done, total)
    report.postal_added, report.postal_changed, report.postal_removed = len(to_add), len(to_change), len(to_remove)


# --- download ----------------------------------------------------------------------------

def download_pinned(url: str, sha256: str, *, dest_dir: Path | None = None, timeout: float = 60.0) -> Path:
    """Download ``url`` to a temporary file and check its SHA-256 (hex) before returning it.

    The file name keeps the URL's last segment so :func:`detect_kind` can read it.
    Raises :class:`RegionImportError` on an HTTP error, a body over 64 MiB or a digest
    mismatch; the partial file is removed.
    """
    name = url.rstrip("/").rsplit("/", 1)[-1] or "download.sql"
    directory = Path(dest_dir or tempfile.mkdtemp(prefix="satupintu-regions-"))
    target = directory / name
    digest = hashlib.sha256()
    size = 0
    try:
        with httpx.stream("GET", url, timeout=timeout, follow_redirects=False) as response:
            if response.status_code != 200:
                raise RegionImportError([RowError(url, 0, "download", f"HTTP {response.status_code}")])
            with target.open("wb") as handle:
                for block in response.iter_bytes():
                    size += len(block)
                    if size > MAX_DOWNLOAD_BYTES:
                        raise RegionImportError([RowError(url, 0, "download", "file is larger than 64 MiB")])
                    digest.update(block)
                    handle.write(block)
    except httpx.HTTPError as exc:
        target.unlink(missing_ok=True)
        raise RegionImportError([RowError(url, 0, "download", f"cannot download: {exc}")]) from exc
    except RegionImportError:
        target.unlink(missing_ok=True)
        raise
    if digest.hexdigest() != sha256.lower():
        target.unlink(missing_ok=True)
        raise RegionImportError(
            [RowError(url, 0, "sha256", f"expected sha256 {sha256}, got {digest.hexdigest()}")]
        )
    return target
