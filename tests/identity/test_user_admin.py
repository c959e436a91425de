"""Accounts in the back-office (``/kelola/identity/user/``): a platform admin's change of an
officer's roles, agency or back-office access is audited with the values before and after;
roles are ticked from the platform's roles, so a wrong value is a field error, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from satupintu.audit.models import AuditEvent
from satupintu.catalog.models import Agency
from satupintu.identity import testing
from satupintu.identity.models import User
from tests.identity.test_client_disable_delete import _Form

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer() -> User:
    agency, _ = Agency.objects.get_or_create(code="dukcapil", defaults={"name_id": "Ditjen Dukcapil",
                                                                         "kind": "kementerian"})
    return testing.make_officer(agency=agency, roles=["operator"], email="operator@example.go.id")


@pytest.fixture
def admin_browser() -> Client:
    browser = Client(HTTP_ACCEPT_LANGUAGE="id")
    browser.force_login(testing.make_platform_admin())
    return browser


def change_data(browser: Client, user: User, **changes: Any) -> dict[str, Any]:
    page = browser.get(f"/kelola/identity/user/{user.pk}/change/")
    assert page.status_code == 200
    parser = _Form()
    parser.feed(page.content.decode())
    data = {k: v for k, v in parser.data.items() if k != "roles"}
    data["roles"] = list(user.roles)
    data.update(changes)
    data["_save"] = "Simpan"
    return data


def test_granting_roles_and_superuser_in_the_back_office_is_audited_with_before_and_after(
        admin_browser: Client, officer: User) -> None:
    response = admin_browser.post(f"/kelola/identity/user/{officer.pk}/change/",
                                  change_data(admin_browser, officer, roles=["operator", "approver"],
                                              is_superuser="on", full_name="Budi Santoso Baru"))
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.roles == ["operator", "approver"] and officer.is_superuser
    event = AuditEvent.objects.get(action="account.changed_by_admin")
    assert event.target_id == str(officer.pk) and event.actor_kind == "officer"
    assert event.details["before"] == {"roles": ["operator"], "is_superuser": False}
    assert event.details["after"] == {"roles": ["approver", "operator"], "is_superuser": True}
    assert {"roles", "is_superuser", "full_name"} <= set(event.details["fields"])


@pytest.mark.parametrize("roles", [["dewa"], ["5"], ["[[1]]"]])
def test_a_role_that_does_not_exist_is_a_field_error_and_nothing_changes(
        admin_browser: Client, officer: User, roles: list[str]) -> None:
    response = admin_browser.post(f"/kelola/identity/user/{officer.pk}/change/",
                                  change_data(admin_browser, officer, roles=roles))
    assert response.status_code == 200
    assert "Masukkan pilihan yang valid" in response.content.decode()
    assert ">Peran:</label>" in response.content.decode()  # labelled like the other fields
    officer.refresh_from_db()
    assert officer.roles == ["operator"]
    assert not AuditEvent.objects.filter(action="account.changed_by_admin").exists()


@pytest.mark.parametrize("roles", [5, [[1]]])
def test_roles_of_the_wrong_shape_are_a_validation_error_not_a_crash(officer: User, roles: Any) -> None:
    officer.roles = roles
    with pytest.raises(ValidationError) as caught:
        officer.full_clean(exclude=["password"])
    assert "roles" in caught.value.message_dict


def test_accounts_are_not_deleted_in_the_back_office(admin_browser: Client, officer: User) -> None:
    assert admin_browser.get(f"/kelola/identity/user/{officer.pk}/delete/").status_code == 403
    assert User.objects.filter(pk=officer.pk).exists()


def test_a_mobile_number_another_account_verified_is_a_clear_error(officer: User) -> None:
    from django.utils import translation

    taken = testing.make_citizen(email="warga@example.id")
    User.objects.filter(pk=taken.pk).update(phone="+6281200000009", phone_verified=True)
    other = testing.make_citizen(email="warga2@example.id", full_name="Sukarni")
    other.phone, other.phone_verified = "+6281200000009", True
    with translation.override("id"), pytest.raises(ValidationError) as caught:
        other.full_clean(exclude=["password"])
    assert "Nomor ponsel ini sudah diverifikasi oleh akun lain." in caught.value.messages
