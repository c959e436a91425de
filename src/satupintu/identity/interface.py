"""What other apps may use from the identity app (everything else is internal).

* ``principal_for_request(request)`` / ``User.as_principal()`` (via ``satupintu.core.principal``):
  the acting principal — citizen or officer with agency code and roles.
* :func:`require_loa` — view decorator; ``@require_loa("loa2")`` steps a password-only session up
  to a second factor (never serves the view at loa1).
* :func:`current_loa` — ``"loa0"``/``"loa1"``/``"loa2"`` of a request's session.
* :func:`masked_nik` — display form of a user's NIK for officers' screens.
* :func:`nik_blind_index` — the platform's one NIK blind index (HMAC-SHA-256 under
  ``SATUPINTU_NIK_INDEX_KEY``), used by the exchange data tracker and the registries.
* Tests: :mod:`satupintu.identity.testing` (``make_citizen``, ``make_officer``, ``valid_nik``, ...).
"""

from __future__ import annotations

from typing import Any

from satupintu.identity.crypto import nik_blind_index
from satupintu.identity.loa import current_loa, require_loa

__all__ = ["access_token_loa", "current_loa", "masked_nik", "nik_blind_index", "require_loa"]


def masked_nik(user: Any) -> str:
    """``3174********0001`` for a citizen, ``""`` for anyone without a NIK."""
    return str(getattr(user, "nik_masked", "") or "")


def access_token_loa(access_token: Any) -> str:
    """The level of assurance (``loa1``/``loa2``) of the sign-in an OAuth access token (a
    django-oauth-toolkit ``AccessToken``) was issued for, from the grant's sign-in context
    (``acr``); ``loa0`` for tokens without a user (client credentials)."""
    if access_token is None or getattr(access_token, "user_id", None) is None:
        return "loa0"
    from satupintu.identity.models import SignInContext

    acr = (SignInContext.objects.filter(access_token_checksum=access_token.token_checksum)
           .values_list("acr", flat=True).first())
    return acr or "loa1"
