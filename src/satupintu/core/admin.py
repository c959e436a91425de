"""The back-office (``/kelola/``) site's titles, and editing of the holiday calendar (hari libur
nasional, cuti bersama)."""

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from satupintu.core import actions
from satupintu.core.errors import PermissionDenied
from satupintu.core.models import Holiday
from satupintu.core.principal import principal_for_request


def _titled(text: str) -> str:
    return gettext(text).format(platform=settings.SATUPINTU_PLATFORM_NAME)


# The platform's name instead of Django's ("Django administration"), in the user's language.
# gettext_noop marks the templates for `make messages` (they are translated in _titled).
admin.site.site_header = lazy(_titled, str)(gettext_noop("{platform} administration"))
admin.site.site_title = lazy(_titled, str)(gettext_noop("{platform} back-office"))
admin.site.index_title = gettext_lazy("Platform administration")


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    """The holiday calendar; every save and delete is audited (:mod:`satupintu.core.actions`)."""

    list_display = ("date", "kind", "name_id", "provisional")
    list_filter = ("kind", "provisional")
    search_fields = ("name_id", "name_en")
    date_hierarchy = "date"

    def save_model(self, request: HttpRequest, obj: Holiday, form: Any, change: bool) -> None:
        try:
            actions.holiday_save(holiday=obj, acting=principal_for_request(request),
                                 changed=list(form.changed_data), request=request)
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(str(exc)) from exc

    def delete_model(self, request: HttpRequest, obj: Holiday) -> None:
        try:
            actions.holiday_delete(holiday=obj, acting=principal_for_request(request), request=request)
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(str(exc)) from exc

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Holiday]) -> None:
        for holiday in queryset:
            self.delete_model(request, holiday)
