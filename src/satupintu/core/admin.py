"""Back-office editing of the holiday calendar (hari libur nasional, cuti bersama)."""

from django.contrib import admin

from satupintu.core.models import Holiday


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "name_id", "provisional")
    list_filter = ("kind", "provisional")
    search_fields = ("name_id", "name_en")
    date_hierarchy = "date"
