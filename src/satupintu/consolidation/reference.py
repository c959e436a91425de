"""Load the reference data shipped in ``data/`` into the database (idempotent).

* ``business_functions.yaml`` → :class:`BusinessFunction` (sector × government affair codes);
* ``general_apps.yaml`` → :class:`GeneralApplication` (aplikasi umum);
* ``frameworks/*.yaml`` → :class:`Framework` with domains, aspects, indicators and predicate bands.

Runs after every ``migrate`` (post_migrate) and with ``satupintu consolidation sync-reference``.
A framework version already in the database is never changed: if its file changed, the sync
refuses (:class:`ReferenceDataError`) — a new regulation is a *new* file with a new ``code``.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

DATA_DIR = Path(__file__).resolve().parent / "data"
FRAMEWORK_DIR = DATA_DIR / "frameworks"


class ReferenceDataError(ValueError):
    """A reference data file is inconsistent; the message names the file and the rule."""


def _dec(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def load_business_functions(path: Path | None = None) -> list[dict[str, str]]:
    """Flatten ``business_functions.yaml`` into rows ``{code, sector_code, sector_name_*, name_*}``."""
    data = yaml.safe_load((path or DATA_DIR / "business_functions.yaml").read_text(encoding="utf-8"))
    rows = []
    for sector in data["sectors"]:
        for affair in sector["affairs"]:
            rows.append({
                "code": f"{sector['code']}.{affair['code']}",
                "sector_code": str(sector["code"]),
                "sector_name_id": sector["name_id"], "sector_name_en": sector["name_en"],
                "name_id": affair["name_id"], "name_en": affair["name_en"],
            })
    codes = [r["code"] for r in rows]
    if len(codes) != len(set(codes)):
        raise ReferenceDataError("business_functions.yaml: duplicate code")
    return rows


def validate_framework(data: dict[str, Any], source: str) -> None:
    """Check a framework file: unique numbers, every aspect's weight = the sum of its indicators'
    weights, every domain's weight = the sum of its aspects' weights, total weight 100, bands
    with distinct minimums. Raises :class:`ReferenceDataError` naming the file and rule."""
    def fail(rule: str) -> None:
        raise ReferenceDataError(f"{source}: {rule}")

    for key in ("code", "name", "source", "aspects", "bands", "levels"):
        if key not in data:
            fail(f"missing key {key!r}")
    domains = {d["number"]: _dec(d["weight"]) for d in data.get("domains") or []}
    indicator_numbers: set[int] = set()
    aspect_numbers: set[int] = set()
    domain_sums: dict[int, Decimal] = dict.fromkeys(domains, Decimal(0))
    total = Decimal(0)
    for aspect in data["aspects"]:
        if aspect["number"] in aspect_numbers:
            fail(f"aspect {aspect['number']} appears twice")
        aspect_numbers.add(aspect["number"])
        weights = [_dec(i["weight"]) for i in aspect["indicators"]]
        for ind in aspect["indicators"]:
            if ind["number"] in indicator_numbers:
                fail(f"indicator {ind['number']} appears twice")
            indicator_numbers.add(ind["number"])
        if sum(weights) != _dec(aspect["weight"]):
            fail(f"aspect {aspect['number']} weight {aspect['weight']} != sum of its indicators {sum(weights)}")
        total += sum(weights)
        if domains:
            if aspect.get("domain") not in domains:
                fail(f"aspect {aspect['number']} names unknown domain {aspect.get('domain')!r}")
            domain_sums[aspect["domain"]] += sum(weights)
    for number, weight in domains.items():
        if domain_sums[number] != weight:
            fail(f"domain {number} weight {weight} != sum of its aspects {domain_sums[number]}")
    if total != Decimal("100.00"):
        fail(f"indicator weights sum to {total}, not 100")
    mins = [_dec(b["min_index"]) for b in data["bands"]]
    if len(set(mins)) != len(mins):
        fail("two predicate bands share a minimum")


def framework_files() -> list[Path]:
    return sorted(FRAMEWORK_DIR.glob("*.yaml"))


@transaction.atomic
def sync_framework(path: Path) -> bool:
    """Create the framework in ``path`` if absent. Returns True when created.

    Raises :class:`ReferenceDataError` if the file is inconsistent, or if a framework with the
    same code exists with different content (versions are immutable)."""
    from satupintu.consolidation.models import Aspect, Domain, Framework, Indicator, PredicateBand

    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    data = yaml.safe_load(raw)
    validate_framework(data, path.name)
    existing = Framework.objects.filter(code=data["code"]).first()
    if existing is not None:
        if existing.content_hash != digest:
            raise ReferenceDataError(
                f"{path.name}: framework {data['code']} is already loaded with different content; "
                "framework versions are immutable — publish a new file with a new code")
        return False
    fw = Framework.objects.create(
        code=data["code"], name=data["name"], source=data["source"], provisional=bool(data.get("provisional")),
        min_level=data["levels"]["min"], max_level=data["levels"]["max"], content_hash=digest)
    domains = {d["number"]: Domain.objects.create(framework=fw, number=d["number"], name=d["name"],
                                                  weight=_dec(d["weight"])) for d in data.get("domains") or []}
    for a in data["aspects"]:
        aspect = Aspect.objects.create(framework=fw, domain=domains.get(a.get("domain")), number=a["number"],
                                       name=a["name"], weight=_dec(a["weight"]))
        Indicator.objects.bulk_create([
            Indicator(framework=fw, aspect=aspect, number=i["number"], name=i["name"], weight=_dec(i["weight"]))
            for i in a["indicators"]
        ])
    PredicateBand.objects.bulk_create([
        PredicateBand(framework=fw, name=b["name"], min_index=_dec(b["min_index"])) for b in data["bands"]
    ])
    return True


@transaction.atomic
def sync_reference_data() -> dict[str, int]:
    """Upsert business functions and aplikasi umum, create missing frameworks.

    Returns counts ``{"functions": n, "general_apps": n, "frameworks_created": n}``."""
    from satupintu.consolidation.models import BusinessFunction, GeneralApplication

    rows = load_business_functions()
    for row in rows:
        BusinessFunction.objects.update_or_create(code=row["code"], defaults=row)
    general = yaml.safe_load((DATA_DIR / "general_apps.yaml").read_text(encoding="utf-8"))
    for item in general:
        GeneralApplication.objects.update_or_create(
            code=item["code"], defaults={"name": item["name"], "owner": item["owner"],
                                         "function_id": item["function"], "basis": item.get("basis", "")})
    created = sum(1 for path in framework_files() if sync_framework(path))
    return {"functions": len(rows), "general_apps": len(general), "frameworks_created": created}


def sync_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """post_migrate hook: keep the shipped reference data loaded."""
    from django.db import connections

    from satupintu.consolidation.models import BusinessFunction

    if BusinessFunction._meta.db_table not in connections[using].introspection.table_names():
        return
    sync_reference_data()
