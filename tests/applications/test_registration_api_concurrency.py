"""Two retries of the same Registration API submission at once: one application (real transactions)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import close_old_connections, connection
from django.test import Client

from satupintu.applications.models import Application
from satupintu.audit.models import AuditEvent
from satupintu.catalog.models import Service
from satupintu.identity import testing
from tests.applications.test_registration_api import BASE, answers, bearer

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def test_concurrent_submissions_with_one_idempotency_key_make_one_application(version: Any, agencies: Any) -> None:
    service = Service.objects.create(slug="uji-layanan", agency=agencies["dukcapil"], name_id="Layanan uji",
                                     summary_id="Layanan untuk pengujian.")
    auth = bearer(testing.make_citizen(email="serentak@example.id"))
    barrier = threading.Barrier(2)
    results: dict[int, Any] = {}

    def post(n: int) -> None:
        try:
            barrier.wait()
            results[n] = Client().post(f"{BASE}/services/{service.uid}/applications", {"formData": {"data": answers()}},
                                       content_type="application/json", HTTP_IDEMPOTENCY_KEY="sekali", **auth)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=post, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [results[n].status_code for n in (1, 2)] == [200, 200], [results[n].content[:300] for n in (1, 2)]
    assert results[1].json()["fileId"] == results[2].json()["fileId"]
    assert Application.objects.count() == 1
    assert AuditEvent.objects.filter(action="application.submitted").count() == 1
