"""Every write to outcome documents: issue (render + sign + store), revoke, record a download."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import re
import secrets
import uuid
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from pyhanko.sign.signers import Signer

from satupintu.audit.actions import mask_nik, record
from satupintu.catalog.models import Agency
from satupintu.core.errors import FieldError, InvalidInput, PermissionDenied
from satupintu.core.principal import Principal
from satupintu.documents import keys, render, signing
from satupintu.documents.access import check_can_revoke
from satupintu.documents.models import DocumentCounter, DocumentStatus, OutcomeDocument

log = logging.getLogger(__name__)

_REFERENCE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/._-]{0,63}$")
_NIK_RE = re.compile(r"^\d{16}$")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_DECISION = 1500


def documents_dir() -> Path:
    return Path(settings.SATUPINTU_DOCUMENTS_DIR)


def document_path(document: OutcomeDocument) -> Path:
    """Where the signed PDF of ``document`` is stored."""
    return documents_dir() / document.file_name


def verify_url(document_id: uuid.UUID) -> str:
    """The absolute verification URL printed in the QR code."""
    return settings.SATUPINTU_PUBLIC_URL + reverse("documents:status", args=[str(document_id)])


def _validate(*, holder_name: str, holder_nik: str | None, service_name: str, decision: str,
              valid_until: dt.date | None, reference: str, template: str, today: dt.date) -> list[FieldError]:
    errors = []
    for name, value, limit in (("holder_name", holder_name, 200), ("service_name", service_name, 255),
                               ("decision", decision, MAX_DECISION)):
        if not isinstance(value, str) or not value.strip():
            errors.append(FieldError(name, "required", _("This field is required.")))
        elif len(value) > limit:
            errors.append(FieldError(name, "max_length", _("At most %(n)s characters.") % {"n": limit}))
        elif _CONTROL_RE.search(value):
            errors.append(FieldError(name, "format", _("Control characters are not allowed.")))
    if holder_nik not in (None, "") and not _NIK_RE.match(str(holder_nik)):
        errors.append(FieldError("holder_nik", "format", _("A NIK has exactly 16 digits.")))
    if valid_until is not None and valid_until < today:
        errors.append(FieldError("valid_until", "min_value", _("The validity date cannot be in the past.")))
    if not isinstance(reference, str) or not _REFERENCE_RE.match(reference):
        errors.append(FieldError("reference", "format",
                                 _("1–64 characters: letters, digits and / . _ - (starting with a letter or digit).")))
    if template not in render.TEMPLATES:
        errors.append(FieldError("template", "choice", _("Unknown template %(name)s.") % {"name": template}))
    return errors


def _check_can_issue(acting: Principal, agency: Agency) -> None:
    if acting.kind in {"platform", "system"}:
        return
    if acting.kind == "officer" and acting.agency == agency.code:
        return
    raise PermissionDenied(_("Only the platform or an officer of the issuing agency may issue its documents."))


@transaction.atomic
def _next_number(agency: Agency, year: int) -> str:
    counter, _created = DocumentCounter.objects.get_or_create(agency=agency, year=year)
    counter = DocumentCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"SP/{agency.code.upper()}/{year}/{counter.last:06d}"


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def document_issue(
    *,
    agency: Agency,
    holder_name: str,
    holder_nik: str | None,
    service_name: str,
    decision: str,
    valid_until: dt.date | None,
    reference: str,
    acting: Principal,
    template: str = "default",
    holder_principal_id: str = "",
    supersedes: OutcomeDocument | None = None,
    notify_email: str = "",
) -> OutcomeDocument:
    """Render, sign (PAdES B-B, or B-T with ``SATUPINTU_TSA_URL``) and store an outcome document.

    Inputs: the issuing ``agency``; the holder's name and NIK (16 digits, UU 24/2013 on population
    administration; only the masked form ``3174********0001`` of :func:`audit.actions.mask_nik` is
    printed and stored, data minimisation under UU 27/2022 on personal data protection);
    ``service_name``; ``decision`` (≤ 1500 chars, so the outcome fits one page);
    ``valid_until`` (not in the past; ``None`` = no expiry); ``reference`` (the application's
    tracking number, 1–64 of ``[A-Za-z0-9/._-]``); ``acting`` (the platform, a system, or an
    officer of the agency); ``template`` (a key of :data:`render.TEMPLATES`);
    ``holder_principal_id`` (the citizen principal id allowed to download it);
    ``supersedes`` (a document of the same agency this one replaces; it becomes superseded);
    ``notify_email`` (if given, a "document ready" e-mail is sent after commit).

    Idempotent (rule 4): a second call with the same (agency, reference) returns the existing
    document and changes nothing. Returns the stored document.

    Errors: :class:`InvalidInput` naming each bad field; :class:`PermissionDenied` for a
    principal that may not issue; :class:`keys.KeyConfigurationError` when the agency has no
    signing key. On any error nothing is kept (no row, no file; a document number may be skipped).
    """
    _check_can_issue(acting, agency)
    existing = OutcomeDocument.objects.filter(agency=agency, reference=reference).first()
    if existing is not None:
        return existing
    now = timezone.now()
    today = timezone.localdate(now)
    errors = _validate(holder_name=holder_name, holder_nik=holder_nik, service_name=service_name, decision=decision,
                       valid_until=valid_until, reference=reference, template=template, today=today)
    if supersedes is not None and supersedes.agency_id != agency.pk:
        errors.append(FieldError("supersedes", "agency", _("Only a document of the same agency can be superseded.")))
    elif supersedes is not None and supersedes.status != DocumentStatus.VALID:
        errors.append(FieldError("supersedes", "status", _("Only a valid document can be superseded.")))
    if errors:
        raise InvalidInput(errors)
    with keys.agency_signer(agency.code) as signer:
        return _issue_signed(agency=agency, holder_name=holder_name, holder_nik=holder_nik, service_name=service_name,
                             decision=decision, valid_until=valid_until, reference=reference, acting=acting,
                             template=template, holder_principal_id=holder_principal_id, supersedes=supersedes,
                             notify_email=notify_email, signer=signer, now=now, today=today)


def _issue_signed(*, agency: Agency, holder_name: str, holder_nik: str | None, service_name: str, decision: str,
                  valid_until: dt.date | None, reference: str, acting: Principal, template: str,
                  holder_principal_id: str, supersedes: OutcomeDocument | None, notify_email: str,
                  signer: Signer, now: dt.datetime, today: dt.date) -> OutcomeDocument:
    document_id = uuid.uuid4()
    number = _next_number(agency, today.year)
    nik_masked = mask_nik(holder_nik) if holder_nik else ""
    content = render.OutcomeContent(
        document_id=str(document_id), number=number, agency_name=agency.name_id, agency_name_en=agency.name_en,
        agency_website=agency.website, holder_name=holder_name.strip(), holder_nik_masked=nik_masked,
        service_name=service_name.strip(), decision=decision.strip(), issued_on=today, valid_until=valid_until,
        reference=reference, verify_url=verify_url(document_id), platform_name=settings.SATUPINTU_PLATFORM_NAME,
    )
    pdf = render.TEMPLATES[template](content)
    signed = signing.sign_pdf(
        pdf, signer=signer, number=number,
        verify_hint=settings.SATUPINTU_PUBLIC_URL.split("://", 1)[-1] + "/verifikasi/",
        reason=f"Dokumen hasil layanan {number}",
    )
    cert_der = signer.signing_cert.dump() if signer.signing_cert is not None else b""
    file_name = f"{agency.code}/{today.year}/{document_id}.pdf"
    path = documents_dir() / file_name
    _write_atomically(path, signed)
    try:
        with transaction.atomic():
            document = OutcomeDocument(
                id=document_id, number=number, agency=agency, reference=reference, holder_name=content.holder_name,
                holder_nik_masked=nik_masked, holder_principal_id=holder_principal_id[:255],
                service_name=content.service_name, decision=content.decision, valid_until=valid_until,
                template=template, issued_at=now, file_name=file_name, size=len(signed),
                sha256=hashlib.sha256(signed).hexdigest(), pades_level=signing.pades_level(),
                signer_certificate_sha256=x509.load_der_x509_certificate(cert_der).fingerprint(hashes.SHA256()).hex(),
            )
            # Uniqueness and constraints are left to the database, so a lost race is an IntegrityError.
            document.full_clean(validate_unique=False, validate_constraints=False)
            document.save(force_insert=True)
            record(actor=acting, action="document.issued", target=document,
                   details={"number": number, "agency": agency.code, "reference": reference,
                            "level": document.pades_level, "sha256": document.sha256})
            if supersedes is not None:
                _supersede(old=supersedes, new=document, acting=acting)
            if notify_email:
                from satupintu.documents.tasks import notify_document_ready

                transaction.on_commit(lambda: notify_document_ready.enqueue(str(document.pk), notify_email))
    except IntegrityError:
        path.unlink(missing_ok=True)
        winner = OutcomeDocument.objects.filter(agency=agency, reference=reference).first()
        if winner is None:
            raise
        return winner
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return document


def _supersede(*, old: OutcomeDocument, new: OutcomeDocument, acting: Principal) -> None:
    updated = OutcomeDocument.objects.filter(pk=old.pk, status=DocumentStatus.VALID).update(
        status=DocumentStatus.SUPERSEDED, superseded_by=new, updated_at=timezone.now())
    if not updated:
        raise InvalidInput([FieldError("supersedes", "status", _("Only a valid document can be superseded."))])
    record(actor=acting, action="document.superseded", target=old,
           details={"number": old.number, "by": new.number})


@transaction.atomic
def document_revoke(
    *, document: OutcomeDocument, reason: str, acting: Principal, request: HttpRequest | None = None
) -> OutcomeDocument:
    """Revoke (cabut) a document: verification then says "dicabut" with the date.

    ``reason``: 10–1000 characters, kept in the register and the audit log (not shown publicly).
    ``acting``: an approver or agency_admin officer of the issuing agency
    (:func:`access.check_can_revoke`). Idempotent: revoking a revoked document returns it
    unchanged with no second audit event. Errors: :class:`InvalidInput` (``reason``),
    :class:`PermissionDenied`, and :class:`InvalidInput` (``document``) for a superseded one.
    """
    check_can_revoke(acting, document)
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise InvalidInput([FieldError("reason", "min_length",
                                       _("Give the reason for revoking in at least 10 characters."))])
    if len(reason) > 1000 or _CONTROL_RE.search(reason):
        raise InvalidInput([FieldError("reason", "max_length", _("At most 1000 characters of plain text."))])
    locked = OutcomeDocument.objects.select_for_update().select_related("agency").get(pk=document.pk)
    if locked.status == DocumentStatus.REVOKED:
        return locked
    if locked.status != DocumentStatus.VALID:
        raise InvalidInput([FieldError("document", "status", _("A superseded document cannot be revoked."))])
    locked.status = DocumentStatus.REVOKED
    locked.revoked_at = timezone.now()
    locked.revoked_reason = reason
    locked.revoked_by = str(acting)[:255]
    locked.full_clean(validate_unique=False)
    locked.save(update_fields=["status", "revoked_at", "revoked_reason", "revoked_by", "updated_at"])
    record(actor=acting, action="document.revoked", target=locked, request=request,
           details={"number": locked.number, "reason": reason})
    return locked


@transaction.atomic
def document_record_download(*, document: OutcomeDocument, acting: Principal, request: HttpRequest | None) -> None:
    """Audit an officer's download of a citizen's document (the holder's own downloads are not
    recorded: only reads by others belong in "who accessed my data")."""
    if acting.kind == "citizen" and acting.id == document.holder_principal_id:
        return
    record(actor=acting, action="document.downloaded", target=document, request=request,
           details={"number": document.number})

