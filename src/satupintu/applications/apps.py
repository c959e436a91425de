from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "satupintu.applications"
    label = "applications"
    verbose_name = _("Online applications (permohonan)")

    def ready(self) -> None:
        """Applicants are identity users: their verified e-mail receives status mail and their
        identity claims prefill forms (ADR 0080); the population register prefills through the
        exchange gateway (ADR 0110)."""
        from satupintu.applications import identity_link, notifications, prefill, register_link

        notifications.register_contact_source(identity_link.contact_for)
        prefill.register_source(identity_link.IdentitySource())
        prefill.register_source(register_link.PopulationSource())
