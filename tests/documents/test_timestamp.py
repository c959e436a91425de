"""PAdES B-T: with SATUPINTU_TSA_URL set, the signature carries an RFC 3161 timestamp.

The timestamp authority is a real HTTP server on 127.0.0.1 answering RFC 3161 requests with
pyHanko's own TSA implementation and a TSA certificate from the test CA.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.sign.timestamps import DummyTimeStamper

from satupintu.audit.models import AuditEvent
from satupintu.documents.actions import document_path
from satupintu.documents.models import OutcomeDocument
from satupintu.documents.verify import verify_pdf
from tests.documents.conftest import KEYS_PASSWORD, issue

pytestmark = pytest.mark.django_db


def _tsa_stamper(keys_dir) -> DummyTimeStamper:  # noqa: ANN001
    issuing_key, issuing_cert, _chain = pkcs12.load_key_and_certificates(
        (keys_dir / "issuing-ca.p12").read_bytes(), KEYS_PASSWORD.encode())
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # pyHanko's test TSA signs with RSA
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "satupintu test TSA")]))
        .issuer_name(issuing_cert.subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(issuing_key, hashes.SHA256())
    )
    der_key = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(der_key),
        certs_to_embed=[asn1_x509.Certificate.load(issuing_cert.public_bytes(serialization.Encoding.DER))],
    )


@pytest.fixture
def tsa_url(key_set) -> Iterator[str]:  # noqa: ANN001
    stamper = _tsa_stamper(key_set.trusted)
    calls: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            reply = stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
            calls.append(len(body))
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args: object) -> None:
            return

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/tsa"
    server.shutdown()
    server.server_close()
    assert calls, "the TSA was never asked"


def test_with_a_tsa_the_document_is_pades_b_t(agency, tsa_url, settings) -> None:
    settings.SATUPINTU_TSA_URL = tsa_url
    document = issue(agency)
    assert document.pades_level == "B-T"
    verdict = verify_pdf(document_path(document).read_bytes())
    assert verdict.status == "valid"
    [sig] = verdict.signatures
    assert sig.timestamped and sig.level == "B-T" and sig.signed_at is not None


def test_an_unreachable_tsa_fails_the_issue_and_keeps_nothing(agency, settings, documents_settings) -> None:
    settings.SATUPINTU_TSA_URL = "http://127.0.0.1:9/tsa"  # discard port: nothing listens
    with pytest.raises(Exception, match=r"(?i)timestamp|connect"):
        issue(agency)
    assert OutcomeDocument.objects.count() == 0
    assert not AuditEvent.objects.filter(action="document.issued").exists()
    assert not documents_settings.exists() or not list(documents_settings.rglob("*.pdf"))
