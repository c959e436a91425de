from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "satupintu.exchange"
    label = "exchange"
    verbose_name = _("Data exchange (SPLP)")

    def ready(self) -> None:
        from satupintu.exchange import clientauth, directory

        directory.connect_signals()
        clientauth.connect_signals()
