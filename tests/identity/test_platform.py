"""Officers, MFA rule, levels of assurance on views, sessions, demo accounts, hashing, keys,
private_key_jwt and the GovStack aliases."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import pytest
from django.contrib.auth.hashers import get_hasher, identify_hasher
from django.core.management import call_command
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory, override_settings
from jwcrypto import jwk, jwt

from satupintu.audit.models import AuditEvent
from satupintu.identity import testing
from satupintu.identity.keys import load_oidc_keys
from satupintu.identity.loa import require_loa
from satupintu.identity.models import User

pytestmark = pytest.mark.django_db


def test_production_password_hasher_is_argon2id_with_the_adr_parameters(citizen: User) -> None:
    hasher = get_hasher("default")
    assert type(hasher).__name__ == "Argon2idHasher"
    assert (hasher.time_cost, hasher.memory_cost, hasher.parallelism) == (2, 19456, 1)
    assert citizen.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert identify_hasher(citizen.password).algorithm == "argon2"


def test_officer_without_mfa_can_only_reach_mfa_setup(client: Client, agency,  # noqa: ANN001
                                                      django_capture_on_commit_callbacks) -> None:  # noqa: ANN001
    officer = testing.make_officer(agency=agency, roles=["operator"])
    client.post("/akun/login/", {"login": officer.email, "password": testing.PASSWORD})
    response = client.get("/akun/")
    assert response.status_code == 302 and response["Location"] == "/akun/2fa/totp/activate/"
    # Just signed in: the set-up opens without asking for the password again (ADR 0141).
    assert client.get("/akun/2fa/totp/activate/").status_code == 200
    assert client.get("/wilayah/").status_code == 302
    from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY

    from tests.identity.test_oidc import totp_now

    with django_capture_on_commit_callbacks(execute=True):  # allauth messages and mails run on commit
        activated = client.post("/akun/2fa/totp/activate/", {"code": totp_now(client.session[SECRET_SESSION_KEY])})
    assert activated.status_code == 302
    assert client.get("/wilayah/").status_code == 200  # MFA set up: the officer may work
    assert AuditEvent.objects.filter(action="mfa.added", target_id=str(officer.pk)).exists()


def test_officer_with_totp_signs_in_with_the_second_factor(client: Client, agency) -> None:  # noqa: ANN001
    officer = testing.make_officer(agency=agency, roles=["verifier"], with_totp=True)
    client.post("/akun/login/", {"login": officer.email, "password": testing.PASSWORD})
    from tests.identity.test_oidc import totp_now

    assert client.post("/akun/2fa/authenticate/", {"code": totp_now(officer.totp_secret_for_tests)}).status_code == 302
    assert client.get("/akun/").status_code == 200


def test_officer_roles_and_nip_are_validated(agency) -> None:  # noqa: ANN001
    from django.core.exceptions import ValidationError

    from satupintu.core.principal import Principal
    from satupintu.identity.actions import officer_create

    with pytest.raises(ValidationError):
        officer_create(acting=Principal.platform(), email="x@example.go.id", full_name="X", nip="123",
                       agency=agency, roles=["operator"])
    with pytest.raises(ValidationError):
        testing.make_officer(agency=agency, roles=["superhero"])
    citizen_principal = Principal(kind="citizen", id="1")
    with pytest.raises(PermissionError):
        officer_create(acting=citizen_principal, email="y@example.go.id", full_name="Y",
                       nip=testing.valid_nip(), agency=agency, roles=["operator"])
    assert not User.objects.filter(kind="officer").exists()


def _view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("rahasia")


def test_require_loa2_steps_up_and_never_serves_a_loa1_session(client: Client, citizen: User) -> None:
    protected = require_loa("loa2")(_view)
    client.post("/akun/login/", {"login": citizen.email, "password": testing.PASSWORD})
    request = RequestFactory().get("/layanan/rahasia/")
    request.user = citizen
    request.session = client.session
    response = protected(request)
    assert response.status_code == 302 and response["Location"].startswith("/akun/2fa/")
    testing.activate_totp(citizen)
    response = protected(request)
    assert response["Location"].startswith("/akun/2fa/reauthenticate/")
    request.session = Client().session
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    assert protected(request)["Location"].startswith("/akun/login/")


def test_sessions_list_signs_out_other_sessions(citizen: User) -> None:
    first, second = Client(), Client()
    for browser in (first, second):
        browser.post("/akun/login/", {"login": citizen.email, "password": testing.PASSWORD})
    page = first.get("/akun/sessions/")
    assert page.status_code == 200
    first.post("/akun/sessions/", {"action": "logout"})
    assert first.get("/akun/").status_code == 200
    assert second.get("/akun/").status_code == 302


def test_demo_accounts_are_idempotent_and_cover_every_role(capsys) -> None:  # noqa: ANN001
    call_command("demo_accounts")
    call_command("demo_accounts")
    out = capsys.readouterr().out
    assert "warga@demo.satupintu.id" in out and "NIK 3171" in out
    officers = User.objects.filter(kind="officer", agency__code="demo-dukcapil")
    assert sorted(r for u in officers for r in u.roles) == sorted(
        ["operator", "verifier", "approver", "agency_admin", "auditor", "spbe_coordinator"])
    assert User.objects.filter(is_superuser=True).count() == 1
    assert "+6281200000001" in out
    phone_only = User.objects.get(phone="+6281200000001")
    assert phone_only.email is None and phone_only.phone_verified and phone_only.kind == "citizen"
    assert User.objects.count() == 9


def test_demo_officers_work_for_dukcapil_when_the_catalogue_is_loaded(capsys) -> None:  # noqa: ANN001
    """So the README's "try every role" path can process a demo application (Dukcapil owns the
    birth certificate, KTP-el, KK and moving services); an earlier run's demo agency is left."""
    from satupintu.catalog.models import Agency

    call_command("demo_accounts")  # before the catalogue: the demo agency
    Agency.objects.create(code="dukcapil", name_id="Direktorat Jenderal Kependudukan dan Pencatatan Sipil",
                          kind="lembaga")
    call_command("demo_accounts")
    assert "officers work for dukcapil" in capsys.readouterr().out
    officers = User.objects.filter(kind="officer", is_superuser=False)
    assert officers.count() == 6 and all(u.agency.code == "dukcapil" for u in officers)


