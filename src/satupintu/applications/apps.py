from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "satupintu.applications"
    label = "applications"
    verbose_name = "satupintu online applications (permohonan)"

    def ready(self) -> None:
        """Applicants are identity users: their verified e-mail receives status mail and their
        identity claims prefill forms (ADR 0080)."""
        from satupintu.applications import identity_link, notifications, prefill

        notifications.register_contact_source(identity_link.contact_for)
        prefill.register_source(identity_link.IdentitySource())
