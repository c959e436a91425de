from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "satupintu.identity"
    label = "identity"
    verbose_name = _("Digital ID")

    def ready(self) -> None:
        from satupintu.identity.audit import connect_signals, register_actions
        from satupintu.identity.oidc import clients

        register_actions()
        connect_signals()
        clients.connect_signals()