def test_key_rotation_keeps_retired_keys_published(tmp_path: Path, client: Client, make_client) -> None:  # noqa: ANN001
    call_command("oidc_rotate_key", key_dir=str(tmp_path), bits=2048)
    call_command("oidc_rotate_key", key_dir=str(tmp_path), bits=2048)
    import os

    os.environ["SATUPINTU_OIDC_KEY_DIR"] = str(tmp_path)
    try:
        active, retired = load_oidc_keys(production=True, var_dir=tmp_path)
    finally:
        del os.environ["SATUPINTU_OIDC_KEY_DIR"]
    assert len(retired) == 1 and retired[0] != active
    from django.conf import settings

    conf = {**settings.OAUTH2_PROVIDER, "OIDC_RSA_PRIVATE_KEY": active, "OIDC_RSA_PRIVATE_KEYS_INACTIVE": retired}
    with override_settings(OAUTH2_PROVIDER=conf):
        from oauth2_provider.settings import oauth2_settings

        oauth2_settings.reload()
        try:
            keys = client.get("/.well-known/jwks.json").json()["keys"]
        finally:
            pass
    oauth2_settings.reload()
    assert len(keys) == 2
    kids = {jwk.JWK.from_pem(pem.encode()).thumbprint() for pem in (active, *retired)}
    assert {k["kid"] for k in keys} == kids
    assert AuditEvent.objects.filter(action="oidc.key_rotated").count() == 2


