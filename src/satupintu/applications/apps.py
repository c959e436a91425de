from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "satupintu.applications"
    label = "applications"
    verbose_name = "satupintu online applications (permohonan)"
