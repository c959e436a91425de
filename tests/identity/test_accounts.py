"""Citizen sign-up with NIK, e-mail verification by code, sign-in by NIK or e-mail, lockout,
audit events, bad input (nothing half-written, never a 500)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from satupintu.audit.models import AuditEvent
from satupintu.identity import testing
from satupintu.identity.crypto import decrypt_nik, nik_blind_index
from satupintu.identity.models import User

pytestmark = pytest.mark.django_db
SIGNUP = "/akun/signup/"
LOGIN = "/akun/login/"


def _signup_data(**overrides: str) -> dict[str, str]:
    data = {"full_name": "Siti Aminah", "nik": "3174015705900001", "birth_date": "1990-05-17", "sex": "F",
            "email": "siti@example.id", "phone": "0812 3456 7890", "password1": testing.PASSWORD,
            "password2": testing.PASSWORD}
    data.update(overrides)
    return data


def test_citizen_signs_up_verifies_phone_and_email_by_code_and_nik_is_encrypted(client: Client, sms_outbox) -> None:  # noqa: ANN001
    response = client.post(SIGNUP, _signup_data())
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(email="siti@example.id")
    assert user.kind == "citizen" and user.phone == "+6281234567890" and not user.phone_verified
    # First the mobile number: a code by SMS (captured), entered on the next page.
    assert response["Location"] == "/akun/phone/verify/", response["Location"]
    assert len(sms_outbox) == 1 and sms_outbox[0].phone == "+6281234567890"
    sms_code = re.search(r"([A-Z0-9]{4}-?[A-Z0-9]{4}|\d{6})", sms_outbox[0].text).group(1)
    assert client.post(response["Location"], {"code": "ZZZZ-ZZZZ"}).status_code == 200
    response = client.post(response["Location"], {"code": sms_code})
    assert response.status_code == 302, response.content.decode()[:2000]
    user.refresh_from_db()
    assert user.phone_verified
    assert AuditEvent.objects.filter(action="account.phone_verified", target_id=str(user.pk)).exists()
    assert user.nik_masked == "3174********0001"
    assert b"3174015705900001" not in bytes(user.nik_ciphertext)
    assert decrypt_nik(bytes(user.nik_ciphertext), user.nik_key_id) == "3174015705900001"
    assert user.nik_index == nik_blind_index("3174015705900001")
    assert AuditEvent.objects.filter(action="account.registered", target_id=str(user.pk)).exists()
    # Then the e-mail address: a code by e-mail (test outbox), entered on the next page.
    assert response["Location"] == "/akun/confirm-email/", response["Location"]
    assert len(mail.outbox) == 1
    code = re.search(r"^\s*([A-Z0-9]{4}-?[A-Z0-9]{4})\s*$", mail.outbox[0].body, re.M)
    assert code, mail.outbox[0].body
    page = client.get(response["Location"])
    assert page.status_code == 200
    done = client.post(response["Location"], {"code": code.group(1)})
    assert done.status_code == 302
    assert user.emailaddress_set.get().verified
    assert AuditEvent.objects.filter(action="account.email_verified").exists()


def test_signup_with_nik_not_matching_sex_names_the_rule_and_writes_nothing(client: Client) -> None:
    response = client.post(SIGNUP, _signup_data(sex="M"), HTTP_COOKIE="satupintu_lang=en")
    assert response.status_code == 200
    assert "for women the day of birth in the NIK is increased by 40" in response.content.decode()
    assert not User.objects.exists()
    assert not mail.outbox


def test_signup_with_an_already_registered_nik_is_refused(client: Client, citizen: User) -> None:
    nik = citizen.nik()
    response = client.post(SIGNUP, _signup_data(nik=nik, email="other@example.id", sex="F",
                                                 birth_date=citizen.birth_date.isoformat()))
    assert response.status_code == 200
    assert User.objects.count() == 1


@pytest.mark.parametrize(("field", "value"), [
    ("nik", "12345"), ("nik", "abcd" * 4), ("nik", "9" * 5000), ("email", "not-an-email"), ("email", "a@" + "b" * 300),
    ("phone", "021-555"), ("full_name", "x" * 10_240), ("full_name", "   "), ("full_name", "Nama\x00Jahat"),
    ("birth_date", "1990-13-45"), ("sex", "X"),
])
def test_bad_signup_input_is_a_clear_form_error_and_no_account(client: Client, field: str, value: str) -> None:
    response = client.post(SIGNUP, _signup_data(**{field: value}))
    assert response.status_code == 200
    assert not User.objects.exists()
    assert 'aria-invalid="true"' in response.content.decode() or "errorlist" in response.content.decode()


@pytest.mark.parametrize("name", ["O'Neil", "Dewi Sartika", "Ni Luh Putu Ayu", "Sukarno", "José Ramos-Horta",
                                  "Nguyễn Thị Minh Khai", "عبد الله", "Zoë", "e\u0301lodie"])
def test_unicode_and_single_names_are_kept(client: Client, name: str) -> None:
    response = client.post(SIGNUP, _signup_data(full_name=name))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert User.objects.get().full_name == name


def test_sign_in_with_nik_or_email(client: Client, citizen: User) -> None:
    for login in (citizen.nik(), citizen.email.upper()):
        client.logout()
        response = client.post(LOGIN, {"login": login, "password": testing.PASSWORD})
        assert response.status_code == 302, response.content.decode()[:2000]
        assert client.get(reverse("identity:account")).status_code == 200
    events = AuditEvent.objects.filter(action="account.signed_in", target_id=str(citizen.pk))
    assert events.count() == 2
    assert events.first().details["loa"] == "loa1"


def test_unknown_nik_and_wrong_password_give_the_same_answer(client: Client, citizen: User) -> None:
    wrong = client.post(LOGIN, {"login": citizen.nik(), "password": "salah-sandi-123"}, HTTP_COOKIE="satupintu_lang=en")
    unknown = client.post(LOGIN, {"login": testing.valid_nik(serial=9999), "password": "salah-sandi-123"},
                          HTTP_COOKIE="satupintu_lang=en")
    assert wrong.status_code == unknown.status_code == 200
    message = "The NIK, e-mail, mobile number or password is not correct."
    assert message in wrong.content.decode() and message in unknown.content.decode()
    failures = AuditEvent.objects.filter(action="account.sign_in_failed")
    assert failures.count() == 2
    assert citizen.nik() not in str(list(failures.values_list("details", flat=True)))


def test_repeated_failures_lock_the_account_key_even_for_the_right_password(client: Client, citizen: User) -> None:
    for _ in range(5):
        client.post(LOGIN, {"login": citizen.email, "password": "salah-sandi-123"})
    response = client.post(LOGIN, {"login": citizen.email, "password": testing.PASSWORD},
                           HTTP_COOKIE="satupintu_lang=en")
    assert response.status_code == 200
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert client.get(reverse("identity:account")).status_code == 302


def test_lockout_is_the_same_for_an_unknown_nik(client: Client) -> None:
    nik = testing.valid_nik(serial=4242)
    for _ in range(5):
        client.post(LOGIN, {"login": nik, "password": "salah-sandi-123"})
    response = client.post(LOGIN, {"login": nik, "password": "salah-sandi-123"}, HTTP_COOKIE="satupintu_lang=en")
    assert "Too many failed sign-in attempts" in response.content.decode()


def test_password_reset_by_code_is_audited(client: Client, citizen: User) -> None:
    response = client.post("/akun/password/reset/", {"email": citizen.email})
    assert response.status_code == 302
    code = re.search(r"^\s*([A-Z0-9]{4}-?[A-Z0-9]{4})\s*$", mail.outbox[-1].body, re.M)
    assert code, mail.outbox[-1].body
    confirm = client.post(response["Location"], {"code": code.group(1)})
    assert confirm.status_code == 302, confirm.content.decode()[:1500]
    new = "Sandi-Baru-Sekali-2027"
    done = client.post(confirm["Location"], {"password1": new, "password2": new})
    assert done.status_code == 302, done.content.decode()[:1500]
    citizen.refresh_from_db()
    assert citizen.check_password(new)
    assert AuditEvent.objects.filter(action="account.password_reset", target_id=str(citizen.pk)).exists()


def test_password_reset_for_unknown_email_looks_the_same(client: Client) -> None:
    response = client.post("/akun/password/reset/", {"email": "nobody@example.id"})
    assert response.status_code == 302


def test_account_page_shows_own_nik_in_full_and_admin_list_masks_it(client: Client, citizen: User) -> None:
    client.force_login(citizen)
    assert citizen.nik() in client.get(reverse("identity:account")).content.decode()
    assert str(citizen) == citizen.full_name


def test_account_menu_leads_a_citizen_to_address_and_who_accessed_my_data(client: Client, citizen: User) -> None:
    client.force_login(citizen)
    html = client.get(reverse("identity:account")).content.decode()
    assert 'href="/akun/akses-data/"' in html and "Siapa yang mengakses data saya" in html
    assert 'href="/akun/alamat/"' in html


def test_as_principal_of_citizen_and_officer(citizen: User, agency) -> None:  # noqa: ANN001
    principal = citizen.as_principal()
    assert (principal.kind, principal.id, principal.agency, principal.roles) == ("citizen", str(citizen.pk), None,
                                                                                  frozenset())
    assert citizen.nik() not in principal.display
    officer = testing.make_officer(agency=agency, roles=["verifier", "approver"])
    p = officer.as_principal()
    assert (p.kind, p.agency, p.roles) == ("officer", "dukcapil", frozenset({"verifier", "approver"}))
    from satupintu.core.principal import principal_for_user

    assert principal_for_user(officer) == p


def test_email_code_is_dropped_after_three_wrong_attempts(client: Client) -> None:
    response = client.post(SIGNUP, _signup_data(phone=""))  # no mobile number: straight to the e-mail code
    code = re.search(r"^\s*([A-Z0-9]{4}-?[A-Z0-9]{4})\s*$", mail.outbox[0].body, re.M).group(1)
    for _ in range(3):
        client.post(response["Location"], {"code": "AAAA-AAAA"})
    client.post(response["Location"], {"code": code})
    assert not User.objects.get().emailaddress_set.get().verified


def test_password_reset_code_is_dropped_after_three_wrong_attempts(client: Client, citizen: User) -> None:
    response = client.post("/akun/password/reset/", {"email": citizen.email})
    code = re.search(r"^\s*([A-Z0-9]{4}-?[A-Z0-9]{4})\s*$", mail.outbox[-1].body, re.M).group(1)
    for _ in range(3):
        client.post(response["Location"], {"code": "AAAA-AAAA"})
    confirm = client.post(response["Location"], {"code": code})
    assert confirm.status_code == 302 and confirm["Location"] == "/akun/login/"  # not .../reset/complete/
    citizen.refresh_from_db()
    assert citizen.check_password(testing.PASSWORD)


@pytest.mark.parametrize(("birth_date", "message"), [
    ("2090-05-17", "Tanggal lahir tidak boleh di masa depan."),  # the NIK's "90" fits 1990 and 2090
    ("1890-05-17", "Tanggal lahir tidak boleh sebelum 1900."),
])
def test_impossible_birth_dates_are_refused_with_the_rule(client: Client, birth_date: str, message: str) -> None:
    response = client.post(SIGNUP, _signup_data(birth_date=birth_date))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.exists()


def test_sign_in_page_links_to_password_reset(client: Client) -> None:
    html = client.get(LOGIN).content.decode()
    assert f'href="{reverse("account_reset_password")}"' in html
    assert "Lupa kata sandi?" in html
