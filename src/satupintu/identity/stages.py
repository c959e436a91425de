"""allauth login stages we adjust (through ``AccountAdapter.get_login_stages``)."""

from __future__ import annotations

from typing import Any

from allauth.account import stages
from django.utils.translation import gettext_lazy as _

CODE_SENT_RECENTLY = _("A code was sent to your mobile number moments ago. Wait a minute, then sign in again "
                       "to get a new code.")


class EmailVerificationStage(stages.EmailVerificationStage):
    """allauth's mandatory e-mail verification, skipped when the sign-in has no e-mail address at
    all: a citizen registered with a mobile number only (verified by the phone stage that runs
    before this one). An account *with* an e-mail address still has to verify it."""

    def handle(self) -> tuple[Any, bool]:
        login = self.login
        if not login.email and (login.user is None or not getattr(login.user, "email", None)):
            return None, True
        return super().handle()


class PhoneVerificationStage(stages.PhoneVerificationStage):
    """allauth's mobile-number verification, with its SMS rate limit answered on the sign-in page.

    allauth sends the code in this stage and allows one SMS per number every 30 seconds and three a
    minute per IP (``ACCOUNT_RATE_LIMITS["verify_phone"]``); a used-up limit raised ``RateLimited``
    out of the login (and sign-up) flow: a 500. Here the sign-in stops instead, the citizen is sent
    back to the sign-in page with :data:`CODE_SENT_RECENTLY`, and no SMS is sent. A new account
    made by the same request stays (its number unverified, as when the citizen leaves the code page).
    """

    def handle(self) -> tuple[Any, bool]:
        from allauth.account.adapter import get_adapter
        from allauth.core.exceptions import RateLimited
        from django.contrib import messages
        from django.http import HttpResponseRedirect
        from django.urls import reverse

        try:
            return super().handle()
        except RateLimited:
            get_adapter(self.request).add_message(self.request, messages.ERROR, message=str(CODE_SENT_RECENTLY))
            return HttpResponseRedirect(reverse("account_login")), False
