"""Signing with a PKCS#11 token (HSM): SoftHSM2 holds the agency key; the key never leaves it.

SoftHSM2 (Debian package ``softhsm2``) is a real PKCS#11 module; .ci/run installs it.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pkcs11
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import load_der_public_key, pkcs12
from cryptography.x509.oid import NameOID
from pkcs11 import Attribute, KeyType
from pkcs11.util.ec import encode_ec_public_key, encode_named_curve_parameters
from pkcs11.util.x509 import decode_x509_certificate

from satupintu.catalog.models import Agency
from satupintu.documents.actions import document_path
from satupintu.documents.keys import KeyConfigurationError, agency_signer
from satupintu.documents.verify import verify_pdf
from tests.documents.conftest import KEYS_PASSWORD, issue

pytestmark = pytest.mark.django_db
MODULE = "/usr/lib/softhsm/libsofthsm2.so"
CODE = "bpn-hsm"
PIN = "246810"


@pytest.fixture(scope="module")
def token_keys(key_set, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:  # noqa: ANN001
    """A copy of the trusted keys folder where agency CODE signs with a SoftHSM2 token."""
    if not Path(MODULE).exists() or shutil.which("softhsm2-util") is None:
        pytest.fail("SoftHSM2 is needed for the PKCS#11 tests: apt-get install softhsm2 (.ci/run does this)")
    base = tmp_path_factory.mktemp("hsm")
    (base / "tokens").mkdir()
    conf = base / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {base / 'tokens'}\nobjectstore.backend = file\n")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOFTHSM2_CONF", str(conf))
        subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", CODE, "--pin", PIN,
                        "--so-pin", "13579111"], check=True, capture_output=True, env=os.environ.copy())
        issuing_key, issuing_cert, _ = pkcs12.load_key_and_certificates(
            (key_set.trusted / "issuing-ca.p12").read_bytes(), KEYS_PASSWORD.encode())
        token = pkcs11.lib(MODULE).get_token(token_label=CODE)
        with token.open(rw=True, user_pin=PIN) as session:
            params = session.create_domain_parameters(
                KeyType.EC, {Attribute.EC_PARAMS: encode_named_curve_parameters("secp256r1")}, local=True)
            public, _private = params.generate_keypair(store=True, label="tanda-tangan", id=b"\x01")
            now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
            cert = (
                x509.CertificateBuilder()
                .subject_name(x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Badan Pertanahan HSM"),
                                         x509.NameAttribute(NameOID.COMMON_NAME, "Badan Pertanahan HSM")]))
                .issuer_name(issuing_cert.subject)
                .public_key(load_der_public_key(encode_ec_public_key(public)))
                .serial_number(x509.random_serial_number()).not_valid_before(now)
                .not_valid_after(now + dt.timedelta(days=30))
                .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                             data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                             crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
                .sign(issuing_key, hashes.SHA256())
            )
            attrs = decode_x509_certificate(cert.public_bytes(serialization.Encoding.DER))
            attrs.update({Attribute.TOKEN: True, Attribute.LABEL: "tanda-tangan", Attribute.ID: b"\x01"})
            session.create_object(attrs)
        directory = base / "keys"
        shutil.copytree(key_set.trusted, directory)
        agency_dir = directory / "agencies" / CODE
        agency_dir.mkdir(parents=True)
        (agency_dir / "chain.pem").write_bytes(issuing_cert.public_bytes(serialization.Encoding.PEM))
        (agency_dir / "pkcs11.yaml").write_text(
            f"module: {MODULE}\ntoken_label: {CODE}\nkey_label: tanda-tangan\nchain: [chain.pem]\n"
            "use_raw_mechanism: true\n"
            "pin_env: SATUPINTU_TEST_HSM_PIN\n")
        yield directory


def test_a_document_signed_in_the_token_validates(token_keys, settings, monkeypatch) -> None:
    settings.SATUPINTU_KEYS_DIR = token_keys
    monkeypatch.setenv("SATUPINTU_TEST_HSM_PIN", PIN)
    agency = Agency.objects.create(code=CODE, name_id="Badan Pertanahan HSM", kind="badan")
    document = issue(agency)
    verdict = verify_pdf(document_path(document).read_bytes())
    assert verdict.status == "valid"
    assert verdict.signatures[0].signer == "Badan Pertanahan HSM"
    assert not list((token_keys / "agencies" / CODE).glob("*.p12"))  # no key file on disk for this agency


def test_a_wrong_pin_is_a_clear_configuration_error(token_keys, settings, monkeypatch) -> None:
    settings.SATUPINTU_KEYS_DIR = token_keys
    monkeypatch.setenv("SATUPINTU_TEST_HSM_PIN", "000000")
    with pytest.raises(KeyConfigurationError, match="cannot open PKCS#11 token"), agency_signer(CODE):
        pass


def test_a_missing_pin_names_the_variable(token_keys, settings, monkeypatch) -> None:
    settings.SATUPINTU_KEYS_DIR = token_keys
    monkeypatch.delenv("SATUPINTU_TEST_HSM_PIN", raising=False)
    with pytest.raises(KeyConfigurationError, match="SATUPINTU_PKCS11_PIN_BPN_HSM"), agency_signer(CODE):
        pass
