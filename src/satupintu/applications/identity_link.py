"""Applicants are identity users (ADR 0080): who they are, where to write to, what to prefill.

``Application.applicant_id`` is the identity user's primary key as text (ADR 0071). Users are
read through Django's auth API (``get_user_model()``), never through the identity app's
internals. Registered in :meth:`ApplicationsConfig.ready`:

* the contact source for status e-mails (:func:`contact_for`): the verified sign-in e-mail;
* the ``identity`` prefill source (:class:`IdentitySource`): ``name``, ``birthdate``, ``nik``
  (clear, because the ``nik`` form field needs all 16 digits and the form is the citizen's own
  page), ``nik_masked``, ``email`` (verified only) and ``phone``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from satupintu.core.principal import Principal


def user_for(kind: str, user_id: str) -> Any | None:
    """The citizen identity user with primary key ``user_id``, or ``None``."""
    if kind != "citizen" or not str(user_id).isdigit():
        return None
    return get_user_model().objects.filter(pk=int(user_id)).first()


def verified_email(user: Any) -> str:
    """The user's verified e-mail (allauth ``EmailAddress``, primary first), or ``""``."""
    from allauth.account.models import EmailAddress

    found = EmailAddress.objects.filter(user=user, verified=True).order_by("-primary").first()
    return found.email if found else ""


def contact_for(applicant_kind: str, applicant_id: str) -> tuple[str, str] | None:
    """Contact source for status e-mails: ``(verified e-mail, "id")``, or ``None`` without one."""
    user = user_for(applicant_kind, applicant_id)
    address = verified_email(user) if user is not None else ""
    return (address, "id") if address else None


class IdentitySource:
    """Prefill from the signed-in citizen's own identity record."""

    name = "identity"

    def claims(self, principal: Principal, context: Any = None) -> dict[str, Any]:
        """The claims of ``principal`` (empty for anyone but a citizen with an account); the
        prefill context does not matter for the citizen's own record."""
        user = user_for(principal.kind, principal.id)
        if user is None:
            return {}
        return {
            "name": user.full_name, "birthdate": user.birth_date.isoformat() if user.birth_date else None,
            "nik": user.nik(), "nik_masked": user.nik_masked, "email": verified_email(user), "phone": user.phone,
        }
