"""Authentication backend: sign in with a NIK (16 digits), an e-mail address or a verified
mobile number (E.164, see :func:`satupintu.identity.validators.validate_phone`).

Both paths run the password hasher once, also when no account matches (Django's
``ModelBackend`` does the same), so timing does not reveal which NIKs are registered.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from satupintu.identity.crypto import nik_blind_index
from satupintu.identity.models import User


class NikOrEmailBackend(ModelBackend):
    """``authenticate(request, nik=..., password=...)``, ``(email=..., password=...)`` or
    ``(phone=..., password=...)``; a mobile number matches only once verified.
    Returns the active user or ``None`` (unknown account and wrong password alike)."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None,  # type: ignore[override]
                     password: str | None = None, **kwargs: Any) -> User | None:
        nik, phone, email = kwargs.get("nik"), kwargs.get("phone"), kwargs.get("email") or username
        if password is None or (not nik and not phone and not email):
            return None
        if nik:
            user = User.objects.filter(nik_index=nik_blind_index(str(nik))).first()
        elif phone:
            user = User.objects.filter(phone=str(phone), phone_verified=True).first()
        else:
            user = User.objects.filter(email=str(email).strip().lower()).first()
        if user is None:
            User().set_password(password)  # same work as a real check (timing)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
