"""The back-office (``/kelola/``) site's titles, and editing of the holiday calendar (hari libur
nasional, cuti bersama)."""

from django.conf import settings
from django.contrib import admin
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from satupintu.core.models import Holiday


def _titled(text: str) -> str:
    return gettext(text).format(platform=settings.SATUPINTU_PLATFORM_NAME)


# The platform's name instead of Django's ("Django administration"), in the user's language.
# gettext_noop marks the templates for `make messages` (they are translated in _titled).
admin.site.site_header = lazy(_titled, str)(gettext_noop("{platform} administration"))
admin.site.site_title = lazy(_titled, str)(gettext_noop("{platform} back-office"))
admin.site.index_title = gettext_lazy("Platform administration")


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "name_id", "provisional")
    list_filter = ("kind", "provisional")
    search_fields = ("name_id", "name_en")
    date_hierarchy = "date"
