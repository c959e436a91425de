"""Import the service catalogue from ``agencies.yaml`` + ``services.yaml`` (format: the shared data
folder's ``catalog/README.md``).

Everything is validated first and every problem is reported as ``file: entry id: field: message``;
if anything is invalid nothing is written. Otherwise one transaction creates or updates agencies and
services (only what changed, each change audited), rebuilds the search index and records
``catalog.imported``. Importing the same files again changes nothing. Services that are no longer in
the file are kept (they may have been added in the admin) and counted as ``kept``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from satupintu.audit.actions import record
from satupintu.catalog import search
from satupintu.catalog.analyzer import reset_analyzer, shipped_synonyms
from satupintu.catalog.models import (
    Agency,
    AgencyKind,
    Channel,
    ChannelKind,
    LifeEvent,
    PriorityArea,
    Service,
    Synonym,
)
from satupintu.core.principal import Principal

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
AGENCY_KEYS = {"code", "name_id", "name_en", "kind", "parent", "website"}
AGENCY_OPTIONAL = {"notes"}
SERVICE_KEYS = {"id", "name_id", "name_en", "agency", "summary_id", "summary_en", "requirements", "procedure",
                "duration", "duration_days", "fee", "product", "legal_basis", "channels", "life_events",
                "keywords", "priority_area", "sources", "notes"}
FEE_KEYS = {"amount_idr", "basis"}
FEE_OPTIONAL = {"variants"}
CHANNEL_KEYS = {"kind"}
CHANNEL_OPTIONAL = {"url", "place", "name"}
_url = URLValidator(schemes=["http", "https"])


@dataclass(frozen=True)
class CatalogError:
    """One broken rule: ``file`` (agencies.yaml/services.yaml), ``entry`` (code/id or ``#n``), ``field``."""

    file: str
    entry: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.entry}: {self.field}: {self.message}"


