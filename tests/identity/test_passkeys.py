"""Passkeys (WebAuthn) with a software authenticator built from fido2's own data types and an
EC P-256 key: register a passkey, then sign in with it alone (passwordless) → loa2."""

from __future__ import annotations

import json
import os
import re

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.test import Client
from fido2.cose import ES256
from fido2.utils import sha256, websafe_decode, websafe_encode
from fido2.webauthn import AttestationObject, AttestedCredentialData, AuthenticatorData, CollectedClientData

from satupintu.audit.models import AuditEvent
from satupintu.identity import testing
from satupintu.identity.models import User

pytestmark = pytest.mark.django_db
ORIGIN = "http://testserver"
FLAGS = AuthenticatorData.FLAG


class SoftAuthenticator:
    """One resident, user-verifying credential, as a platform authenticator would hold it."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(16)
        self.user_handle = b""
        self.counter = 0

    def create(self, options: dict) -> dict:
        public = options["publicKey"] if "publicKey" in options else options
        self.user_handle = websafe_decode(public["user"]["id"])
        rp_id = public["rp"]["id"]
        attested = AttestedCredentialData.create(b"\0" * 16, self.credential_id,
                                                 ES256.from_cryptography_key(self.key.public_key()))
        auth_data = AuthenticatorData.create(sha256(rp_id.encode()), FLAGS.UP | FLAGS.UV | FLAGS.AT, 0, attested)
        client_data = CollectedClientData.create("webauthn.create", websafe_decode(public["challenge"]), ORIGIN)
        attestation = AttestationObject.create("none", auth_data, {})
        return {"id": websafe_encode(self.credential_id), "rawId": websafe_encode(self.credential_id),
                "type": "public-key", "clientExtensionResults": {"credProps": {"rk": True}},
                "response": {"clientDataJSON": websafe_encode(client_data), "attestationObject":
                             websafe_encode(attestation), "transports": ["internal"]}}

    def get(self, options: dict, rp_id: str = "testserver") -> dict:
        public = options["publicKey"] if "publicKey" in options else options
        self.counter += 1
        auth_data = AuthenticatorData.create(sha256(rp_id.encode()), FLAGS.UP | FLAGS.UV, self.counter)
        client_data = CollectedClientData.create("webauthn.get", websafe_decode(public["challenge"]), ORIGIN)
        signature = self.key.sign(bytes(auth_data) + client_data.hash, ec.ECDSA(hashes.SHA256()))
        return {"id": websafe_encode(self.credential_id), "rawId": websafe_encode(self.credential_id),
                "type": "public-key", "clientExtensionResults": {},
                "response": {"clientDataJSON": websafe_encode(client_data), "authenticatorData":
                             websafe_encode(bytes(auth_data)), "signature": websafe_encode(signature),
                             "userHandle": websafe_encode(self.user_handle)}}


def _js_data(html: str) -> dict:
    match = re.search(r'<script id="js_data" type="application/json">(.*?)</script>', html, re.S)
    assert match, html[:3000]
    return json.loads(match.group(1))


def _register_passkey(client: Client, user: User) -> SoftAuthenticator:
    client.post("/akun/login/", {"login": user.email, "password": testing.PASSWORD})
    client.post("/akun/reauthenticate/", {"password": testing.PASSWORD})
    page = client.get("/akun/2fa/webauthn/add/")
    authenticator = SoftAuthenticator()
    credential = authenticator.create(_js_data(page.content.decode())["creation_options"])
    added = client.post("/akun/2fa/webauthn/add/", {"name": "Ponsel", "passwordless": "on",
                                                   "credential": json.dumps(credential)})
    assert added.status_code == 302, added.content.decode()[:3000]
    return authenticator


def test_passwordless_passkey_sign_in_is_loa2(citizen: User) -> None:
    authenticator = _register_passkey(Client(), citizen)
    browser = Client()
    options = browser.get("/akun/2fa/webauthn/login/", HTTP_X_REQUESTED_WITH="XMLHttpRequest").json()
    assertion = authenticator.get(options["request_options"])
    response = browser.post("/akun/2fa/webauthn/login/", {"credential": json.dumps(assertion)})
    assert response.status_code == 302, response.content.decode()[:2000]
    page = browser.get("/akun/")
    assert page.status_code == 200
    assert "loa2" in page.content.decode()
    signed_in = AuditEvent.objects.filter(action="account.signed_in", target_id=str(citizen.pk)).last()
    assert signed_in.details["loa"] == "loa2"


def test_a_forged_passkey_assertion_is_refused(citizen: User) -> None:
    authenticator = _register_passkey(Client(), citizen)
    browser = Client()
    options = browser.get("/akun/2fa/webauthn/login/", HTTP_X_REQUESTED_WITH="XMLHttpRequest").json()
    forger = SoftAuthenticator()
    forger.credential_id, forger.user_handle = authenticator.credential_id, authenticator.user_handle
    browser.post("/akun/2fa/webauthn/login/", {"credential": json.dumps(forger.get(options["request_options"]))})
    assert browser.get("/akun/").status_code == 302
