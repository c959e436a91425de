"""The synthetic inventory generator: agencies from the shared data and the region register,
the documented spread, determinism by seed, and the management command."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import models

from satupintu.catalog.models import Agency
from satupintu.consolidation.generator import generate
from satupintu.consolidation.models import Application

pytestmark = pytest.mark.django_db


def test_generator_needs_the_region_register(db) -> None:  # noqa: ANN001
    with pytest.raises(CommandError, match="import-regions"):
        call_command("consolidation", "generate", "--apps", "10")


def test_generator_spreads_synthetic_apps_over_agencies_and_pemda(small_regions) -> None:  # noqa: ANN001
    generate(apps=600, seed=1)
    # small region set: 2 provinces, 4 regencies/cities → 6 pemda; plus the non-pemda agencies of agencies.yaml.
    assert Agency.objects.filter(kind="pemda", code__startswith="pemda-").count() == 6
    assert Agency.objects.filter(code="dukcapil", parent__code="kemendagri").exists()
    assert not Agency.objects.filter(code="samsat").exists()  # a pemda without a region
    apps = Application.objects.all()
    assert apps.count() == 600 and not apps.filter(synthetic=False).exists()
    assert all(code.startswith("syn-") for code in apps.values_list("code", flat=True))
    pemda_share = apps.filter(agency__kind="pemda").count() / 600
    assert 0.70 < pemda_share < 0.90  # documented: 15% + 65%
    assert set(apps.values_list("hosting", flat=True)) == {"pdn", "agency_dc", "commercial_cloud"}
    assert apps.filter(agency__kind="pemda").exclude(service_area__startswith="3").count() == 0
    for app in apps[:50]:
        app.full_clean()  # every generated row passes the model's own validation


def test_same_seed_same_inventory_and_replace_by_default(small_regions) -> None:  # noqa: ANN001
    generate(apps=50, seed=7)
    first = list(Application.objects.order_by("code").values_list("code", "name", "run_budget_idr"))
    generate(apps=50, seed=7)
    assert list(Application.objects.order_by("code").values_list("code", "name", "run_budget_idr")) == first


def test_command_prints_synthetic_label(small_regions, capsys) -> None:  # noqa: ANN001
    call_command("consolidation", "generate", "--apps", "20")
    assert "SYNTHETIC" in capsys.readouterr().out
    assert Application.objects.filter(synthetic=True).count() == 20


def test_generator_covers_the_552_regional_governments_of_the_real_register(db, tmp_path) -> None:  # noqa: ANN001
    from satupintu.regions.importer import import_regions
    from tests.conftest import SHARED_DATA

    source = SHARED_DATA / "wilayah" / "wilayah.csv"
    lines = source.read_text(encoding="utf-8").splitlines()
    kept = [lines[0]] + [line for line in lines[1:] if line.split(",", 1)[0].count(".") <= 1]
    (tmp_path / "wilayah.csv").write_text("\n".join(kept) + "\n", encoding="utf-8")
    import_regions(regions_path=tmp_path / "wilayah.csv")
    generate(apps=3000, seed=3)
    pemda = Agency.objects.filter(kind="pemda", code__startswith="pemda-")
    assert pemda.filter(region__level=1).count() == 38 and pemda.filter(region__level=2).count() == 514
    assert Agency.objects.get(code="pemda-32-16").name_id == "Pemerintah Kabupaten Bekasi"
    assert Agency.objects.get(code="pemda-32").name_id == "Pemerintah Provinsi Jawa Barat"
    # Spread: most regional governments got at least one app, and no agency got an outsized share.
    per_agency = Application.objects.values("agency").annotate(n=models.Count("id")).values_list("n", flat=True)
    assert len(per_agency) > 450 and max(per_agency) < 60