def test_private_key_jwt_client_authentication(client: Client, make_client) -> None:  # noqa: ANN001
    key = jwk.JWK.generate(kty="RSA", size=2048, kid="rp-1")
    app = make_client(grant_type="client-credentials", allowed_scopes="openid")
    app.relying_party.jwks = {"keys": [json.loads(key.export_public())]}
    app.relying_party.save()

    def assertion(aud: str = "http://testserver/o/token/", exp: int = 60, signer: jwk.JWK = key) -> str:
        now = int(time.time())
        token = jwt.JWT(header={"alg": "RS256", "kid": signer.kid}, claims={
            "iss": app.client_id, "sub": app.client_id, "aud": aud, "iat": now, "exp": now + exp,
            "jti": str(uuid.uuid4())})
        token.make_signed_token(signer)
        return token.serialize()

    def post(value: str):  # noqa: ANN202
        return client.post("/o/token/", {"grant_type": "client_credentials", "client_id": app.client_id,
                                         "client_assertion_type":
                                             "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                                         "client_assertion": value})

    good = assertion()
    assert post(good).status_code == 200, post(good).content
    assert post(good).status_code == 401  # replayed jti
    assert post(assertion(aud="https://elsewhere.example/token")).status_code == 401
    assert post(assertion(exp=-120)).status_code == 401
    other = jwk.JWK.generate(kty="RSA", size=2048, kid="rp-1")
    assert post(assertion(signer=other)).status_code == 401
    assert post("not.a.jwt").status_code == 401


def test_client_registration_admin_is_for_platform_admins_only(client: Client, agency) -> None:  # noqa: ANN001
    officer = testing.make_officer(agency=agency, roles=["agency_admin"], with_totp=True)
    officer.is_staff = True
    officer.save()
    client.force_login(officer)
    assert client.get("/kelola/oauth2_provider/application/add/").status_code in (302, 403)
    admin = User.objects.create_superuser("root@example.go.id", testing.PASSWORD)
    testing.activate_totp(admin)
    client.force_login(admin)
    page = client.get("/kelola/oauth2_provider/application/add/")
    assert page.status_code == 200 and "allowed_scopes" in page.content.decode()


def test_govstack_alias_endpoints_answer(client: Client) -> None:
    discovery = client.get("/.well-known/openid-configuration").json()
    assert discovery["issuer"] == "http://testserver/o"
    assert client.get("/.well-known/jwks.json").status_code == 200
    assert client.get("/oidc/userinfo").status_code == 401
    assert client.post("/oauth/token", {"grant_type": "client_credentials"}).status_code == 401
    assert client.get("/authorize").status_code in (302, 400)


def test_govstack_userinfo_is_a_nested_jwt_encrypted_to_the_client(client: Client, citizen: User,
                                                                     make_client) -> None:  # noqa: ANN001
    from tests.identity.test_oidc import exchange, get_code, sign_in

    enc_key = jwk.JWK.generate(kty="RSA", size=2048, kid="enc-1")
    app = make_client()
    app.relying_party.jwks = {"keys": [{**json.loads(enc_key.export_public()), "use": "enc"}]}
    app.relying_party.save()
    sign_in(client, citizen)
    code, verifier = get_code(client, app)
    access = exchange(client, app, code, verifier).json()["access_token"]
    response = client.get("/oidc/userinfo", HTTP_AUTHORIZATION=f"Bearer {access}")
    assert response.status_code == 200 and response["Content-Type"] == "application/jwt"
    outer = jwt.JWT(jwt=response.content.decode(), key=enc_key, expected_type="JWE")
    from django.conf import settings

    signing = jwk.JWK.from_pem(settings.OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"].encode())
    inner = jwt.JWT(jwt=outer.claims, key=signing, expected_type="JWS")
    claims = json.loads(inner.claims)
    assert claims["name"] == citizen.full_name and claims["aud"] == app.client_id
    assert client.get("/oidc/userinfo", HTTP_AUTHORIZATION="Bearer nope").status_code == 401


def test_back_office_sign_in_goes_through_the_mfa_sign_in(client: Client, agency) -> None:  # noqa: ANN001
    response = client.get("/kelola/login/?next=/kelola/")
    assert response.status_code == 302 and response["Location"].startswith("/akun/login/")
    officer = testing.make_officer(agency=agency, roles=["agency_admin"], with_totp=True)
    officer.is_staff = True
    officer.save()
    posted = client.post("/kelola/login/", {"username": officer.email, "password": testing.PASSWORD})
    assert posted.status_code == 302 and posted["Location"].startswith("/akun/login/")
    assert client.get("/kelola/").status_code == 302


def test_clear_expired_deletes_only_old_sign_in_contexts(capsys) -> None:  # noqa: ANN001
    import datetime as dt

    from django.utils import timezone

    from satupintu.identity.models import SignInContext

    old = SignInContext.objects.create(key="code:old", acr="loa1", auth_time=timezone.now(),
                                       created=timezone.now() - dt.timedelta(days=40))
    fresh = SignInContext.objects.create(key="code:new", acr="loa2", auth_time=timezone.now())
    call_command("identity_clear_expired")
    assert not SignInContext.objects.filter(pk=old.pk).exists()
    assert SignInContext.objects.filter(pk=fresh.pk).exists()
    assert "Deleted 1" in capsys.readouterr().out


def test_back_office_is_titled_with_the_platform_name_in_the_users_language(client: Client) -> None:
    admin = User.objects.create_superuser("root@example.go.id", testing.PASSWORD)
    testing.activate_totp(admin)
    client.force_login(admin)
    page = client.get("/kelola/").content.decode()
    assert "Administrasi satupintu" in page and "Administrasi platform" in page
    assert "Administrasi Django" not in page and "Admin situs Django" not in page
    client.cookies["django_language"] = "en"
    english = client.get("/kelola/?lang=en").content.decode()
    assert "satupintu administration" in english and "Django administration" not in english


def test_the_demo_agency_admin_reaches_the_back_office(capsys) -> None:  # noqa: ANN001
    """The agency admin manages the agency's exchange directory at /kelola/: without back-office
    access the README's "try every role" stopped there."""
    call_command("demo_accounts")
    User.objects.filter(email="agency_admin@demo.satupintu.id").update(is_staff=False)  # an earlier run's account
    call_command("demo_accounts")
    staff = set(User.objects.filter(kind="officer", is_staff=True, is_superuser=False).values_list("email", flat=True))
    assert staff == {"agency_admin@demo.satupintu.id"}
    browser = Client()
    browser.force_login(User.objects.get(email="agency_admin@demo.satupintu.id"))
    assert browser.get("/kelola/exchange/member/").status_code == 200
