"""``satupintu identity-clear-expired``: delete sign-in contexts (acr/auth_time per code or
refresh-token family) older than the refresh-token lifetime, then DOT's expired tokens
(``cleartokens``). Run daily from the scheduler."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone


class Command(BaseCommand):
    help = "Delete expired sign-in contexts and OAuth tokens."

    def handle(self, *args: Any, **options: Any) -> None:
        from oauth2_provider.settings import oauth2_settings

        from satupintu.identity.models import SignInContext

        lifetime = oauth2_settings.REFRESH_TOKEN_EXPIRE_SECONDS or 30 * 24 * 3600
        horizon = timezone.now() - dt.timedelta(seconds=int(lifetime)) - dt.timedelta(days=1)
        deleted, _ = SignInContext.objects.filter(created__lt=horizon).delete()
        call_command("cleartokens")
        self.stdout.write(f"Deleted {deleted} expired sign-in context(s) and expired tokens.")
