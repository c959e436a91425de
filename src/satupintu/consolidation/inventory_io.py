"""Import and export of the SPBE application inventory as CSV and XLSX (one template for both).

The template's columns, in order (header names are the stable, Indonesian machine names; the
documented template is ``docs/consolidation.md`` and the ``Petunjuk`` sheet of the XLSX template):

=====================  ==========================================================================
``kode_instansi``      agency code (``catalog`` agency, e.g. ``dukcapil``, ``pemda-32-16``)
``kode_aplikasi``      the agency's own slug for the app; with ``kode_instansi`` the stable key
``nama``               name (≤ 200 characters)
``deskripsi``          description (≤ 4,000, optional)
``unit_pemilik``       owner unit (≤ 200)
``fungsi_bisnis``      business function code ``SS.AA`` of the reference business architecture
``area_layanan``       ``nasional`` or the kode wilayah of a province/regency/city (``32.16``)
``pengguna``           ``internal`` | ``publik`` | ``keduanya``
``jumlah_pengguna``    whole number ≥ 0
``anggaran_pembangunan``  build budget, whole rupiah per year ≥ 0
``anggaran_operasional``  run budget, whole rupiah per year ≥ 0
``hosting``            ``pdn`` | ``dc_instansi`` | ``cloud_komersial``
``status``             ``rencana`` | ``aktif`` | ``pensiun``
``jenis``              ``umum`` | ``khusus``
``login_nasional``, ``pertukaran_data``, ``data_pribadi``   ``ya`` | ``tidak``
``layanan_katalog``    catalogue service ids separated by ``;`` (may be empty)
=====================  ==========================================================================

Validation reads the whole file first; every error names the row (1 = header) and column.
When any row is invalid nothing is written (:class:`InventoryImportError`). A valid file is
applied in one transaction: rows whose key exists are updated, others created; rows not in
the file are left alone. One audit event records the counts.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from satupintu.catalog.models import Agency
from satupintu.consolidation.access import can_edit_agency
from satupintu.consolidation.models import (
    Application,
    AppStatus,
    AppType,
    BusinessFunction,
    Hosting,
    UsersKind,
)
from satupintu.core.principal import Principal
from satupintu.core.spreadsheet import neutralise_formula, safe_csv_writer

MAX_ROWS = 50_000
MAX_BUDGET = 10**15  # one quadrillion rupiah: anything above is a typo
SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]{1,64}$")
AREA_RE = re.compile(r"^(nasional|[0-9]{2}(\.[0-9]{2})?)$")
NUMBER_RE = re.compile(r"^\d{1,3}([.,  ]\d{3})+$|^\d+$")
MAX_DIGITS = 30  # far above any plausible count or budget, far below Python's int() digit limit (4,300)
# C0 control characters other than tab, line feed and carriage return: PostgreSQL cannot store NUL,
# and none of them belongs in an inventory cell.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

COLUMNS: tuple[str, ...] = (
    "kode_instansi", "kode_aplikasi", "nama", "deskripsi", "unit_pemilik", "fungsi_bisnis", "area_layanan",
    "pengguna", "jumlah_pengguna", "anggaran_pembangunan", "anggaran_operasional", "hosting", "status",
    "jenis", "login_nasional", "pertukaran_data", "data_pribadi", "layanan_katalog",
)
OPTIONAL = {"deskripsi", "layanan_katalog"}

USERS = {"internal": UsersKind.INTERNAL, "publik": UsersKind.PUBLIC, "keduanya": UsersKind.BOTH}
HOSTING = {"pdn": Hosting.PDN, "dc_instansi": Hosting.AGENCY_DC, "cloud_komersial": Hosting.COMMERCIAL_CLOUD}
STATUS = {"rencana": AppStatus.PLANNED, "aktif": AppStatus.LIVE, "pensiun": AppStatus.RETIRED}
TYPES = {"umum": AppType.GENERAL, "khusus": AppType.SPECIFIC}
YES = {"ya", "yes", "y", "true", "1"}
NO = {"tidak", "no", "n", "false", "0"}
# Reverse maps for export.
USERS_OUT: dict[str, str] = {str(v): k for k, v in USERS.items()}
HOSTING_OUT: dict[str, str] = {str(v): k for k, v in HOSTING.items()}
STATUS_OUT: dict[str, str] = {str(v): k for k, v in STATUS.items()}
TYPES_OUT: dict[str, str] = {str(v): k for k, v in TYPES.items()}

EXAMPLE_ROW = {
    "kode_instansi": "dukcapil", "kode_aplikasi": "siak-terpusat", "nama": "SIAK Terpusat",
    "deskripsi": "Sistem informasi administrasi kependudukan terpusat", "unit_pemilik": "Direktorat PIAK",
    "fungsi_bisnis": "01.13", "area_layanan": "nasional", "pengguna": "internal", "jumlah_pengguna": "25000",
    "anggaran_pembangunan": "0", "anggaran_operasional": "12000000000", "hosting": "pdn", "status": "aktif",
    "jenis": "khusus", "login_nasional": "ya", "pertukaran_data": "ya", "data_pribadi": "ya",
    "layanan_katalog": "dukcapil-ktp-el-baru;dukcapil-kk-baru",
}


@dataclass(frozen=True)
class CellError:
    """One broken rule: ``row`` 1-based (1 = header), ``column`` header name, ``rule`` a stable
    machine name, ``message`` in the active language."""

    row: int
    column: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{_('row')} {self.row}, {_('column')} {self.column}: {self.message}"


class InventoryImportError(Exception):
    """The file is invalid; ``errors`` lists every problem. Nothing was written."""

    def __init__(self, errors: list[CellError]) -> None:
        self.errors = errors
        super().__init__(f"{len(errors)} error(s); nothing was imported")


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    agencies: list[str] = field(default_factory=list)


# --- reading -----------------------------------------------------------------------------

def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    # Undo the formula-injection guard added on export ('=..., '+..., '-..., '@...).
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@":
        text = text[1:]
    return text


def read_table(data: bytes, filename: str) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(row_number, cells)`` from a CSV (``,`` or ``;``, UTF-8) or XLSX file (first
    sheet). Raises :class:`InventoryImportError` for an unreadable file."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        yield from _read_xlsx(data)
    elif name.endswith(".csv"):
        yield from _read_csv(data)
    else:
        raise InventoryImportError([CellError(1, "-", "format", _("The file must be .csv or .xlsx."))])


def _read_csv(data: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InventoryImportError([CellError(line, "-", "encoding", _(
            "The file is not valid UTF-8 (it may be saved as Windows-1252 / ANSI). In Excel choose "
            "Save As, then “CSV UTF-8”, or use the XLSX template."))]) from exc
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for record in reader:
            yield reader.line_num, [_cell(c) for c in record]
    except csv.Error as exc:  # the csv module's own message is English and technical
        raise InventoryImportError([CellError(reader.line_num, "-", "format", _(
            "This line of the CSV cannot be read: a cell is longer than 131,072 characters or a quote "
            "is not closed."))]) from exc


def _read_xlsx(data: bytes) -> Iterator[tuple[int, list[str]]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, SyntaxError) as exc:
        # SyntaxError: ElementTree's ParseError, for a sheet whose XML is damaged.
        raise InventoryImportError([CellError(1, "-", "format", _("The file is not a readable XLSX workbook."))]) \
            from exc
    number = 0
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):  # noqa: B007
            yield number, [_cell(v) for v in values]
    except (SyntaxError, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        # A damaged sheet is only parsed while rows are read (read-only mode); ElementTree's
        # ParseError is a SyntaxError.
        raise InventoryImportError([CellError(number + 1, "-", "format",
                                              _("The file is not a readable XLSX workbook."))]) from exc
    finally:
        workbook.close()


# --- validation --------------------------------------------------------------------------

@dataclass
class ValidRow:
    row: int
    agency_code: str
    values: dict[str, Any]


def _parse_int(text: str) -> int | None:
    compact = text.replace(" ", "")
    if not NUMBER_RE.match(compact):
        return None
    if sum(c.isdigit() for c in compact) > MAX_DIGITS:
        return 10**MAX_DIGITS  # reported as implausibly large, not converted digit by digit
    return int(re.sub(r"[., ]", "", compact))


def _choice(text: str, mapping: dict[str, Any]) -> Any:
    return mapping.get(text.lower())


def validate_rows(rows: Iterable[tuple[int, list[str]]], *, principal: Principal) -> list[ValidRow]:
    """Validate every row; return them when all are valid, else raise
    :class:`InventoryImportError` with every error (row, column, rule, message)."""
    errors: list[CellError] = []
    iterator = iter(rows)
    header_row = next(iterator, None)
    if header_row is None:
        raise InventoryImportError([CellError(1, "-", "empty", _("The file is empty."))])
    header = [h.strip().lower() for h in header_row[1]]
    while header and not header[-1]:
        header.pop()
    missing = [c for c in COLUMNS if c not in header]
    unknown = [h for h in header if h not in COLUMNS]
    for col in missing:
        errors.append(CellError(1, col, "column_missing", _("Required column is missing from the header.")))
    for col in unknown:
        errors.append(CellError(1, col or "-", "column_unknown", _("Unknown column; see the template.")))
    dupes = {h for h in header if header.count(h) > 1}
    for col in sorted(dupes):
        errors.append(CellError(1, col, "column_duplicate", _("Column appears twice in the header.")))
    if errors:
        raise InventoryImportError(errors)
    index = {name: header.index(name) for name in COLUMNS}

    agencies = set(Agency.objects.values_list("code", flat=True))
    functions = set(BusinessFunction.objects.values_list("code", flat=True))
    from satupintu.regions.models import Region

    regions = set(Region.objects.filter(level__lte=2).values_list("kode", flat=True))
    seen: dict[tuple[str, str], int] = {}
    valid: list[ValidRow] = []
    count = 0
    for number, cells in iterator:
        if not any(cells):
            continue
        count += 1
        if count > MAX_ROWS:
            errors.append(CellError(number, "-", "too_many_rows",
                                    _("At most %(n)s rows per file.") % {"n": f"{MAX_ROWS:,}"}))
            break
        cells = cells + [""] * (len(header) - len(cells))
        if len(cells) > len(header) and any(cells[len(header):]):
            errors.append(CellError(number, "-", "columns", _("The row has more cells than the header.")))
        raw = {name: cells[index[name]] for name in COLUMNS}
        row_errors, values = _validate_row(number, raw, agencies, functions, regions, principal)
        errors += row_errors
        if row_errors:
            continue
        key = (raw["kode_instansi"], raw["kode_aplikasi"].lower())
        if key in seen:
            errors.append(CellError(number, "kode_aplikasi", "duplicate",
                                    _("This agency and application code are already on row %(row)s.")
                                    % {"row": seen[key]}))
            continue
        seen[key] = number
        valid.append(ValidRow(number, raw["kode_instansi"], values))
    if count == 0 and not errors:
        errors.append(CellError(2, "-", "empty", _("The file has a header but no rows.")))
    if errors:
        raise InventoryImportError(errors)
    return valid


def _validate_row(  # noqa: C901 - one flat list of field rules reads best
    number: int, raw: dict[str, str], agencies: set[str], functions: set[str], regions: set[str],
    principal: Principal,
) -> tuple[list[CellError], dict[str, Any]]:
    errors: list[CellError] = []
    values: dict[str, Any] = {}

    def err(column: str, rule: str, message: str) -> None:
        errors.append(CellError(number, column, rule, message))

    for name in COLUMNS:
        if name not in OPTIONAL and not raw[name]:
            err(name, "required", _("A value is required."))
        elif CONTROL_RE.search(raw[name]):
            err(name, "control_character", _("The cell contains a control character (such as NUL); remove it."))
    agency = raw["kode_instansi"]
    if agency and agency not in agencies:
        err("kode_instansi", "agency_unknown", _("Unknown agency code “%(code)s”.") % {"code": agency})
    elif agency and not can_edit_agency(principal, agency):
        err("kode_instansi", "agency_forbidden",
            _("You may only import rows of your own agency, not “%(code)s”.") % {"code": agency})
    if raw["kode_aplikasi"] and not SLUG_RE.match(raw["kode_aplikasi"]):
        err("kode_aplikasi", "slug", _("Use 1–64 letters, digits, hyphens or underscores."))
    values["code"] = raw["kode_aplikasi"].lower()
    for name, field_name, limit in (("nama", "name", 200), ("unit_pemilik", "owner_unit", 200),
                                    ("deskripsi", "description", 4000)):
        if len(raw[name]) > limit:
            err(name, "max_length", _("At most %(n)s characters.") % {"n": limit})
        values[field_name] = raw[name]
    if raw["fungsi_bisnis"] and raw["fungsi_bisnis"] not in functions:
        err("fungsi_bisnis", "function_unknown",
            _("Unknown business function code “%(code)s”; see the Fungsi bisnis sheet.")
            % {"code": raw["fungsi_bisnis"]})
    values["function_id"] = raw["fungsi_bisnis"]
    area = raw["area_layanan"].lower()
    if area and not AREA_RE.match(area):
        err("area_layanan", "format", _("Use “nasional” or a province/regency code such as 32 or 32.16."))
    elif area and area != "nasional" and area not in regions:
        err("area_layanan", "region_unknown", _("Region code %(code)s does not exist.") % {"code": area})
    values["service_area"] = area
    for name, field_name, mapping in (("pengguna", "users_kind", USERS), ("hosting", "hosting", HOSTING),
                                      ("status", "status", STATUS), ("jenis", "app_type", TYPES)):
        choice = _choice(raw[name], mapping)
        if raw[name] and choice is None:
            err(name, "choice", _("Use one of: %(values)s.") % {"values": ", ".join(mapping)})
        values[field_name] = choice
    for name, field_name in (("login_nasional", "uses_national_login"), ("pertukaran_data", "uses_exchange"),
                             ("data_pribadi", "holds_personal_data")):
        text = raw[name].lower()
        if text and text not in YES | NO:
            err(name, "boolean", _("Use ya or tidak."))
        values[field_name] = text in YES
    for name, field_name in (("jumlah_pengguna", "users_count"), ("anggaran_pembangunan", "build_budget_idr"),
                             ("anggaran_operasional", "run_budget_idr")):
        if not raw[name]:
            continue
        number_value = _parse_int(raw[name])
        if number_value is None:
            err(name, "integer", _("Use a whole number of at least 0 (no decimals, no currency sign)."))
        elif number_value > (MAX_BUDGET if name != "jumlah_pengguna" else 2_000_000_000):
            err(name, "max_value", _("The number is implausibly large."))
        values[field_name] = number_value
    slugs = [s.strip() for s in re.split(r"[;,]", raw["layanan_katalog"]) if s.strip()]
    bad = [s for s in slugs if not SLUG_RE.match(s)]
    if bad:
        err("layanan_katalog", "slug", _("Not a service id: %(ids)s.") % {"ids": ", ".join(bad)})
    values["service_slugs"] = sorted(set(slugs))
    return errors, values


# --- applying ----------------------------------------------------------------------------

FIELDS = ("name", "description", "owner_unit", "function_id", "service_area", "users_kind", "users_count",
          "build_budget_idr", "run_budget_idr", "hosting", "status", "app_type", "uses_national_login",
          "uses_exchange", "holds_personal_data", "service_slugs")


def import_inventory(*, data: bytes, filename: str, acting: Principal, request: Any = None) -> ImportResult:
    """Validate a CSV/XLSX file and apply it (create or update by ``(kode_instansi,
    kode_aplikasi)``) in one transaction with its audit event.

    Returns an :class:`ImportResult`. Raises :class:`InventoryImportError` with every bad
    cell before writing anything. Imports touching the same agency run one after the other (the
    agencies' rows are locked for the transaction), so two concurrent imports of a new application
    create it once and the second updates it.
    """
    from satupintu.audit.actions import record

    rows = validate_rows(read_table(data, filename), principal=acting)
    agency_ids = dict(Agency.objects.filter(code__in={r.agency_code for r in rows}).values_list("code", "id"))
    result = ImportResult(agencies=sorted(agency_ids))
    with transaction.atomic():
        # Serialise imports per agency: a concurrent import of the same agencies waits here until
        # this one commits, then reads its rows and updates them. Locking the existing applications
        # alone cannot do that (a new application has no row to lock yet), and the second import
        # would hit the (agency, code) unique rule. Ordered by id so two imports never deadlock;
        # FOR NO KEY UPDATE (PostgreSQL) so rows referencing the agency can still be written meanwhile.
        # SQLite ignores it; its IMMEDIATE transactions already queue every writer.
        list(Agency.objects.filter(id__in=agency_ids.values()).order_by("id").select_for_update(no_key=True)
             .values_list("id", flat=True))
        existing = {
            (a.agency_id, a.code): a
            for a in Application.objects.filter(agency_id__in=agency_ids.values()).select_for_update()
        }
        to_create: list[Application] = []
        to_update: list[Application] = []
        for row in rows:
            agency_id = agency_ids[row.agency_code]
            app = existing.get((agency_id, row.values["code"]))
            if app is None:
                app = Application(agency_id=agency_id, code=row.values["code"],
                                  **{f: row.values[f] for f in FIELDS})
                to_create.append(app)
                continue
            changed = False
            for f in FIELDS:
                if getattr(app, f) != row.values[f]:
                    setattr(app, f, row.values[f])
                    changed = True
            if changed:
                to_update.append(app)
            else:
                result.unchanged += 1
        Application.objects.bulk_create(to_create, batch_size=1000)
        now = timezone.now()
        for app in to_update:
            app.updated_at = now  # bulk_update skips auto_now
        Application.objects.bulk_update(to_update, [*FIELDS, "updated_at"], batch_size=1000)
        result.created, result.updated = len(to_create), len(to_update)
        record(actor=acting, action="spbe_inventory.imported", target=("consolidation.inventory", filename[:200]),
               details={"created": result.created, "updated": result.updated, "unchanged": result.unchanged,
                        "agencies": result.agencies[:50], "file": filename[:200]}, request=request)
    return result


# --- export ------------------------------------------------------------------------------

def export_rows(apps: Iterable[Application]) -> Iterator[list[Any]]:
    """The template header, then one row per application (template order and tokens)."""
    yield list(COLUMNS)
    for a in apps:
        yield [neutralise_formula(v) for v in (  # the XLSX export too
            a.agency.code, a.code, a.name, a.description, a.owner_unit, a.function_id, a.service_area,
            USERS_OUT.get(a.users_kind, a.users_kind), a.users_count, a.build_budget_idr, a.run_budget_idr,
            HOSTING_OUT.get(a.hosting, a.hosting), STATUS_OUT.get(a.status, a.status),
            TYPES_OUT.get(a.app_type, a.app_type), "ya" if a.uses_national_login else "tidak",
            "ya" if a.uses_exchange else "tidak", "ya" if a.holds_personal_data else "tidak",
            ";".join(a.service_slugs or []),
        )]


def to_csv(rows: Iterable[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = safe_csv_writer(out)
    for row in rows:
        writer.writerow(row)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(rows: Iterable[list[Any]], *, with_guide: bool = False) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Aplikasi")
    for row in rows:
        sheet.append(row)
    if with_guide:
        guide = workbook.create_sheet("Petunjuk")
        guide.append(["kolom", "wajib", "isi"])
        for name, required, text in TEMPLATE_GUIDE:
            guide.append([name, required, text])
        functions = workbook.create_sheet("Fungsi bisnis")
        functions.append(["kode", "sektor", "urusan"])
        for code, sector, affair in BusinessFunction.objects.values_list("code", "sector_name_id", "name_id"):
            functions.append([code, sector, affair])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


TEMPLATE_GUIDE = (
    ("kode_instansi", "ya", "Kode instansi, mis. dukcapil atau pemda-32-16 (pemda: pemda-<kode wilayah>)"),
    ("kode_aplikasi", "ya", "Kode unik aplikasi di instansi (huruf, angka, -, _); kunci untuk pembaruan"),
    ("nama", "ya", "Nama aplikasi (maks. 200 karakter)"),
    ("deskripsi", "tidak", "Deskripsi singkat (maks. 4.000 karakter)"),
    ("unit_pemilik", "ya", "Unit kerja pemilik aplikasi"),
    ("fungsi_bisnis", "ya", "Kode fungsi bisnis SS.AA (lembar 'Fungsi bisnis')"),
    ("area_layanan", "ya", "nasional, atau kode wilayah provinsi/kabupaten/kota (mis. 32 atau 32.16)"),
    ("pengguna", "ya", "internal | publik | keduanya"),
    ("jumlah_pengguna", "ya", "Bilangan bulat >= 0"),
    ("anggaran_pembangunan", "ya", "Rupiah per tahun, bilangan bulat >= 0"),
    ("anggaran_operasional", "ya", "Rupiah per tahun, bilangan bulat >= 0"),
    ("hosting", "ya", "pdn | dc_instansi | cloud_komersial"),
    ("status", "ya", "rencana | aktif | pensiun"),
    ("jenis", "ya", "umum (aplikasi umum) | khusus (aplikasi khusus)"),
    ("login_nasional", "ya", "ya | tidak — memakai login nasional satupintu"),
    ("pertukaran_data", "ya", "ya | tidak — memakai pertukaran data (sistem penghubung layanan)"),
    ("data_pribadi", "ya", "ya | tidak — menyimpan data pribadi"),
    ("layanan_katalog", "tidak", "Kode layanan katalog dipisah ; (mis. dukcapil-ktp-el-baru)"),
)


def template_rows() -> list[list[Any]]:
    return [list(COLUMNS), [EXAMPLE_ROW[c] for c in COLUMNS]]