class CatalogImportError(Exception):
    """The input is invalid; ``errors`` lists every problem. Nothing was written."""

    def __init__(self, errors: list[CatalogError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


@dataclass
class ImportReport:
    agencies_created: int = 0
    agencies_updated: int = 0
    services_created: int = 0
    services_updated: int = 0
    services_unchanged: int = 0
    services_kept: int = 0
    indexed: int = 0
    changed: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (f"Agencies: {self.agencies_created} created, {self.agencies_updated} updated. "
                f"Services: {self.services_created} created, {self.services_updated} updated, "
                f"{self.services_unchanged} unchanged, {self.services_kept} not in the file (kept). "
                f"Indexed {self.indexed} services.")


class _Checker:
    def __init__(self, file: str) -> None:
        self.file = file
        self.errors: list[CatalogError] = []

    def err(self, entry: str, fld: str, message: str) -> None:
        self.errors.append(CatalogError(self.file, entry, fld, message))

    def keys(self, entry: str, data: dict, required: set[str], optional: set[str], prefix: str = "") -> None:
        for key in sorted(set(data) - required - optional, key=str):
            self.err(entry, f"{prefix}{key}", "unknown key")
        for key in sorted(required - set(data)):
            self.err(entry, f"{prefix}{key}", "missing key")

    def text(self, entry: str, data: dict, key: str, *, required: bool = True, max_length: int | None = None,
             label: str | None = None) -> str | None:
        value = data.get(key)
        name = label or key
        if value is None:
            if required and key in data:
                self.err(entry, name, "must not be empty")
            return None
        if not isinstance(value, str) or (required and not value.strip()):
            self.err(entry, name, "must be non-empty text" if required else "must be text or null")
            return None
        if "\x00" in value:
            self.err(entry, name, "must not contain NUL characters")
            return None
        if max_length and len(value) > max_length:
            self.err(entry, name, f"must be at most {max_length} characters")
        return value.strip()

    def texts(self, entry: str, data: dict, key: str) -> list[str]:
        value = data.get(key)
        if key not in data:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.err(entry, key, "must be a list of non-empty texts")
            return []
        return [v.strip() for v in value]

    def url(self, entry: str, fld: str, value: Any) -> str:
        if not isinstance(value, str):
            self.err(entry, fld, "must be an http(s) URL")
            return ""
        try:
            _url(value)
        except ValidationError:
            self.err(entry, fld, f"{value!r} is not a valid http(s) URL")
            return ""
        return value

    def amount(self, entry: str, fld: str, value: Any) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.err(entry, fld, "must be a whole number of rupiah ≥ 0, or null (not confirmed)")
            return None
        return value


def _load_yaml(path: Path, checker: _Checker) -> list[Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        checker.err("-", "-", f"file not found: {path}")
        return []
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        checker.err("-", "-", f"not valid YAML: {exc}".replace("\n", " "))
        return []
    if not isinstance(data, list):
        checker.err("-", "-", "must be a list of entries")
        return []
    return data


def _entry_id(data: Any, key: str, index: int) -> str:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, str) and value else f"#{index + 1}"


def parse_agencies(entries: list[Any], checker: _Checker) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for i, data in enumerate(entries):
        entry = _entry_id(data, "code", i)
        if not isinstance(data, dict):
            checker.err(entry, "-", "must be a mapping")
            continue
        checker.keys(entry, data, AGENCY_KEYS, AGENCY_OPTIONAL)
        code = data.get("code")
        if not isinstance(code, str) or not SLUG_RE.match(code) or len(code) > 64:
            checker.err(entry, "code", "must be a slug (a-z, 0-9, single dashes; at most 64 characters)")
            continue
        if code in out:
            checker.err(entry, "code", "duplicate code")
            continue
        kind = data.get("kind")
        if kind not in AgencyKind.values:
            checker.err(entry, "kind", f"must be one of {', '.join(AgencyKind.values)}")
        website = data.get("website")
        out[code] = {
            "name_id": checker.text(entry, data, "name_id", max_length=255) or "",
            "name_en": checker.text(entry, data, "name_en", max_length=255) or "",
            "kind": kind,
            "parent": data.get("parent"),
            "website": checker.url(entry, "website", website) if website is not None else "",
            "notes": checker.text(entry, data, "notes", required=False) or "",
        }
    for code, agency in out.items():
        parent = agency["parent"]
        if parent is not None and parent not in out:
            checker.err(code, "parent", f"unknown agency code {parent!r}")
        seen, cursor = {code}, parent
        while cursor in out:
            if cursor in seen:
                checker.err(code, "parent", "parents form a cycle")
                break
            seen.add(cursor)
            cursor = out[cursor]["parent"]
    return out


def _parse_fee(entry: str, fee: Any, checker: _Checker) -> dict[str, Any]:
    if not isinstance(fee, dict):
        checker.err(entry, "fee", "must be a mapping with amount_idr and basis")
        return {}
    checker.keys(entry, fee, FEE_KEYS, FEE_OPTIONAL, prefix="fee.")
    variants = []
    raw_variants = fee.get("variants") or []
    if not isinstance(raw_variants, list):
        checker.err(entry, "fee.variants", "must be a list of {label, amount_idr}")
        raw_variants = []
    for j, v in enumerate(raw_variants):
        where = f"fee.variants[{j}]"
        if not isinstance(v, dict):
            checker.err(entry, where, "must be a mapping {label, amount_idr}")
            continue
        checker.keys(entry, v, {"label", "amount_idr"}, set(), prefix=where + ".")
        label = checker.text(entry, v, "label", label=f"{where}.label") or ""
        amount = checker.amount(entry, f"{where}.amount_idr", v.get("amount_idr"))
        if amount is None and "amount_idr" in v:
            checker.err(entry, f"{where}.amount_idr", "a variant needs a confirmed amount")
        variants.append({"label": label, "amount_idr": amount})
    amount = checker.amount(entry, "fee.amount_idr", fee.get("amount_idr"))
    if variants and amount is not None:
        checker.err(entry, "fee.amount_idr", "must be null when fee.variants are given")
    return {"fee_idr": amount, "fee_basis": checker.text(entry, fee, "basis", required=False, label="fee.basis") or "",
            "fee_variants": variants}


def _parse_channels(entry: str, channels: Any, checker: _Checker) -> list[dict[str, str]]:
    if not isinstance(channels, list):
        checker.err(entry, "channels", "must be a list")
        return []
    out = []
    for j, ch in enumerate(channels):
        where = f"channels[{j}]"
        if not isinstance(ch, dict):
            checker.err(entry, where, "must be a mapping {kind, url?, place?, name?}")
            continue
        checker.keys(entry, ch, CHANNEL_KEYS, CHANNEL_OPTIONAL, prefix=where + ".")
        if ch.get("kind") not in ChannelKind.values:
            checker.err(entry, f"{where}.kind", f"must be one of {', '.join(ChannelKind.values)}")
        url = checker.url(entry, f"{where}.url", ch["url"]) if ch.get("url") is not None else ""
        if not (url or ch.get("place") or ch.get("name")):
            checker.err(entry, where, "needs a url, a place or a name")
        out.append({"kind": str(ch.get("kind")), "url": url,
                    "place": checker.text(entry, ch, "place", required=False, label=f"{where}.place") or "",
                    "name": checker.text(entry, ch, "name", required=False, label=f"{where}.name") or ""})
    return out


def parse_services(entries: list[Any], agencies: set[str], checker: _Checker) -> dict[str, dict[str, Any]]:
    life_events = set(LifeEvent.objects.values_list("slug", flat=True))
    priorities = set(PriorityArea.objects.values_list("slug", flat=True))
    out: dict[str, dict[str, Any]] = {}
    for i, data in enumerate(entries):
        entry = _entry_id(data, "id", i)
        if not isinstance(data, dict):
            checker.err(entry, "-", "must be a mapping")
            continue
        checker.keys(entry, data, SERVICE_KEYS, set())
        slug = data.get("id")
        if not isinstance(slug, str) or not SLUG_RE.match(slug) or len(slug) > 100:
            checker.err(entry, "id", "must be a slug (a-z, 0-9, single dashes; at most 100 characters)")
            continue
        if slug in out:
            checker.err(entry, "id", "duplicate id")
            continue
        if data.get("agency") not in agencies:
            checker.err(entry, "agency", f"unknown agency code {data.get('agency')!r}")
        days = data.get("duration_days")
        if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days < 0):
            checker.err(entry, "duration_days", "must be a whole number of working days ≥ 0, or null")
            days = None
        events = data.get("life_events") or []
        if not isinstance(events, list) or any(e not in life_events for e in events):
            checker.err(entry, "life_events", f"must be a list of: {', '.join(sorted(life_events))}")
            events = []
        priority = data.get("priority_area")
        if priority is not None and priority not in priorities:
            checker.err(entry, "priority_area", f"must be null or one of: {', '.join(sorted(priorities))}")
        sources = checker.texts(entry, data, "sources")
        for j, src in enumerate(sources):
            checker.url(entry, f"sources[{j}]", src)
        out[slug] = {
            "agency": data.get("agency"),
            "name_id": checker.text(entry, data, "name_id", max_length=255) or "",
            "name_en": checker.text(entry, data, "name_en", max_length=255) or "",
            "summary_id": checker.text(entry, data, "summary_id") or "",
            "summary_en": checker.text(entry, data, "summary_en") or "",
            "requirements": checker.texts(entry, data, "requirements"),
            "procedure": checker.texts(entry, data, "procedure"),
            "duration_text": checker.text(entry, data, "duration", required=False, max_length=255) or "",
            "duration_days": days,
            **_parse_fee(entry, data.get("fee"), checker),
            "product": checker.text(entry, data, "product", required=False) or "",
            "legal_basis": checker.texts(entry, data, "legal_basis"),
            "channels": _parse_channels(entry, data.get("channels"), checker),
            "life_events": sorted(set(events)),
            "keywords": checker.texts(entry, data, "keywords"),
            "priority_area": priority,
            "sources": sources,
            "notes": checker.text(entry, data, "notes", required=False) or "",
        }
    return out


def validate(folder: Path) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """Parse and check both files. Raises :class:`CatalogImportError` listing every problem."""
    agencies_check, services_check = _Checker("agencies.yaml"), _Checker("services.yaml")
    agencies = parse_agencies(_load_yaml(folder / "agencies.yaml", agencies_check), agencies_check)
    services = parse_services(_load_yaml(folder / "services.yaml", services_check), set(agencies), services_check)
    errors = agencies_check.errors + services_check.errors
    if errors:
        raise CatalogImportError(errors)
    return agencies, services


def seed_synonyms() -> int:
    """Copy the shipped synonym table into the admin table when that table is empty. Returns rows added."""
    if Synonym.objects.exists():
        return 0
    rows = {variant.strip().lower(): canonical for variant, canonical in shipped_synonyms()}
    Synonym.objects.bulk_create([Synonym(variant=v[:100], canonical=c[:100]) for v, c in rows.items()])
    return len(rows)


_SCALAR_FIELDS = ["name_id", "name_en", "summary_id", "summary_en", "requirements", "procedure", "duration_text",
                  "duration_days", "fee_idr", "fee_basis", "fee_variants", "product", "legal_basis", "keywords",
                  "sources", "notes"]


def _apply_agencies(agencies: dict[str, dict[str, Any]], actor: Principal, report: ImportReport) -> dict[str, Agency]:
    existing = {a.code: a for a in Agency.objects.all()}
    for code, data in agencies.items():
        agency = existing.get(code)
        values = {k: data[k] for k in ("name_id", "name_en", "kind", "website", "notes")}
        if agency is None:
            agency = Agency(code=code, **values)
            agency.full_clean(exclude=["parent", "region"])
            agency.save()
            existing[code] = agency
            report.agencies_created += 1
            record(actor=actor, action="agency.created", target=agency, details={"code": code, "source": "import"})
        elif any(getattr(agency, k) != v for k, v in values.items()):
            changed = sorted(k for k, v in values.items() if getattr(agency, k) != v)
            for k, v in values.items():
                setattr(agency, k, v)
            agency.full_clean(exclude=["parent", "region"])
            agency.save()
            report.agencies_updated += 1
            record(actor=actor, action="agency.updated", target=agency,
                   details={"code": code, "fields": changed, "source": "import"})
    for code, data in agencies.items():
        agency = existing[code]
        parent_id = existing[data["parent"]].id if data["parent"] else None
        if agency.parent_id != parent_id:
            agency.parent_id = parent_id
            agency.save(update_fields=["parent", "updated_at"])
            record(actor=actor, action="agency.updated", target=agency,
                   details={"code": code, "fields": ["parent"], "source": "import"})
    return existing


def _channels_of(service: Service) -> list[dict[str, str]]:
    return [{"kind": c.kind, "url": c.url, "place": c.place, "name": c.name} for c in service.channels.all()]


def _apply_services(services: dict[str, dict[str, Any]], agencies: dict[str, Agency], actor: Principal,
                    report: ImportReport) -> None:
    events = {e.slug: e for e in LifeEvent.objects.all()}
    priorities = {p.slug: p for p in PriorityArea.objects.all()}
    existing = {s.slug: s for s in Service.objects.prefetch_related("channels", "life_events")}
    for slug, data in services.items():
        service = existing.get(slug)
        created = service is None
        if service is None:
            service = Service(slug=slug)
        changed = [k for k in _SCALAR_FIELDS if getattr(service, k) != data[k]]
        agency = agencies[data["agency"]]
        priority = priorities.get(data["priority_area"]) if data["priority_area"] else None
        if service.agency_id != agency.id:
            changed.append("agency")
        if service.priority_area_id != (priority.id if priority else None):
            changed.append("priority_area")
        old_channels = [] if created else _channels_of(service)
        old_events = [] if created else sorted(e.slug for e in service.life_events.all())
        if old_channels != data["channels"]:
            changed.append("channels")
        if old_events != data["life_events"]:
            changed.append("life_events")
        if not changed:
            report.services_unchanged += 1
            continue
        for k in _SCALAR_FIELDS:
            setattr(service, k, data[k])
        service.agency = agency
        service.priority_area = priority
        service.full_clean(exclude=["uid"])
        service.save()
        if "channels" in changed:
            service.channels.all().delete()
            Channel.objects.bulk_create([Channel(service=service, position=i, **c)
                                         for i, c in enumerate(data["channels"])])
        if "life_events" in changed:
            service.life_events.set([events[e] for e in data["life_events"]])
        report.changed.append(slug)
        if created:
            report.services_created += 1
            record(actor=actor, action="service.created", target=service,
                   details={"slug": slug, "agency": agency.code, "source": "import"})
        else:
            report.services_updated += 1
            record(actor=actor, action="service.updated", target=service,
                   details={"slug": slug, "agency": agency.code, "fields": sorted(changed), "source": "import"})
    report.services_kept = len(set(existing) - set(services))


def import_catalog(folder: Path, *, actor: Principal | None = None) -> ImportReport:
    """Validate ``folder``'s ``agencies.yaml`` and ``services.yaml``, then apply them atomically.

    Returns an :class:`ImportReport`. Raises :class:`CatalogImportError` (nothing written) listing
    every invalid entry as ``file: entry: field: message``. Unknown keys are errors (README rule).
    """
    actor = actor or Principal.platform("import-catalog")
    agencies, services = validate(folder)
    report = ImportReport()
    with transaction.atomic():
        if seed_synonyms():
            reset_analyzer()
        by_code = _apply_agencies(agencies, actor, report)
        _apply_services(services, by_code, actor, report)
        if report.changed or report.agencies_updated or not _index_complete():
            reset_analyzer()
            report.indexed = search.reindex_all()
        if report.changed or report.agencies_created or report.agencies_updated:
            record(actor=actor, action="catalog.imported", target=("catalog", folder.name),
                   details={"agencies_created": report.agencies_created,
                            "agencies_updated": report.agencies_updated,
                            "services_created": report.services_created,
                            "services_updated": report.services_updated,
                            "services_unchanged": report.services_unchanged})
    return report


def _index_complete() -> bool:
    from satupintu.catalog.models import SearchDocument

    return SearchDocument.objects.count() == Service.objects.count()
