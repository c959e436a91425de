"""Citizens with a mobile number only: sign-up verified by SMS code, sign-in by number, password
reset by SMS code, lockout, not enumerable, bad input (never a 500, nothing half-written)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from satupintu.audit.models import AuditEvent
from satupintu.identity import testing
from satupintu.identity.models import User

pytestmark = pytest.mark.django_db
SIGNUP = "/akun/signup/"
LOGIN = "/akun/login/"
RESET = "/akun/password/reset/"
PHONE = "+6281234567890"
CODE = re.compile(r"([A-Z0-9]{4}-?[A-Z0-9]{4}|\d{6})")
EN = {"HTTP_COOKIE": "satupintu_lang=en"}


def _signup_data(**overrides: str) -> dict[str, str]:
    data = {"full_name": "Sukarni", "nik": "3174015705900001", "birth_date": "1990-05-17", "sex": "F",
            "email": "", "phone": "0812-3456-7890", "password1": testing.PASSWORD, "password2": testing.PASSWORD}
    data.update(overrides)
    return data


def _phone_citizen(phone: str = PHONE, **extra: object) -> User:
    """A citizen without e-mail whose mobile number is verified."""
    from satupintu.identity.actions import citizen_register

    user = citizen_register(email="", full_name="Sukarni", nik=testing.valid_nik(sex="F"),
                            birth_date=dt.date(1990, 5, 17), sex="F", password=testing.PASSWORD,
                            phone=phone, **extra)
    User.objects.filter(pk=user.pk).update(phone_verified=True)
    user.refresh_from_db()
    return user


def test_citizen_registers_with_a_mobile_number_only_and_verifies_it_by_sms(client: Client, sms_outbox) -> None:  # noqa: ANN001
    response = client.post(SIGNUP, _signup_data())
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == "/akun/phone/verify/"
    user = User.objects.get()
    assert user.email is None and user.phone == PHONE and not user.phone_verified
    assert not user.emailaddress_set.exists() and not mail.outbox
    assert [sms.phone for sms in sms_outbox] == [PHONE]
    code = CODE.search(sms_outbox[0].text).group(1)
    done = client.post("/akun/phone/verify/", {"code": code})
    assert done.status_code == 302, done.content.decode()[:2000]
    assert done["Location"] != "/akun/confirm-email/"  # no e-mail step for an account without e-mail
    user.refresh_from_db()
    assert user.phone_verified
    assert client.get(reverse("identity:account")).status_code == 200
    actions = set(AuditEvent.objects.filter(target_id=str(user.pk)).values_list("action", flat=True))
    assert {"account.registered", "account.phone_verified", "account.signed_in"} <= actions


def test_wrong_phone_codes_do_not_verify_and_the_code_is_dropped_after_three(client: Client, sms_outbox) -> None:  # noqa: ANN001
    client.post(SIGNUP, _signup_data())
    code = CODE.search(sms_outbox[0].text).group(1)
    for _ in range(3):
        client.post("/akun/phone/verify/", {"code": "000000" if code != "000000" else "111111"})
    client.post("/akun/phone/verify/", {"code": code})
    assert not User.objects.get().phone_verified
    assert not AuditEvent.objects.filter(action="account.phone_verified").exists()


def test_signup_without_email_and_without_phone_names_the_rule_and_writes_nothing(client: Client) -> None:
    response = client.post(SIGNUP, _signup_data(phone=""), **EN)
    assert response.status_code == 200
    assert "Enter an e-mail address, a mobile number, or both." in response.content.decode()
    assert not User.objects.exists()


def test_signup_with_email_and_phone_verifies_both(client: Client, sms_outbox) -> None:  # noqa: ANN001
    response = client.post(SIGNUP, _signup_data(email="sukarni@example.id"))
    assert response["Location"] == "/akun/phone/verify/"
    done = client.post(response["Location"], {"code": CODE.search(sms_outbox[0].text).group(1)})
    assert done["Location"] == "/akun/confirm-email/"  # an e-mail address must still be verified


def test_signup_with_a_number_another_account_verified_looks_the_same_and_creates_nothing(
        client: Client, sms_outbox) -> None:  # noqa: ANN001
    owner = _phone_citizen()
    response = client.post(SIGNUP, _signup_data(nik=testing.valid_nik(sex="F", serial=77)))
    assert response.status_code == 302 and response["Location"] == "/akun/phone/verify/"
    assert User.objects.count() == 1
    assert len(sms_outbox) == 1 and "sudah memiliki akun" in sms_outbox[0].text
    assert not CODE.search(sms_outbox[0].text)  # no code that could verify the number for someone else
    assert User.objects.get().pk == owner.pk


@pytest.mark.parametrize("login", ["0812 3456 7890", "+62 812-3456-7890", "6281234567890", PHONE])
def test_sign_in_with_a_verified_mobile_number_in_any_spelling(client: Client, login: str) -> None:
    user = _phone_citizen()
    response = client.post(LOGIN, {"login": login, "password": testing.PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert client.get(reverse("identity:account")).status_code == 200
    assert AuditEvent.objects.filter(action="account.signed_in", target_id=str(user.pk)).exists()


def test_unverified_number_unknown_number_and_wrong_password_give_the_same_answer(client: Client) -> None:
    from satupintu.identity.actions import citizen_register

    citizen_register(email="", full_name="Belum Verifikasi", nik=testing.valid_nik(), sex="M",
                     birth_date=dt.date(1990, 5, 17), password=testing.PASSWORD, phone="081311112222")
    _phone_citizen()
    message = "The NIK, e-mail, mobile number or password is not correct."
    for login, password in [("081311112222", testing.PASSWORD), ("081399998888", testing.PASSWORD),
                            ("081234567890", "salah-sandi-123")]:
        response = client.post(LOGIN, {"login": login, "password": password}, **EN)
        assert response.status_code == 200
        assert message in response.content.decode(), login
    failures = AuditEvent.objects.filter(action="account.sign_in_failed")
    assert [f.details["login_kind"] for f in failures] == ["phone", "phone", "phone"]


def test_repeated_failures_lock_the_mobile_number_in_every_spelling(client: Client) -> None:
    _phone_citizen()
    for spelling in ["081234567890", "+6281234567890", "6281234567890", "0812 3456 7890", "0812-3456-7890"]:
        client.post(LOGIN, {"login": spelling, "password": "salah-sandi-123"})
    response = client.post(LOGIN, {"login": "081234567890", "password": testing.PASSWORD}, **EN)
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert client.get(reverse("identity:account")).status_code == 302


def test_password_reset_by_sms_code_for_an_account_without_email(client: Client, sms_outbox) -> None:  # noqa: ANN001
    user = _phone_citizen()
    response = client.post(RESET, {"email": "0812 3456 7890"})
    assert response.status_code == 302 and response["Location"] == "/akun/password/reset/confirm/"
    client.cookies["satupintu_lang"] = "en"  # (an HTTP_COOKIE header would drop the session cookie)
    page = client.get(response["Location"])
    assert "your mobile number" in page.content.decode()
    assert [sms.phone for sms in sms_outbox] == [PHONE] and not mail.outbox
    code = CODE.search(sms_outbox[0].text).group(1)
    confirm = client.post(response["Location"], {"code": code})
    assert confirm.status_code == 302, confirm.content.decode()[:1500]
    new = "Sandi-Baru-Sekali-2027"
    done = client.post(confirm["Location"], {"password1": new, "password2": new})
    assert done.status_code == 302, done.content.decode()[:1500]
    user.refresh_from_db()
    assert user.check_password(new)
    assert AuditEvent.objects.filter(action="account.password_reset", target_id=str(user.pk)).exists()
    assert client.post(LOGIN, {"login": PHONE, "password": new}).status_code == 302


def test_password_reset_for_an_unknown_or_unverified_number_looks_the_same_and_sends_nothing(
        client: Client, sms_outbox) -> None:  # noqa: ANN001
    from satupintu.identity.actions import citizen_register

    citizen_register(email="", full_name="Belum Verifikasi", nik=testing.valid_nik(), sex="M",
                     birth_date=dt.date(1990, 5, 17), password=testing.PASSWORD, phone="081311112222")
    for number in ["081399998888", "081311112222"]:
        client.cookies.clear()
        response = client.post(RESET, {"email": number})
        assert response.status_code == 302 and response["Location"] == "/akun/password/reset/confirm/"
        confirm = client.post(response["Location"], {"code": "123456"})
        assert confirm.status_code == 200  # no code can succeed
    assert not sms_outbox and not mail.outbox


def test_password_reset_sms_code_is_dropped_after_three_wrong_attempts(client: Client, sms_outbox) -> None:  # noqa: ANN001
    user = _phone_citizen()
    response = client.post(RESET, {"email": PHONE})
    code = CODE.search(sms_outbox[0].text).group(1)
    for _ in range(3):
        client.post(response["Location"], {"code": "AAAA-AAAA"})
    confirm = client.post(response["Location"], {"code": code})
    assert confirm.status_code == 302 and confirm["Location"] == "/akun/login/"
    user.refresh_from_db()
    assert user.check_password(testing.PASSWORD)


def test_password_reset_requests_are_rate_limited_per_number(client: Client, sms_outbox) -> None:  # noqa: ANN001
    _phone_citizen()
    statuses = [client.post(RESET, {"email": spelling}).status_code
                for spelling in ["081234567890", "+6281234567890", "6281234567890", "0812 3456 7890",
                                 "0812-3456-7890", "081234567890"]]
    assert statuses[:5] == [302] * 5 and statuses[5] == 429
    assert len(sms_outbox) == 5


def test_password_reset_by_email_still_works_through_the_same_form(client: Client, citizen: User) -> None:
    response = client.post(RESET, {"email": citizen.email.upper()})
    assert response.status_code == 302
    assert CODE.search(mail.outbox[-1].body)


@pytest.mark.parametrize("value", ["021-555", "x" * 10_240, "0812", "+1 812 3456 7890", "08l2345678901",
                                   "0812\x003456789", "٠٨١٢٣٤٥٦٧٨٩٠", "not an e-mail", "a@", ""])
def test_bad_reset_input_is_a_clear_form_error_and_sends_nothing(client: Client, value: str, sms_outbox) -> None:  # noqa: ANN001
    response = client.post(RESET, {"email": value})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode() or 'aria-invalid="true"' in response.content.decode()
    assert not sms_outbox and not mail.outbox


@pytest.mark.parametrize("phone", ["021-555-1234", "0812", "08123456789012345", "+1 812 3456 7890", "08l23456789",
                                   "x" * 10_240, "٠٨١٢٣٤٥٦٧٨٩٠", "+62 812 3456 7890\x00"])
def test_malformed_phone_at_signup_is_a_form_error_and_no_account(client: Client, phone: str, sms_outbox) -> None:  # noqa: ANN001
    response = client.post(SIGNUP, _signup_data(phone=phone), **EN)
    assert response.status_code == 200
    html = response.content.decode()
    assert any(rule in html for rule in ("Enter an Indonesian mobile number", "at most 32 characters",
                                         "Null characters are not allowed")), html
    assert not User.objects.exists() and not sms_outbox


@pytest.mark.parametrize("login", ["x" * 10_240, "08" + "1" * 300, "+62\x00812", "٠٨١٢٣٤٥٦٧٨٩٠"])
def test_malformed_login_names_never_fail_with_a_500(client: Client, login: str) -> None:
    response = client.post(LOGIN, {"login": login, "password": "salah-sandi-123"})
    assert response.status_code == 200


def test_database_refuses_an_account_without_email_and_phone_and_two_owners_of_one_verified_number() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(kind="citizen", email=None, phone="", full_name="Tanpa Kontak")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(kind="officer", email=None, phone=PHONE, full_name="Petugas Tanpa E-mail")
    _phone_citizen()
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(kind="citizen", email=None, phone=PHONE, phone_verified=True, full_name="Kedua")


def test_verifying_a_number_another_account_verified_first_records_a_conflict_and_changes_nothing() -> None:
    from allauth.account.adapter import get_adapter

    from satupintu.identity.actions import citizen_register

    late = citizen_register(email="late@example.id", full_name="Terlambat", nik=testing.valid_nik(), sex="M",
                            birth_date=dt.date(1990, 5, 17), password=testing.PASSWORD, phone=PHONE)
    _phone_citizen()
    get_adapter().set_phone_verified(late, PHONE)
    late.refresh_from_db()
    assert not late.phone_verified
    assert AuditEvent.objects.filter(action="account.phone_verification_conflict", target_id=str(late.pk)).exists()
    assert not AuditEvent.objects.filter(action="account.phone_verified", target_id=str(late.pk)).exists()


def test_login_hint_may_be_a_mobile_number(client: Client) -> None:
    html = client.get(LOGIN, {"next": "/o/authorize/?login_hint=%2B6281234567890"}).content.decode()
    assert 'value="+6281234567890"' in html
