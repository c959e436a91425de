"""The back-office audit page: role-gated, filters, CSV export, Indonesian first."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from satupintu.audit.actions import record
from satupintu.audit.models import AuditEvent
from satupintu.catalog.models import Agency
from satupintu.core.principal import Principal
from satupintu.identity.models import User
from satupintu.identity.testing import PASSWORD, activate_totp, verify_email

pytestmark = pytest.mark.django_db

URL = "/backoffice/audit/"
CSV_URL = "/backoffice/audit/export.csv"


def _client(*roles: str, agency: str | None = None) -> Client:
    """A signed-in officer (TOTP active, as officers must) with ``roles``, of ``agency`` if given."""
    agency_obj = None
    if agency:
        agency_obj = Agency.objects.get_or_create(code=agency, defaults={"name_id": agency.upper(),
                                                                        "kind": "kementerian"})[0]
    elif set(roles) - {"auditor", "platform_admin", "spbe_coordinator"}:
        agency_obj = Agency.objects.get_or_create(code="kominfo", defaults={"name_id": "Komdigi",
                                                                           "kind": "kementerian"})[0]
    user = User.objects.create_user(f"u-{'-'.join(roles) or 'none'}@example.go.id", PASSWORD,
                                    full_name="Petugas Uji", kind="officer", is_staff=True,
                                    roles=list(roles), agency=agency_obj)
    verify_email(user)
    activate_totp(user)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def events() -> list[AuditEvent]:
    officer_a = Principal(kind="officer", id="11", display="Budi Santoso", agency="dukcapil")
    officer_b = Principal(kind="officer", id="22", display="Sari Dewi", agency="kemenkes")
    return [
        record(actor=officer_a, action="service.created", target=("catalog.service", "ktp"), details={"n": 1}),
        record(actor=officer_b, action="service.updated", target=("catalog.service", "bpjs"), details={"n": 2}),
        record(actor=officer_a, action="agency.updated", target=("catalog.agency", "=HYPERLINK(\"http://x\")"),
               details={"note": "renamed"}),
    ]


def test_anonymous_visitor_is_sent_to_sign_in() -> None:
    response = Client().get(URL + "?action=service.created")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=/backoffice/audit/")


def test_anonymous_csv_download_is_sent_to_sign_in() -> None:
    response = Client().get(CSV_URL)
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


@pytest.mark.parametrize("roles", [(), ("operator",), ("agency_admin", "approver")])
def test_signed_in_user_without_auditor_role_gets_403_page(roles: tuple[str, ...], events: list[AuditEvent]) -> None:
    client = _client(*roles)
    for url in (URL, CSV_URL):
        response = client.get(url)
        assert response.status_code == 403
        assert "<h1>Akses ditolak</h1>" in response.content.decode()  # the friendly error page
        assert "Budi" not in response.content.decode()


@pytest.mark.parametrize("role", ["auditor", "platform_admin"])
def test_auditor_and_platform_admin_see_every_event(role: str, events: list[AuditEvent]) -> None:
    body = _client(role).get(URL).content.decode()
    assert "Budi Santoso" in body and "Sari Dewi" in body
    assert "<h1>Log audit</h1>" in body
    assert "{&quot;note&quot;: &quot;renamed&quot;}" in body  # details as JSON, not a Python dict


def test_agency_auditor_sees_only_their_agency(events: list[AuditEvent]) -> None:
    body = _client("auditor", agency="kemenkes").get(URL).content.decode()
    assert "Sari Dewi" in body and "Budi Santoso" not in body


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("actor=budi", [3, 1]),
        ("actor=22", [2]),
        ("agency=kemenkes", [2]),
        ("action=service.created", [1]),
        ("action=service.", [2, 1]),
        ("target_type=catalog.service&target_id=bpjs", [2]),
        ("since=2000-01-01&until=2999-12-31", "all"),
        ("until=2000-01-01", []),
    ],
)
def test_filters_narrow_the_list(query: str, expected: list[int] | str, events: list[AuditEvent]) -> None:
    client = _client("auditor")  # setting up the auditor's MFA records events of its own
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200
    if expected == "all":  # every event in the period, newest first
        want = list(AuditEvent.objects.order_by("-seq").values_list("seq", flat=True))
        assert len(want) > len(events)
    else:
        want = [events[i - 1].seq for i in expected]
    assert [e.seq for e in response.context["page"].object_list] == want


def test_time_filter_uses_wib_calendar_days() -> None:
    from satupintu.audit.forms import EventFilterForm

    form = EventFilterForm({"since": "2026-03-02", "until": "2026-03-02"})
    assert form.is_valid()
    filters = form.filters()
    # 2 March 2026 in WIB (UTC+7) runs from 1 March 17:00 UTC to 2 March 17:00 UTC.
    assert filters.since == datetime(2026, 3, 1, 17, 0, tzinfo=UTC)
    assert filters.until == datetime(2026, 3, 2, 17, 0, tzinfo=UTC)


def test_bad_filter_is_explained_next_to_the_field_in_indonesian(events: list[AuditEvent]) -> None:
    response = _client("auditor").get(f"{URL}?since=2026-05-02&until=2026-05-01&action=nope")
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_until_error"' in body and "Tanggal akhir harus sama dengan atau setelah tanggal mulai." in body
    assert 'id="id_action_error"' in body
    assert 'aria-describedby="id_until_helptext id_until_error"' in body  # the error is announced with the field


def test_page_is_in_english_on_request(events: list[AuditEvent]) -> None:
    body = _client("auditor").get(URL + "?lang=en").content.decode()
    assert "<h1>Audit log</h1>" in body


def test_csv_export_has_the_filtered_events_and_is_recorded(events: list[AuditEvent]) -> None:
    response = _client("auditor").get(f"{CSV_URL}?actor=budi")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [int(r["seq"]) for r in rows] == [events[0].seq, events[2].seq]
    assert rows[0]["hash"] == events[0].hash
    assert rows[1]["target_id"] == "'=HYPERLINK(\"http://x\")", "a formula in a cell must not run in a spreadsheet"
    exported = AuditEvent.objects.order_by("-seq").first()
    assert exported is not None and exported.action == "audit.exported"
    assert exported.details["filters"] == {"actor": "budi"}


@pytest.mark.parametrize("query", ["since=0001-01-01", "until=9999-12-31", "since=0001-01-01&until=9999-12-31"])
@pytest.mark.parametrize("url", [URL, CSV_URL])
def test_a_date_at_the_end_of_the_calendar_is_a_field_error_not_a_500(
        events: list[AuditEvent], url: str, query: str) -> None:
    response = _client("auditor").get(f"{url}?{query}")
    assert response.status_code == 400
    body = response.content.decode()
    assert "Pastikan nilai ini" in body and ("2000-01-01" in body or "2999-12-31" in body)
    assert not AuditEvent.objects.filter(action="audit.exported").exists()
