"""Sign a PDF with pyHanko: PAdES baseline B-B, or B-T when a timestamp authority is configured.

Source of the rules: ETSI EN 319 142-1 (PAdES baseline signatures): B-B is a CAdES-based
signature with ``/SubFilter /ETSI.CAdES.detached`` and a signed signing-certificate attribute;
B-T adds a signature timestamp token from a trusted TSA (RFC 3161).
"""

from __future__ import annotations

import io

from django.conf import settings
from django.utils import timezone
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko.stamp import TextStampStyle

from satupintu.documents.render import STAMP_BOX

FIELD_NAME = "TandaTanganInstansi"

_STAMP = TextStampStyle(
    stamp_text=(
        "Ditandatangani secara elektronik oleh\n%(signer)s\n"
        "Waktu: %(when)s\nNomor: %(number)s\nPeriksa: %(verify)s"
    ),
    timestamp_format="%Y-%m-%d %H:%M:%S %Z",
    text_box_style=TextBoxStyle(font_size=7),
    border_width=1,
)


def pades_level() -> str:
    """``B-T`` when ``SATUPINTU_TSA_URL`` is set, else ``B-B``."""
    return "B-T" if getattr(settings, "SATUPINTU_TSA_URL", "") else "B-B"


def sign_pdf(
    pdf: bytes,
    *,
    signer: signers.Signer,
    number: str,
    verify_hint: str,
    reason: str,
    location: str = "Indonesia",
) -> bytes:
    """Return ``pdf`` with one PAdES approval signature and a visible stamp on page 1.

    ``signer``: a pyHanko signer (see :func:`satupintu.documents.keys.load_signer`).
    ``number``/``verify_hint``: shown in the stamp. Raises pyHanko's ``SigningError`` or
    ``OSError`` (TSA unreachable) on failure; the caller keeps nothing in that case.
    """
    tsa_url = getattr(settings, "SATUPINTU_TSA_URL", "")
    timestamper = HTTPTimeStamper(tsa_url, timeout=10) if tsa_url else None
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
        use_pades_lta=False,
    )
    pdf_signer = signers.PdfSigner(
        meta,
        signer=signer,
        timestamper=timestamper,
        stamp_style=_STAMP,
        new_field_spec=fields.SigFieldSpec(sig_field_name=FIELD_NAME, on_page=0, box=STAMP_BOX),
    )
    cert = signer.signing_cert
    if cert is None:
        raise SigningError("the signer has no certificate")
    common_name = cert.subject.native.get("common_name", "")
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    out = pdf_signer.sign_pdf(
        writer,
        appearance_text_params={
            "signer": common_name[:60], "number": number, "verify": verify_hint[:60],
            # The platform's zone (Asia/Jakarta, WIB), whatever the server's own time zone is.
            "when": timezone.localtime().strftime("%Y-%m-%d %H:%M:%S %Z"),
        },
    )
    return out.getvalue()
