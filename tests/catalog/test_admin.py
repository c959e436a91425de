"""Agency admins edit only their agency's services (one chokepoint); platform admins edit all; every change audited."""

from __future__ import annotations

import pytest
from django.test import Client

from satupintu.audit.models import AuditEvent
from satupintu.catalog import access, actions
from satupintu.catalog.models import Agency, Service, Synonym
from satupintu.catalog.selectors import search_services
from satupintu.core.errors import NotFound, PermissionDenied
from satupintu.core.principal import Principal
from satupintu.identity.testing import make_officer, make_platform_admin

pytestmark = pytest.mark.django_db

DUKCAPIL_ADMIN = Principal(kind="officer", id="7", display="admin dukcapil", agency="dukcapil",
                           roles=frozenset({"agency_admin"}))
PLATFORM_ADMIN = Principal(kind="officer", id="1", display="root", roles=frozenset({"platform_admin"}))


def test_chokepoint_gives_an_agency_admin_only_their_agency(shared_catalog) -> None:
    own = Service.objects.get(slug="dukcapil-kk-baru")
    other = Service.objects.get(slug="polri-skck")
    assert access.access_service_for_edit(DUKCAPIL_ADMIN, own.pk) == own
    with pytest.raises(NotFound):
        access.access_service_for_edit(DUKCAPIL_ADMIN, other.pk)
    assert set(access.editable_services(DUKCAPIL_ADMIN).values_list("agency__code", flat=True)) == {"dukcapil"}
    assert access.editable_services(PLATFORM_ADMIN).count() == Service.objects.count()


@pytest.mark.parametrize("principal", [
    Principal(kind="officer", id="8", agency="polri", roles=frozenset({"operator"})),
    Principal(kind="officer", id="9", roles=frozenset({"agency_admin"})),  # agency admin of no agency
    Principal(kind="citizen", id="10", agency="dukcapil", roles=frozenset({"agency_admin"})),
    Principal.anonymous(),
])
def test_nobody_else_edits_services(shared_catalog, principal: Principal) -> None:
    assert access.editable_services(principal).count() == 0
    with pytest.raises(PermissionDenied):
        actions.service_save(service=Service.objects.get(slug="dukcapil-kk-baru"), acting=principal)


def test_agency_admin_change_is_saved_reindexed_and_audited(shared_catalog) -> None:
    service = Service.objects.get(slug="dukcapil-kk-baru")
    service.name_id = "Penerbitan Kartu Keluarga Baru untuk Keluarga Zamrud"
    actions.service_save(service=service, acting=DUKCAPIL_ADMIN, changed=["name_id"])
    event = AuditEvent.objects.filter(action="service.updated").latest("seq")
    assert event.actor_agency == "dukcapil" and event.details["fields"] == ["name_id"]
    assert search_services(q="zamrud").services[0].slug == "dukcapil-kk-baru"


def test_agency_admin_cannot_move_a_service_to_or_from_another_agency(shared_catalog) -> None:
    from satupintu.catalog.models import Agency

    service = Service.objects.get(slug="dukcapil-kk-baru")
    service.agency = Agency.objects.get(code="polri")
    with pytest.raises(PermissionDenied):
        actions.service_save(service=service, acting=DUKCAPIL_ADMIN, original_agency="dukcapil")
    skck = Service.objects.get(slug="polri-skck")
    skck.agency = Agency.objects.get(code="dukcapil")
    with pytest.raises(PermissionDenied):
        actions.service_save(service=skck, acting=DUKCAPIL_ADMIN, original_agency="polri")
    assert Service.objects.get(slug="polri-skck").agency.code == "polri"


def test_delete_is_audited_and_leaves_the_index(shared_catalog) -> None:
    actions.service_delete(service=Service.objects.get(slug="kpu-cek-dpt"), acting=PLATFORM_ADMIN)
    assert AuditEvent.objects.filter(action="service.deleted", target_id__isnull=False).exists()
    assert "kpu-cek-dpt" not in [s.slug for s in search_services(q="cek dpt pemilu").services]


def test_synonym_edit_by_platform_admin_rebuilds_the_index(shared_catalog) -> None:
    assert search_services(q="zxcvb").total == 0
    actions.synonym_save(synonym=Synonym(variant="zxcvb", canonical="paspor"), acting=PLATFORM_ADMIN)
    assert search_services(q="zxcvb").services[0].slug.startswith("imigrasi-paspor")
    assert AuditEvent.objects.filter(action="catalog.synonym_saved").exists()
    with pytest.raises(PermissionDenied):
        actions.synonym_save(synonym=Synonym(variant="qqq", canonical="ktp"), acting=DUKCAPIL_ADMIN)


@pytest.fixture
def as_dukcapil_admin(shared_catalog, client: Client) -> Client:  # noqa: ANN001
    """Dukcapil's agency administrator (an identity officer with MFA) signed in to the admin."""
    user = make_officer(agency=Agency.objects.get(code="dukcapil"), roles=["agency_admin"], with_totp=True)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client.force_login(user)
    return client


def test_admin_lists_only_the_agency_admins_services(shared_catalog, as_dukcapil_admin: Client) -> None:
    html = as_dukcapil_admin.get("/kelola/catalog/service/?all=").content.decode()
    assert "Penerbitan Kartu Keluarga (KK) Baru" in html
    assert "SKCK" not in html


def test_admin_hides_another_agencys_service(shared_catalog, as_dukcapil_admin: Client) -> None:
    skck = Service.objects.get(slug="polri-skck")
    response = as_dukcapil_admin.get(f"/kelola/catalog/service/{skck.pk}/change/")
    assert response.status_code == 302  # "does not exist": the same answer as for a missing id
    response = as_dukcapil_admin.post(f"/kelola/catalog/service/{skck.pk}/delete/", {"post": "yes"})
    assert Service.objects.filter(pk=skck.pk).exists()


