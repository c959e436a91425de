"""allauth login stages we adjust (through ``AccountAdapter.get_login_stages``)."""

from __future__ import annotations

from typing import Any

from allauth.account import stages


class EmailVerificationStage(stages.EmailVerificationStage):
    """allauth's mandatory e-mail verification, skipped when the sign-in has no e-mail address at
    all: a citizen registered with a mobile number only (verified by the phone stage that runs
    before this one). An account *with* an e-mail address still has to verify it."""

    def handle(self) -> tuple[Any, bool]:
        login = self.login
        if not login.email and (login.user is None or not getattr(login.user, "email", None)):
            return None, True
        return super().handle()
