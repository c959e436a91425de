"""Fixtures for the consolidation tests: agencies, principals and small inventories."""

from __future__ import annotations

from typing import Any

import pytest

from satupintu.catalog.models import Agency
from satupintu.consolidation.models import Application
from satupintu.core.principal import Principal


@pytest.fixture
def agencies(db, small_regions) -> dict[str, Agency]:  # noqa: ANN001
    """Two central agencies and two regional governments (on the small region set)."""
    from satupintu.regions.models import Region

    return {
        "kominfo": Agency.objects.create(code="kominfo", name_id="Kementerian Komunikasi dan Digital",
                                         kind="kementerian"),
        "bkn": Agency.objects.create(code="bkn", name_id="Badan Kepegawaian Negara", kind="badan"),
        "pemda-32-16": Agency.objects.create(code="pemda-32-16", name_id="Pemerintah Kabupaten Bekasi", kind="pemda",
                                             region=Region.objects.get(kode="32.16")),
        "pemda-32-75": Agency.objects.create(code="pemda-32-75", name_id="Pemerintah Kota Bekasi", kind="pemda",
                                             region=Region.objects.get(kode="32.75")),
    }


def admin_of(code: str) -> Principal:
    return Principal(kind="officer", id=f"admin-{code}", display=f"admin {code}", agency=code,
                     roles=frozenset({"agency_admin"}))


COORDINATOR = Principal(kind="officer", id="coord", display="koordinator", roles=frozenset({"spbe_coordinator"}))


def make_app(agency: Agency, code: str, **overrides: Any) -> Application:
    values: dict[str, Any] = {
        "name": code.replace("-", " ").title(), "description": "", "owner_unit": "Pusdatin", "function_id": "01.05",
        "service_area": "nasional", "users_kind": "internal", "users_count": 100, "build_budget_idr": 0,
        "run_budget_idr": 100_000_000, "hosting": "agency_dc", "status": "live", "app_type": "khusus",
        "uses_national_login": False, "uses_exchange": False, "holds_personal_data": False, "service_slugs": [],
    }
    values.update(overrides)
    return Application.objects.create(agency=agency, code=code, **values)
