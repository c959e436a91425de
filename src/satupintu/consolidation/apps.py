from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ConsolidationConfig(AppConfig):
    name = "satupintu.consolidation"
    label = "consolidation"
    verbose_name = _("SPBE consolidation")

    def ready(self) -> None:
        from satupintu.consolidation.reference import sync_after_migrate

        post_migrate.connect(sync_after_migrate, sender=self, dispatch_uid="consolidation-reference-sync")
