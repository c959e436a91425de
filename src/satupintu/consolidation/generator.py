"""A seeded generator of a *synthetic* SPBE inventory, for tests, demos and benchmarks.

Every generated row has ``synthetic=True``, a code starting with ``syn-`` and a description
ending in "(data sintetis)"; pages show a "synthetic data" notice when such rows exist.
Nothing here describes a real agency's applications.

Agencies: the agencies of ``<shared data>/catalog/agencies.yaml`` (created when absent;
``pemda`` entries without a region, such as the joint Samsat office, are skipped) and one
regional government (pemda) per province and regency/city in the region register (38 + 514
with the Kepmendagri 2025 data; codes ``pemda-32`` and ``pemda-32-16``). The region register
must be loaded first (``satupintu import-regions``).

Distribution (with ``random.Random(seed)``; documented in docs/consolidation.md):

* owner: 20% central agencies, 15% provinces, 65% regencies/cities (uniform within each);
* kind of app: one of :data:`TEMPLATES` (``data/generator_templates.yaml``), by its weight;
  name = a prefix + the template's stem +
  the place or agency, sometimes with a variant suffix;
* budget (rupiah/year): run ~ lognormal(median = template median, σ = 0.9), build is 0 for 45%
  of apps and otherwise ~ lognormal(2 × median, σ = 0.9), both rounded to Rp 1 juta;
* hosting 25% PDN / 55% agency data centre / 20% commercial cloud; status 75% live / 10%
  planned / 15% retired; 10% aplikasi umum; 8% use the national login; 12% the exchange.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.conf import settings
from django.db import transaction

from satupintu.catalog.models import Agency, AgencyKind
from satupintu.consolidation.models import Application, AppStatus, AppType, Hosting, UsersKind
from satupintu.core.principal import Principal
from satupintu.regions.models import Level, Region


@dataclass(frozen=True)
class Template:
    function: str
    stems: tuple[str, ...]
    description: str
    users: str
    median_idr: int
    weight: int
    personal: bool
    services: tuple[str, ...] = ()


def _load_templates() -> tuple[Template, ...]:
    data = yaml.safe_load((Path(__file__).resolve().parent / "data" / "generator_templates.yaml").read_text("utf-8"))
    return tuple(Template(function=t["function"], stems=tuple(t["stems"]), description=t["description"],
                          users=t["users"], median_idr=int(t["median_idr"]), weight=int(t["weight"]),
                          personal=bool(t["personal"]), services=tuple(t.get("services") or ()))
                 for t in data)


TEMPLATES: tuple[Template, ...] = _load_templates()
PREFIXES = ("", "", "Sistem Informasi ", "Aplikasi ", "SI ", "e-")
SUFFIXES = ("", "", "", " Terpadu", " Online", " Mobile", " v2", " Terintegrasi")
HOSTING_DIST = ((Hosting.PDN, 25), (Hosting.AGENCY_DC, 55), (Hosting.COMMERCIAL_CLOUD, 20))
STATUS_DIST = ((AppStatus.LIVE, 75), (AppStatus.PLANNED, 10), (AppStatus.RETIRED, 15))


class GeneratorError(RuntimeError):
    """The generator cannot run (e.g. the region register is not loaded)."""


def pemda_code(kode: str) -> str:
    """Agency code of the regional government of region ``kode``: ``32.16`` → ``pemda-32-16``."""
    return "pemda-" + kode.replace(".", "-")


def pemda_name(region: Region) -> str:
    if region.level == Level.PROVINSI:
        return f"Pemerintah Provinsi {region.nama}"
    return f"Pemerintah {region.nama}"


def ensure_agencies(agencies_yaml: Path | None = None) -> tuple[list[str], list[str], list[str]]:
    """Create the catalogue agencies and one pemda per province/regency/city when absent.

    Returns ``(central_codes, province_codes, regency_codes)``. Raises :class:`GeneratorError`
    when the region register has no provinces."""
    path = agencies_yaml or Path(settings.SATUPINTU_SHARED_DATA) / "catalog" / "agencies.yaml"
    regions = list(Region.objects.filter(level__lte=Level.KABUPATEN_KOTA).order_by("kode"))
    if not any(r.level == Level.PROVINSI for r in regions):
        raise GeneratorError("The region register is empty; run `satupintu import-regions` first.")
    existing = set(Agency.objects.values_list("code", flat=True))
    central: list[str] = []
    if path.is_file():
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        by_code = {e["code"]: e for e in entries}
        for entry in entries:
            if entry["kind"] == AgencyKind.PEMDA:
                continue  # a pemda needs a region (e.g. the joint Samsat office has none)
            central.append(entry["code"])
            if entry["code"] in existing:
                continue
            parent_code = entry.get("parent")
            parent = Agency.objects.filter(code=parent_code).first() if parent_code else None
            if parent_code and parent is None and parent_code in by_code:
                p = by_code[parent_code]
                parent = Agency.objects.create(code=p["code"], name_id=p["name_id"], name_en=p.get("name_en", ""),
                                               kind=p["kind"], website=p.get("website") or "")
                existing.add(p["code"])
            Agency.objects.create(code=entry["code"], name_id=entry["name_id"], name_en=entry.get("name_en", ""),
                                  kind=entry["kind"], parent=parent, website=entry.get("website") or "")
            existing.add(entry["code"])
    new = [Agency(code=pemda_code(r.kode), name_id=pemda_name(r), kind=AgencyKind.PEMDA, region=r)
           for r in regions if pemda_code(r.kode) not in existing]
    Agency.objects.bulk_create(new, batch_size=1000)
    provinces = [pemda_code(r.kode) for r in regions if r.level == Level.PROVINSI]
    regencies = [pemda_code(r.kode) for r in regions if r.level == Level.KABUPATEN_KOTA]
    return central, provinces, regencies


def _pick(rng: random.Random, dist: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([d[0] for d in dist], weights=[d[1] for d in dist])[0]


def _money(rng: random.Random, median: int) -> int:
    return max(1, round(rng.lognormvariate(math.log(median), 0.9) / 1_000_000)) * 1_000_000


def generate(*, apps: int, seed: int = 20261130, replace: bool = True, acting: Principal | None = None,
             progress: Callable[[int, int], None] | None = None) -> int:
    """Create ``apps`` synthetic inventory rows (after deleting earlier synthetic rows when
    ``replace``). Deterministic for a given seed and agency set. Returns the number created."""
    from satupintu.audit.actions import record

    if apps < 0:
        raise GeneratorError("--apps must be at least 0")
    rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data, not security
    with transaction.atomic():
        central, provinces, regencies = ensure_agencies()
        if replace:
            Application.objects.filter(synthetic=True).delete()
        pools = [(central, 20), (provinces, 15), (regencies, 65)]
        pools = [(p, w) for p, w in pools if p]
        agencies = dict(Agency.objects.filter(code__in=central + provinces + regencies)
                        .values_list("code", "id"))
        region_of = dict(Agency.objects.filter(code__in=provinces + regencies).values_list("code", "region_id"))
        names = dict(Agency.objects.filter(code__in=agencies).values_list("code", "name_id"))
        weights = [t.weight for t in TEMPLATES]
        batch: list[Application] = []
        start = Application.objects.filter(synthetic=True).count()
        for n in range(apps):
            pool = rng.choices([p for p, _ in pools], weights=[w for _, w in pools])[0]
            agency = rng.choice(pool)
            template = rng.choices(TEMPLATES, weights=weights)[0]
            place = names[agency].removeprefix("Pemerintah ").removeprefix("Provinsi ")
            stem, prefix = rng.choice(template.stems), rng.choice(PREFIXES)
            if prefix and stem.lower().startswith(prefix.strip().lower()):
                prefix = ""  # no "e-e-Pegawai" or "Sistem Informasi Sistem Informasi Desa"
            name = f"{prefix}{stem} {place}{rng.choice(SUFFIXES)}"[:200]
            users = template.users
            batch.append(Application(
                agency_id=agencies[agency], code=f"syn-{start + n + 1:06d}", name=name,
                description=f"{template.description} — {place} (data sintetis)",
                owner_unit=("Dinas Komunikasi dan Informatika" if agency.startswith("pemda-")
                            else "Pusat Data dan Informasi"),
                function_id=template.function, service_area=region_of.get(agency) or "nasional",
                users_kind={"internal": UsersKind.INTERNAL, "public": UsersKind.PUBLIC}.get(users, UsersKind.BOTH),
                users_count=max(1, int(rng.lognormvariate(math.log(2000 if users != "internal" else 300), 1.2))),
                build_budget_idr=0 if rng.random() < 0.45 else _money(rng, template.median_idr * 2),
                run_budget_idr=_money(rng, template.median_idr),
                hosting=_pick(rng, HOSTING_DIST), status=_pick(rng, STATUS_DIST),
                app_type=AppType.GENERAL if rng.random() < 0.10 else AppType.SPECIFIC,
                uses_national_login=rng.random() < 0.08, uses_exchange=rng.random() < 0.12,
                holds_personal_data=template.personal,
                service_slugs=list(template.services) if template.services and rng.random() < 0.5 else [],
                synthetic=True,
            ))
            if len(batch) >= 2000:
                Application.objects.bulk_create(batch)
                batch.clear()
                if progress:
                    progress(n + 1, apps)
        Application.objects.bulk_create(batch)
        if progress:
            progress(apps, apps)
        record(actor=acting or Principal.platform(), action="spbe_inventory.generated",
               target=("consolidation.inventory", "synthetic"), details={"apps": apps, "seed": seed})
    return apps
