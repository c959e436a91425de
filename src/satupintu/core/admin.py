"""The back-office (``/kelola/``) site's titles, and editing of the holiday calendar (hari libur
nasional, cuti bersama)."""

from django.conf import settings
from django.contrib import admin
from django.utils.functional import lazy
from django.utils.translation import gettext

from satupintu.core.models import Holiday


def _titled(text: str) -> str:
    return gettext(text).format(platform=settings.SATUPINTU_PLATFORM_NAME)


# The platform's name instead of Django's ("Django administration"), in the user's language.
admin.site.site_header = lazy(_titled, str)("{platform} administration")
admin.site.site_title = lazy(_titled, str)("{platform} back-office")
admin.site.index_title = lazy(gettext, str)("Platform administration")


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "name_id", "provisional")
    list_filter = ("kind", "provisional")
    search_fields = ("name_id", "name_en")
    date_hierarchy = "date"
