"""Password reset by a code sent by SMS to the account's verified mobile number.

allauth (65.x) resets passwords by e-mail only. This starts allauth's own password-reset code
process (``PasswordResetVerificationProcess``: same session state, attempt limit, timeout, and
the same "enter the code" and "new password" pages) but delivers the code by SMS. The process
keeps ``email`` empty and the number in ``phone``; allauth's later steps then only verify the
code, set the password and send the ``password_reset`` signal (audited).
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter
from allauth.account.internal.flows.password_reset_by_code import PasswordResetVerificationProcess
from django.http import HttpRequest
from django.utils.translation import gettext

from satupintu.identity.sms import send_sms


def initiate_by_phone(*, request: HttpRequest, user: Any | None, phone: str) -> PasswordResetVerificationProcess:
    """Start the reset for ``phone`` (E.164). ``user`` is the account whose verified number it
    is, or None: then no SMS is sent (we do not text numbers we do not know) but the next page is
    the same, and no code can succeed. Rate limits: allauth's ``reset_password`` (per IP and per
    number) was consumed by the view; the code allows ``ACCOUNT_PASSWORD_RESET_BY_CODE_MAX_ATTEMPTS``
    tries."""
    state = PasswordResetVerificationProcess.initial_state(user, phone=phone)
    state["email"] = ""  # allauth's pages read it; empty = no e-mail address to verify on success
    process = PasswordResetVerificationProcess(request, state=state, user=user)
    if user is not None:
        code = get_adapter().generate_password_reset_code()
        state["code"] = code
        send_sms(phone=phone, text=gettext("Your password reset code: %(code)s. Do not share it with anyone; "
                                           "we never ask for it.") % {"code": code})
    process.persist()
    return process
