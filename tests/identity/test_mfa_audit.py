"""MFA changes and their audit events commit together (one transaction): a failed audit write
leaves no second factor added or removed. Failures are injected with a real database trigger that
refuses the audit row, as a full disk or a broken audit store would."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.db import connection
from django.test import Client

from satupintu.audit.models import AuditEvent
from satupintu.identity import testing
from satupintu.identity.models import User
from tests.identity.test_oidc import totp_now

TRIGGER = "sp_test_refuse_audit"


@contextmanager
def audit_refuses(action: str) -> Iterator[None]:
    """Make the database refuse audit rows with ``action`` (a BEFORE INSERT trigger)."""
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"CREATE FUNCTION {TRIGGER}() RETURNS trigger AS $$ BEGIN "
                           f"IF NEW.action = '{action}' THEN RAISE EXCEPTION 'audit store refused'; END IF; "
                           f"RETURN NEW; END $$ LANGUAGE plpgsql")
            cursor.execute(f"CREATE TRIGGER {TRIGGER} BEFORE INSERT ON {table} FOR EACH ROW "
                           f"EXECUTE FUNCTION {TRIGGER}()")
        else:
            cursor.execute(f"CREATE TRIGGER {TRIGGER} BEFORE INSERT ON {table} WHEN NEW.action = '{action}' "
                           f"BEGIN SELECT RAISE(ABORT, 'audit store refused'); END")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {table}")
                cursor.execute(f"DROP FUNCTION IF EXISTS {TRIGGER}()")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER}")


def _signed_in_at_totp_setup(client: Client, user: User) -> str:
    """Sign in (password), open the TOTP set-up page (no re-authentication just after signing in,
    ADR 0141); return the secret shown."""
    assert client.post("/akun/login/", {"login": user.email, "password": testing.PASSWORD}).status_code == 302
    assert client.get("/akun/2fa/totp/activate/").status_code == 200
    return client.session[SECRET_SESSION_KEY]


def _signed_in_with_totp(client: Client, user: User, secret: str) -> None:
    """Sign in with password and TOTP (fresh enough for the MFA pages, ADR 0141)."""
    client.post("/akun/login/", {"login": user.email, "password": testing.PASSWORD})
    assert client.post("/akun/2fa/authenticate/", {"code": totp_now(secret)}).status_code == 302


def _actions(user: User) -> list[tuple[str, str]]:
    return [(e.action, e.details.get("type", "")) for e in
            AuditEvent.objects.filter(target_id=str(user.pk), action__startswith="mfa.").order_by("seq")]


@pytest.mark.django_db(transaction=True)
def test_adding_totp_commits_with_its_audit_events(client: Client) -> None:
    citizen = testing.make_citizen()
    secret = _signed_in_at_totp_setup(client, citizen)
    assert client.post("/akun/2fa/totp/activate/", {"code": totp_now(secret)}).status_code == 302
    assert set(Authenticator.objects.filter(user=citizen).values_list("type", flat=True)) == {"totp",
                                                                                                "recovery_codes"}
    assert _actions(citizen) == [("mfa.added", "totp"), ("mfa.added", "recovery_codes")]


@pytest.mark.django_db(transaction=True)
def test_no_totp_is_added_when_its_audit_event_cannot_be_written(client: Client) -> None:
    citizen = testing.make_citizen()
    secret = _signed_in_at_totp_setup(client, citizen)
    client.raise_request_exception = False
    with audit_refuses("mfa.added"):
        response = client.post("/akun/2fa/totp/activate/", {"code": totp_now(secret)})
    assert response.status_code == 500
    assert not Authenticator.objects.filter(user=citizen).exists()
    assert _actions(citizen) == []


@pytest.mark.django_db(transaction=True)
def test_no_second_factor_is_removed_when_its_audit_event_cannot_be_written(client: Client) -> None:
    citizen = testing.make_citizen()
    secret = testing.activate_totp(citizen)
    _signed_in_with_totp(client, citizen, secret)
    client.raise_request_exception = False
    with audit_refuses("mfa.removed"):
        response = client.post("/akun/2fa/totp/deactivate/", {})
    assert response.status_code == 500
    assert Authenticator.objects.filter(user=citizen, type="totp").exists()
    assert ("mfa.removed", "totp") not in _actions(citizen)
    # And when the audit store works, removal and its events commit together.
    client.raise_request_exception = True
    assert client.post("/akun/2fa/totp/deactivate/", {}).status_code == 302
    assert not Authenticator.objects.filter(user=citizen, type="totp").exists()
    assert ("mfa.removed", "totp") in _actions(citizen)


@pytest.mark.django_db(transaction=True)
def test_regenerating_recovery_codes_is_one_reset_event_or_nothing(client: Client) -> None:
    citizen = testing.make_citizen()
    secret = _signed_in_at_totp_setup(client, citizen)
    client.post("/akun/2fa/totp/activate/", {"code": totp_now(secret)})
    old = Authenticator.objects.get(user=citizen, type="recovery_codes")
    client.raise_request_exception = False
    with audit_refuses("mfa.reset"):
        assert client.post("/akun/2fa/recovery-codes/generate/", {}).status_code == 500
    assert Authenticator.objects.get(user=citizen, type="recovery_codes").pk == old.pk  # old codes kept
    client.raise_request_exception = True
    assert client.post("/akun/2fa/recovery-codes/generate/", {}).status_code == 302
    assert Authenticator.objects.get(user=citizen, type="recovery_codes").pk != old.pk
    assert _actions(citizen)[-1] == ("mfa.reset", "recovery_codes")
    assert ("mfa.removed", "recovery_codes") not in _actions(citizen)


@pytest.mark.django_db(transaction=True)
def test_changes_outside_the_views_are_audited_in_their_transaction() -> None:
    citizen = testing.make_citizen()
    testing.activate_totp(citizen)
    assert _actions(citizen) == [("mfa.added", "totp")]
    with audit_refuses("mfa.removed"), pytest.raises(Exception, match="audit store refused"):
        Authenticator.objects.filter(user=citizen).delete()
    assert Authenticator.objects.filter(user=citizen).exists()


@pytest.mark.django_db(transaction=True)
def test_no_passkey_is_added_when_its_audit_event_cannot_be_written(client: Client) -> None:
    """allauth adds a passkey and then recovery codes without a transaction of its own."""
    import json

    from tests.identity.test_passkeys import SoftAuthenticator, _js_data

    citizen = testing.make_citizen()
    client.post("/akun/login/", {"login": citizen.email, "password": testing.PASSWORD})
    client.post("/akun/reauthenticate/", {"password": testing.PASSWORD})
    page = client.get("/akun/2fa/webauthn/add/")
    credential = SoftAuthenticator().create(_js_data(page.content.decode())["creation_options"])
    client.raise_request_exception = False
    with audit_refuses("mfa.added"):
        response = client.post("/akun/2fa/webauthn/add/", {"name": "Ponsel", "passwordless": "on",
                                                           "credential": json.dumps(credential)})
    assert response.status_code == 500
    assert not Authenticator.objects.filter(user=citizen).exists()
    assert _actions(citizen) == []
