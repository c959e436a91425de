"""Back-office (``/kelola/``) for the catalogue.

Access is decided by :mod:`satupintu.catalog.access` from the request's principal, not by Django
model permissions: agency admins see and edit only their agency's services; platform admins edit
everything, including the search synonym table. Every save and delete goes through
:mod:`satupintu.catalog.actions` (audited, re-indexed).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.forms import CheckboxSelectMultiple, ModelForm
from django.http import HttpRequest

from satupintu.catalog import access, actions
from satupintu.catalog.models import Agency, Channel, LifeEvent, PriorityArea, Service, Synonym
from satupintu.core.principal import principal_for_request

HTTPS_URLS: Mapping[type[models.Field[Any, Any]], Mapping[str, Any]] = {models.URLField: {"assume_scheme": "https"}}


class ChannelInline(admin.StackedInline):
    # Stacked, not tabular: a tabular inline's inputs have only a column header, no label of their
    # own (axe "label", WCAG 1.3.1/4.1.2); each stacked field has its <label>. ADR 0138.
    model = Channel
    formfield_overrides = HTTPS_URLS
    extra = 0
    fields = ["kind", "name", "url", "place", "position"]

    def _allowed(self, request: HttpRequest, obj: Any = None) -> bool:
        principal = principal_for_request(request)
        if obj is None:
            return access.can_edit_catalog(principal)
        return access.can_edit_agency(principal, obj.agency.code)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request, obj)


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name_id", "agency", "priority_area", "fee_idr", "view_count", "updated_at"]
    list_filter = ["priority_area", "life_events"]
    search_fields = ["name_id", "name_en", "slug"]
    readonly_fields = ["uid", "view_count"]
    # Checkboxes, not filter_horizontal: Django's SelectFilter2.js puts aria-label on a role-less
    # <span> (axe "aria-prohibited-attr"), and a checkbox list works the same with or without JS.
    formfield_overrides = {models.ManyToManyField: {"widget": CheckboxSelectMultiple}}
    inlines = [ChannelInline]
    fieldsets = [
        (None, {"fields": ["slug", "uid", "agency", "name_id", "name_en", "summary_id", "summary_en",
                           "priority_area", "life_events", "keywords"]}),
        ("Standar pelayanan", {"fields": ["requirements", "procedure", "duration_text", "duration_days", "fee_idr",
                                          "fee_basis", "fee_variants", "product", "legal_basis", "facilities",
                                          "staff_competence", "internal_supervision", "complaint_handling",
                                          "staff_count", "service_guarantee", "security_guarantee",
                                          "performance_evaluation"]}),
        (None, {"fields": ["sources", "notes", "view_count"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Service]:
        return access.editable_services(principal_for_request(request))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access.can_edit_catalog(principal_for_request(request))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_change_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return access.can_edit_catalog(principal_for_request(request))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        principal = principal_for_request(request)
        if obj is None:
            return access.can_edit_catalog(principal)
        return access.can_edit_agency(principal, obj.agency.code)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_change_permission(request, obj)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "agency":
            kwargs["queryset"] = access.editable_agencies(principal_for_request(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Service, form: ModelForm, change: bool) -> None:
        original = Service.objects.filter(pk=obj.pk).values_list("agency__code", flat=True).first() if change else None
        actions.service_save(service=obj, acting=principal_for_request(request), changed=list(form.changed_data),
                             original_agency=original, request=request)

    def save_related(self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        actions.service_channels_saved(service=form.instance, acting=principal_for_request(request),
                                       changed=any(f.has_changed() for f in formsets), request=request)

    def delete_model(self, request: HttpRequest, obj: Service) -> None:
        actions.service_delete(service=obj, acting=principal_for_request(request), request=request)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Service]) -> None:
        for service in queryset:
            self.delete_model(request, service)


class PlatformAdminOnly(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access.is_platform_admin(principal_for_request(request))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    has_add_permission = has_module_permission  # type: ignore[assignment]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)


@admin.register(Synonym)
class SynonymAdmin(PlatformAdminOnly):
    list_display = ["variant", "canonical"]
    search_fields = ["variant", "canonical"]

    def save_model(self, request: HttpRequest, obj: Synonym, form: ModelForm, change: bool) -> None:
        actions.synonym_save(synonym=obj, acting=principal_for_request(request), request=request)

    def delete_model(self, request: HttpRequest, obj: Synonym) -> None:
        actions.synonym_delete(synonym=obj, acting=principal_for_request(request), request=request)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Synonym]) -> None:
        for synonym in queryset:
            self.delete_model(request, synonym)


@admin.register(Agency)
class AgencyAdmin(PlatformAdminOnly):
    list_display = ["name_id", "code", "kind", "parent"]
    search_fields = ["name_id", "code"]
    list_filter = ["kind"]
    raw_id_fields = ["region"]

    def save_model(self, request: HttpRequest, obj: Agency, form: ModelForm, change: bool) -> None:
        actions.agency_save(agency=obj, acting=principal_for_request(request), changed=list(form.changed_data),
                            request=request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # agencies are retired by the import, never deleted by hand (services point to them)


@admin.register(LifeEvent, PriorityArea)
class TermAdmin(PlatformAdminOnly):
    """Life events and priority areas: every change audited through :mod:`satupintu.catalog.actions`."""

    list_display = ["name_id", "name_en", "slug", "position"]

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        actions.term_save(term=obj, acting=principal_for_request(request), changed=list(form.changed_data),
                          request=request)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        actions.term_delete(term=obj, acting=principal_for_request(request), request=request)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for term in queryset:
            self.delete_model(request, term)
