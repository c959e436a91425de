"""Back-office (Django admin at /kelola/) for the exchange directory and the message log.

Every queryset goes through :func:`satupintu.exchange.access.scoped` and every write through
:mod:`satupintu.exchange.actions` (audited), so the admin behaves exactly like the API would. The
forms check the identifiers an object claims with the actions' own rule
(:func:`satupintu.exchange.access.check_identifiers`, ADR 0140), so a refusal is a field error on the
form rather than an error page.
"""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.db.models import ForeignKey, Model, QuerySet, URLField
from django.forms.models import construct_instance
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _

from satupintu.catalog.models import Agency
from satupintu.core.errors import PermissionDenied
from satupintu.core.principal import Principal, principal_for_request
from satupintu.exchange import actions, selectors
from satupintu.exchange.access import can_manage_directory, check_identifiers, is_platform_admin, scoped
from satupintu.exchange.models import AccessRight, Member, MessageLog, Service, Subsystem


class DirectoryForm(forms.ModelForm):
    """A directory object's form: the identifiers the object would claim (member code, OAuth client
    id) must be its agency's (:func:`check_identifiers`, as :func:`actions.directory_save` checks
    again); a refusal is an error on that field. ``principal`` is set per request by
    :meth:`DirectoryAdmin.get_form`."""

    principal: Principal | None = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.principal is not None:
            # ``self.instance`` is still the stored object here (Django fills it after clean()).
            candidate = construct_instance(self, copy.copy(self.instance), self._meta.fields, self._meta.exclude)
            try:
                check_identifiers(self.principal, candidate,
                                  stored=self.instance if self.instance.pk is not None else None)
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


class DirectoryAdmin(admin.ModelAdmin):
    """Scoped, audited admin for one directory model."""

    form = DirectoryForm

    def _principal(self, request: HttpRequest) -> Any:
        return principal_for_request(request)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"principal": self._principal(request)})

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return scoped(self._principal(request), super().get_queryset(request))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_manage_directory(self._principal(request))

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return can_manage_directory(self._principal(request))

    has_add_permission = has_module_permission  # type: ignore[assignment]

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return can_manage_directory(self._principal(request))

    has_delete_permission = has_change_permission

    def formfield_for_foreignkey(self, db_field: ForeignKey, request: HttpRequest, **kwargs: Any) -> Any:
        principal = self._principal(request)
        related = db_field.related_model
        if related is Agency and not is_platform_admin(principal):
            kwargs["queryset"] = Agency.objects.filter(code=principal.agency or "")
        elif related in (Member, Service) or (related is Subsystem and db_field.name != "client"):
            kwargs["queryset"] = scoped(principal, related._default_manager.all())  # type: ignore[union-attr]
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        try:
            actions.directory_save(obj=obj, acting=self._principal(request), request=request)
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(str(exc)) from exc

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        try:
            actions.directory_delete(obj=obj, acting=self._principal(request), request=request)
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(str(exc)) from exc

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(Member)
class MemberAdmin(DirectoryAdmin):
    list_display = ("identifier", "name", "agency")
    list_filter = ("member_class",)
    search_fields = ("member_code", "name")


@admin.register(Subsystem)
class SubsystemAdmin(DirectoryAdmin):
    list_display = ("identifier", "name", "oauth_client_id")
    search_fields = ("code", "name", "member__member_code")


@admin.register(Service)
class ServiceAdmin(DirectoryAdmin):
    list_display = ("identifier", "version", "personal_data", "store_bodies", "enabled")
    list_filter = ("personal_data", "enabled")
    search_fields = ("service_code", "title")

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if isinstance(db_field, URLField):
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(AccessRight)
class AccessRightAdmin(DirectoryAdmin):
    list_display = ("client", "service", "methods")


@admin.register(MessageLog)
class MessageLogAdmin(admin.ModelAdmin):
    """Read-only message log with the operational monitoring page (``monitoring/``)."""

    list_display = ("seq", "logged_at", "client", "service", "method", "status", "error", "duration_ms")
    list_filter = ("status",)
    search_fields = ("request_id", "client", "service")
    exclude = ("request_body", "response_body")
    change_list_template = "admin/exchange/messagelog_change_list.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[MessageLog]:
        return selectors.messages_visible_to(principal_for_request(request))

    def has_module_permission(self, request: HttpRequest) -> bool:
        principal = principal_for_request(request)
        return can_manage_directory(principal) or principal.has_role("auditor")

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # Its own method: Django calls it with the object too (assigning has_module_permission
        # made every list and detail page a 500).
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        extra = [path("monitoring/", self.admin_site.admin_view(self.monitoring_view),
                      name="exchange_monitoring")]
        return extra + super().get_urls()

    def monitoring_view(self, request: HttpRequest) -> HttpResponse:
        """Per-service counts, errors and latency percentiles over the last 24 hours."""
        if not self.has_module_permission(request):
            raise DjangoPermissionDenied
        stats = selectors.service_statistics(principal_for_request(request))
        context = {**self.admin_site.each_context(request), "title": _("Exchange monitoring (last 24 hours)"),
                   "stats": stats, "opts": self.model._meta}
        return TemplateResponse(request, "admin/exchange/monitoring.html", context)
