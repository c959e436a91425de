from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "satupintu.documents"
    label = "documents"
    verbose_name = _("Outcome documents")
    default_auto_field = "django.db.models.BigAutoField"