def test_admin_delete_of_own_service_is_audited(shared_catalog, as_dukcapil_admin: Client) -> None:
    kia = Service.objects.get(slug="dukcapil-kia")
    response = as_dukcapil_admin.post(f"/kelola/catalog/service/{kia.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not Service.objects.filter(pk=kia.pk).exists()
    event = AuditEvent.objects.filter(action="service.deleted").latest("seq")
    assert event.actor_agency == "dukcapil" and event.request_id


def test_agency_admin_cannot_open_the_synonym_table(shared_catalog, as_dukcapil_admin: Client) -> None:
    assert as_dukcapil_admin.get("/kelola/catalog/synonym/").status_code == 403


def test_superuser_is_platform_admin_in_the_admin(shared_catalog, client: Client) -> None:
    client.force_login(make_platform_admin("root@example.go.id"))
    html = client.get("/kelola/catalog/service/?all=").content.decode()
    assert "SKCK" in html and "Kartu Keluarga" in html
    assert client.get("/kelola/catalog/synonym/").status_code == 200


def _change_form_data(service: Service) -> dict:
    import json

    data = {f: getattr(service, f) if getattr(service, f) is not None else "" for f in (
        "slug", "name_id", "name_en", "summary_id", "summary_en", "duration_text", "duration_days", "fee_idr",
        "fee_basis", "product", "facilities", "staff_competence", "internal_supervision", "complaint_handling",
        "staff_count", "service_guarantee", "security_guarantee", "performance_evaluation", "notes")}
    for f in ("requirements", "procedure", "fee_variants", "legal_basis", "keywords", "sources"):
        data[f] = json.dumps(getattr(service, f))
    data.update(agency=service.agency_id, priority_area=service.priority_area_id or "",
                life_events=[e.pk for e in service.life_events.all()])
    channels = list(service.channels.all())
    data.update({"channels-TOTAL_FORMS": len(channels) + 1, "channels-INITIAL_FORMS": len(channels),
                 "channels-MIN_NUM_FORMS": 0, "channels-MAX_NUM_FORMS": 1000})
    for i, c in enumerate(channels):
        data.update({f"channels-{i}-id": c.pk, f"channels-{i}-service": service.pk, f"channels-{i}-kind": c.kind,
                     f"channels-{i}-name": c.name, f"channels-{i}-url": c.url, f"channels-{i}-place": c.place,
                     f"channels-{i}-position": c.position})
    n = len(channels)
    data.update({f"channels-{n}-service": service.pk, f"channels-{n}-kind": "portal",
                 f"channels-{n}-name": "satupintu", f"channels-{n}-position": 9})
    return data


def test_agency_admin_adds_a_portal_channel_in_the_admin(shared_catalog, as_dukcapil_admin: Client) -> None:
    kk = Service.objects.get(slug="dukcapil-kk-baru")
    response = as_dukcapil_admin.post(f"/kelola/catalog/service/{kk.pk}/change/", _change_form_data(kk))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert kk.channels.filter(kind="portal").exists()
    event = AuditEvent.objects.filter(action="service.updated").latest("seq")
    assert event.details["fields"] == ["channels"] and event.actor_agency == "dukcapil"
    page = as_dukcapil_admin.get("/layanan/dukcapil-kk-baru/").content.decode()
    assert 'href="/layanan/dukcapil-kk-baru/ajukan/"' in page


def test_agency_admin_cannot_post_a_change_to_another_agencys_service(shared_catalog,
                                                                      as_dukcapil_admin: Client) -> None:
    skck = Service.objects.get(slug="polri-skck")
    data = _change_form_data(skck)
    data["name_id"] = "Diubah oleh Dukcapil"
    as_dukcapil_admin.post(f"/kelola/catalog/service/{skck.pk}/change/", data)
    assert Service.objects.get(pk=skck.pk).name_id != "Diubah oleh Dukcapil"
    assert not AuditEvent.objects.filter(action="service.updated", target_id=str(skck.pk)).exists()


@pytest.mark.parametrize(("field", "typed"), [
    ("requirements", "7"), ("procedure", '[["langkah"]]'), ("keywords", '{"a": 1}'), ("sources", '"https://x.go.id"'),
    ("fee_variants", "[[1]]"), ("fee_variants", '[{"label": "SIM A", "amount_idr": -5}]'),
    ("fee_variants", '[{"label": "SIM A"}]'), ("fee_idr", "-5"),
])
def test_a_json_field_of_the_wrong_shape_is_a_field_error_in_indonesian_and_nothing_is_saved(
        shared_catalog, as_dukcapil_admin: Client, field: str, typed: str) -> None:
    kk = Service.objects.get(slug="dukcapil-kk-baru")
    before = {name: getattr(kk, name) for name in ("requirements", "procedure", "keywords", "sources",
                                                     "fee_variants", "fee_idr")}
    data = _change_form_data(kk)
    data[field] = typed
    response = as_dukcapil_admin.post(f"/kelola/catalog/service/{kk.pk}/change/", data,
                                      HTTP_ACCEPT_LANGUAGE="id")
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="id_{field}_error"' in body or "errorlist" in body
    assert any(text in body for text in ("Masukkan daftar JSON", "Biaya tidak boleh negatif"))
    kk.refresh_from_db()
    assert {name: getattr(kk, name) for name in before} == before
    assert not AuditEvent.objects.filter(action="service.updated", target_id=str(kk.pk)).exists()
    assert as_dukcapil_admin.get(f"/api/v1/services/{kk.slug}").status_code == 200
