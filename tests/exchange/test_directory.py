"""Directory actions and the back-office: scoped by agency, every change audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from satupintu.audit.models import AuditEvent
from satupintu.core.errors import NotFound, PermissionDenied
from satupintu.core.principal import Principal
from satupintu.exchange.access import access_member_by_id, access_service_by_id
from satupintu.exchange.actions import directory_delete, directory_save
from satupintu.exchange.models import AccessRight, Member, Service, Subsystem
from satupintu.identity.testing import make_platform_admin, make_staff_without_role
from tests.exchange.conftest import Directory

pytestmark = pytest.mark.django_db

PLATFORM = Principal(kind="officer", id="1", roles=frozenset({"platform_admin"}))
DUKCAPIL_ADMIN = Principal(kind="officer", id="2", agency="dukcapil", roles=frozenset({"agency_admin"}))
KEMENSOS_ADMIN = Principal(kind="officer", id="3", agency="kemensos", roles=frozenset({"agency_admin"}))
OPERATOR = Principal(kind="officer", id="4", agency="dukcapil", roles=frozenset({"operator"}))


def test_agency_admin_sees_only_own_members(directory: Directory) -> None:
    assert access_member_by_id(DUKCAPIL_ADMIN, directory.provider_member.pk) == directory.provider_member
    with pytest.raises(NotFound):
        access_member_by_id(DUKCAPIL_ADMIN, directory.client_member.pk)
    with pytest.raises(NotFound):  # same answer for "missing" and "not yours"
        access_member_by_id(DUKCAPIL_ADMIN, 999_999)
    with pytest.raises(NotFound):
        access_service_by_id(OPERATOR, directory.service.pk)
    assert access_service_by_id(PLATFORM, directory.service.pk) == directory.service


def test_create_and_update_are_audited_in_the_same_transaction(directory: Directory) -> None:
    sub = directory_save(obj=Subsystem(member=directory.provider_member, code="kk"), acting=DUKCAPIL_ADMIN)
    created = AuditEvent.objects.get(action="exchange.subsystem_created")
    assert created.actor_agency == "dukcapil" and created.target_id == str(sub.pk)
    sub.name = "Kartu keluarga"
    directory_save(obj=sub, acting=DUKCAPIL_ADMIN)
    updated = AuditEvent.objects.get(action="exchange.subsystem_updated")
    assert updated.details["changes"] == {"name": {"from": "", "to": "Kartu keluarga"}}


def test_agency_admin_cannot_write_another_agencys_objects(directory: Directory) -> None:
    with pytest.raises(PermissionDenied):
        directory_save(obj=Member(instance="SPLP-DEV", member_class="GOV", member_code="X", name="X",
                                  agency=directory.kemensos), acting=DUKCAPIL_ADMIN)
    # Moving one's own member to another agency is refused too.
    member = Member.objects.get(pk=directory.provider_member.pk)
    member.agency = directory.kemensos
    with pytest.raises(PermissionDenied):
        directory_save(obj=member, acting=DUKCAPIL_ADMIN)
    # Only the provider's agency grants access to its service.
    with pytest.raises(PermissionDenied):
        directory_delete(obj=directory.right, acting=KEMENSOS_ADMIN)
    assert not AuditEvent.objects.filter(action__startswith="exchange.").exists()
    directory_delete(obj=directory.right, acting=DUKCAPIL_ADMIN)
    assert AuditEvent.objects.filter(action="exchange.right_revoked").count() == 1
    assert not AccessRight.objects.exists()


def test_invalid_fields_are_refused_and_nothing_is_written(directory: Directory) -> None:
    with pytest.raises(ValidationError) as info:
        directory_save(obj=AccessRight(client=directory.other_client, service=directory.service,
                                       methods="get;post"), acting=PLATFORM)
    assert "methods" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        directory_save(obj=Service(provider=directory.provider, service_code="bad code!",
                                   backend_url="file:///etc/passwd"), acting=PLATFORM)
    assert {"service_code", "backend_url"} <= set(info.value.message_dict)
    with pytest.raises(ValidationError) as info:
        directory_save(obj=Service(provider=directory.provider, service_code="ok", backend_url="https://x.go.id",
                                   openapi="[1, 2", personal_data=True), acting=PLATFORM)
    assert {"openapi", "legal_basis"} <= set(info.value.message_dict)
    with pytest.raises(ValidationError) as info:
        directory_save(obj=AccessRight(client=directory.other_client, service=directory.service,
                                       path_prefixes="/persons/../admin"), acting=PLATFORM)
    assert "path_prefixes" in info.value.message_dict
    assert not AuditEvent.objects.exists()


def test_back_office_lists_and_changes_are_audited(directory: Directory) -> None:
    admin_user = make_platform_admin("admin@example.go.id")
    browser = Client()
    browser.force_login(admin_user)
    assert browser.get("/kelola/exchange/service/").status_code == 200
    response = browser.post(f"/kelola/exchange/service/{directory.service.pk}/change/", {
        "provider": directory.provider.pk, "service_code": "penduduk", "version": "v2",
        "backend_url": directory.service.backend_url, "openapi": "", "data_items": "", "legal_basis": "",
        "enabled": "on",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Service.objects.get(pk=directory.service.pk).version == "v2"
    event = AuditEvent.objects.get(action="exchange.service_updated")
    assert event.actor_id == str(admin_user.pk)
    assert event.request_id and event.ip == "127.0.0.1"  # a back-office change carries its request
    assert event.details["changes"]["version"] == {"from": "v1", "to": "v2"}
    monitoring = browser.get("/kelola/exchange/messagelog/monitoring/")
    assert monitoring.status_code == 200


def test_back_office_refuses_staff_without_a_role(directory: Directory) -> None:
    staff = make_staff_without_role("s@example.go.id")
    browser = Client()
    browser.force_login(staff)
    assert browser.get("/kelola/exchange/service/").status_code == 403
    assert browser.get("/kelola/exchange/messagelog/monitoring/").status_code == 403


def test_monitoring_page_speaks_indonesian_by_default(directory: Directory) -> None:
    browser = Client()
    browser.force_login(make_platform_admin("r@example.go.id"))
    refused = browser.get("/r1/ANON1/GOV/X/y/junk1/z", HTTP_X_ROAD_CLIENT="A/B/C/D")  # a made-up service
    assert refused.status_code in (401, 404)
    page = browser.get("/kelola/exchange/messagelog/monitoring/")
    assert "Pemantauan pertukaran data" in page.content.decode()
    assert "Layanan yang tidak ada di direktori (pesan ditolak)" in page.content.decode()
    assert "ANON1" not in page.content.decode()
    page = browser.get("/kelola/exchange/messagelog/monitoring/?lang=en")
    assert "Exchange monitoring" in page.content.decode()
    assert "Services not in the directory (refused messages)" in page.content.decode()


def test_message_log_list_and_entry_open_for_a_platform_admin_and_an_auditor(directory: Directory) -> None:
    from satupintu.catalog.models import Agency
    from satupintu.exchange.models import MessageLog
    from satupintu.identity.testing import make_officer

    browser = Client()
    browser.force_login(make_platform_admin("log@example.go.id"))
    browser.get("/r1/ANON1/GOV/X/y/junk1/z", HTTP_X_ROAD_CLIENT="A/B/C/D")  # logs one refused message
    listing = browser.get("/kelola/exchange/messagelog/")
    assert listing.status_code == 200
    entry = MessageLog.objects.latest("seq")
    assert browser.get(f"/kelola/exchange/messagelog/{entry.pk}/change/").status_code == 200
    auditor = make_officer(agency=Agency.objects.get(code="dukcapil"), roles=["auditor"], with_totp=True)
    auditor.is_staff = True
    auditor.save(update_fields=["is_staff"])
    browser.force_login(auditor)
    assert browser.get("/kelola/exchange/messagelog/").status_code == 200


def test_a_duplicate_subsystem_code_says_it_already_exists_in_indonesian(directory: Directory) -> None:
    from django.utils import translation

    taken = Subsystem.objects.filter(member=directory.provider_member).first()
    assert taken is not None
    with translation.override("id"), pytest.raises(ValidationError) as info:
        directory_save(obj=Subsystem(member=directory.provider_member, code=taken.code), acting=DUKCAPIL_ADMIN)
    message = " ".join(str(m) for m in info.value.messages)
    assert "sudah ada" in message and "tidak ada" not in message


def test_an_oauth_client_id_another_subsystem_uses_is_a_clear_field_error(directory: Directory) -> None:
    from django.utils import translation

    from tests.exchange.conftest import register_client

    register_client("klien-a", directory.dukcapil)  # only a client registered to the agency may be bound
    directory_save(obj=Subsystem(member=directory.provider_member, code="satu", oauth_client_id="klien-a"),
                   acting=DUKCAPIL_ADMIN)
    with translation.override("id"), pytest.raises(ValidationError) as info:
        directory_save(obj=Subsystem(member=directory.provider_member, code="dua", oauth_client_id="klien-a"),
                       acting=DUKCAPIL_ADMIN)
    assert info.value.messages == ["Id klien OAuth ini sudah dipakai subsistem lain."]


def test_deleting_a_client_subsystem_audits_the_rights_other_agencies_granted_it(directory: Directory) -> None:
    # Kemensos deletes its client subsystem; the right Dukcapil granted to it goes with it.
    client_pk, client_name = directory.client.pk, str(directory.client)
    directory_delete(obj=directory.client, acting=KEMENSOS_ADMIN)
    assert not AccessRight.objects.exists()
    deleted = AuditEvent.objects.get(action="exchange.subsystem_deleted")
    assert deleted.target_id == str(client_pk) and "removed_with" not in deleted.details
    revoked = AuditEvent.objects.get(action="exchange.right_revoked")
    assert revoked.target_id == str(directory.right.pk)
    assert revoked.details["removed_with"] == client_name
    assert revoked.actor_agency == "kemensos"


def test_deleting_a_member_audits_each_subsystem_service_and_right_removed_with_it(directory: Directory) -> None:
    directory_delete(obj=directory.provider_member, acting=PLATFORM)
    actions = sorted(AuditEvent.objects.values_list("action", flat=True))
    assert actions == ["exchange.member_deleted", "exchange.right_revoked", "exchange.service_deleted",
                       "exchange.subsystem_deleted"]
    assert not Service.objects.exists()


def test_an_agencys_auditor_sees_the_messages_of_its_own_members_only(directory: Directory) -> None:
    from datetime import UTC, datetime

    from satupintu.exchange import messagelog
    from satupintu.exchange.selectors import messages_visible_to

    for n, (client, service) in enumerate([
            ("SPLP-DEV/GOV/KEMENSOS/bansos", "SPLP-DEV/GOV/DUKCAPIL/kependudukan/penduduk"),
            ("SPLP-DEV/GOV/POLRI/skck", "SPLP-DEV/GOV/POLRI/skck/catatan")]):
        messagelog.append(messagelog.Message(request_id=f"r{n}", started_at=datetime.now(UTC), client=client,
                                             service=service, method="GET", path="/", status=200))
    dukcapil_auditor = Principal(kind="officer", id="9", agency="dukcapil", roles=frozenset({"auditor"}))
    assert [m.request_id for m in messages_visible_to(dukcapil_auditor)] == ["r0"]
    national_auditor = Principal(kind="officer", id="10", roles=frozenset({"auditor"}))
    assert messages_visible_to(national_auditor).count() == 2
    assert not messages_visible_to(OPERATOR).exists()
