"""Back-office: users (NIK masked), OIDC client registration by platform admins, and Django's
group form with checkboxes (ADR 0141)."""

from __future__ import annotations

from typing import Any

from allauth.account.decorators import secure_admin_login
from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from oauth2_provider.admin import ApplicationAdmin
from oauth2_provider.forms import ApplicationForm
from oauth2_provider.models import (
    get_access_token_model,
    get_application_model,
    get_grant_model,
    get_id_token_model,
    get_refresh_token_model,
)

from satupintu.core.principal import Principal, principal_for_request
from satupintu.identity import actions
from satupintu.identity.models import Consent, RelyingParty, Role, User
from satupintu.identity.oidc.client_secrets import validate_client_secret
from satupintu.identity.oidc.registration import clean_allowed_scopes, friendly_uri_error
from satupintu.identity.oidc.validator import client_disabled, relying_party


def _is_platform_admin(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and (user.is_superuser or "platform_admin" in (getattr(user, "roles", None) or [])))


def _principal(request: HttpRequest) -> Principal:
    return principal_for_request(request)


class UserAdminForm(forms.ModelForm):
    """The account form: roles are ticked from the platform's roles (not typed as JSON), so a
    wrong value is a clear field error, never a crash."""

    roles = forms.MultipleChoiceField(label=capfirst(_("roles")), choices=Role.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = User
        fields = ["is_superuser", "kind", "email", "full_name", "phone", "phone_verified", "birth_date", "sex", "nip",
                  "agency", "roles", "is_active", "is_staff"]


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    """Accounts, for platform admins only. Every save goes through
    :func:`~satupintu.identity.actions.user_admin_save` (audited, with the access fields — roles,
    agency, back-office access, superuser, active — before and after). Accounts are deactivated
    (untick "active"), never deleted here: applications, documents and audit events point to them."""

    form = UserAdminForm
    list_display = ["full_name", "email", "kind", "nik_masked", "nip", "agency", "is_active"]
    list_filter = ["kind", "is_active", "agency"]
    search_fields = ["full_name", "email", "nip"]
    readonly_fields = ["nik_masked", "last_login", "date_joined"]
    exclude = ["password", "user_permissions", "groups"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_platform_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_platform_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_platform_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        try:
            actions.user_admin_save(user=obj, acting=_principal(request), changed=list(form.changed_data),
                                    request=request)
        except PermissionError as exc:
            raise DjangoPermissionDenied(str(exc)) from exc


RELYING_PARTY_FIELDS = ("active", "agency", "allowed_scopes", "allow_nik", "public_sub", "sector", "required_loa",
                        "logo", "privacy_policy_url", "jwks", "may_introspect")


class RelyingPartyForm(forms.ModelForm):
    """The platform settings of a client; "allowed scopes" must be scopes this platform offers,
    each a valid RFC 6749 §3.3 scope token (:func:`~satupintu.identity.oidc.registration.clean_allowed_scopes`)."""

    class Meta:
        model = RelyingParty
        fields = RELYING_PARTY_FIELDS

    def clean_allowed_scopes(self) -> str:
        return clean_allowed_scopes(str(self.cleaned_data.get("allowed_scopes") or ""))


class RelyingPartyInline(admin.StackedInline):
    model = RelyingParty
    form = RelyingPartyForm
    can_delete = False
    fields = RELYING_PARTY_FIELDS


# The back-office signs in through allauth (second factor, rate limits, audit), never through
# Django admin's own password-only form.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

Application = get_application_model()
admin.site.unregister(Application)

# What goes with a deleted client (cascade); their own admins refuse deletion (DOT: revoke tokens
# instead), which must not stop a platform admin from deleting the client itself.
_DELETED_WITH_CLIENT = (get_access_token_model(), get_refresh_token_model(), get_id_token_model(), get_grant_model(),
                        RelyingParty, Consent)


class ClientForm(ApplicationForm):
    """django-oauth-toolkit's client form, plus the client-secret rule (ADR 0121): a new secret —
    the generated default or a typed one — must pass :func:`validate_client_secret` (≥ 32
    characters, ≥ 8 different). A stored secret posted back unchanged is not checked again.

    Secrets are stored hashed (ADR 0111), so "hash client secret" cannot be unticked and ID tokens
    cannot be signed with HS256 (the secret itself would be the HMAC key, OIDC Core §10.1): the
    form refuses both at their fields; RS256 (or no OIDC) remains (ADR 0124)."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("algorithm") == Application.HS256_ALGORITHM:
            self.add_error("algorithm", _(
                "HS256 is not offered: it signs ID tokens with the client secret itself, and this platform "
                "stores client secrets only hashed. Choose RS256."))
        if "hash_client_secret" in self.fields and cleaned.get("hash_client_secret") is False:
            self.add_error("hash_client_secret", _(
                "Client secrets are always stored hashed on this platform; leave this ticked."))
        return cleaned

    def add_error(self, field: str | None, error: Any) -> None:
        """As Django's, but DOT's English-only redirect-URI errors from ``Application.clean`` (e.g.
        ``redirect uri URI Validation error. invalid_scheme``) become clear translated ones that name
        the URI (:func:`~satupintu.identity.oidc.registration.friendly_uri_error`, ADR 0127)."""
        if isinstance(error, ValidationError) and hasattr(error, "error_dict") and "redirect_uris" in error.error_dict:
            schemes = list(self.instance.get_allowed_schemes())
            error.error_dict["redirect_uris"] = [friendly_uri_error(e, schemes=schemes)
                                                 for e in error.error_dict["redirect_uris"]]
        super().add_error(field, error)

    def clean_client_secret(self) -> str:
        value = str(self.cleaned_data.get("client_secret") or "")
        # Compared with the stored value, not the form's hidden initial (which the browser posts).
        if self.instance.pk is None or value != self.instance.client_secret:
            validate_client_secret(value)
        return value


@admin.register(Application)
class ClientAdmin(ApplicationAdmin):
    """Client (relying party) registration: redirect URIs (exact), grant type, client type,
    agency, allowed scopes, required LoA, logo, privacy policy, the ``active`` switch (a
    disabled client is refused at once, ADR 0117) and "may introspect tokens" (resource servers
    only, ADR 0135). A new secret must be the generated one or a
    typed one of ≥ 32 characters (:class:`ClientForm`, ADR 0121). Only platform admins; every save, switch and
    delete is audited in its transaction (:mod:`satupintu.identity.actions`, ``oidc_client.*``)."""

    form = ClientForm
    inlines = [RelyingPartyInline]
    view_on_site = False  # Application.get_absolute_url names DOT's client pages, which are not mounted
    list_display = ("pk", "name", "client_id", "client_active", "client_may_introspect", "client_type",
                    "authorization_grant_type")
    actions = ["disable_clients", "enable_clients"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("relying_party")

    @admin.display(description=_("active"), boolean=True)
    def client_active(self, obj: Any) -> bool:
        return not client_disabled(obj)

    @admin.display(description=_("may introspect tokens"), boolean=True)
    def client_may_introspect(self, obj: Any) -> bool:
        rp = relying_party(obj)
        return rp is not None and rp.may_introspect

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_platform_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_platform_admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _is_platform_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_platform_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_platform_admin(request)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        changed = list(form.changed_data) + [
            f"relying_party.{name}" for formset in formsets for inline in formset.forms for name in inline.changed_data]
        actions.oidc_client_saved(application=form.instance, created=not change, changed=changed,
                                  acting=_principal(request), request=request)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        if _is_platform_admin(request):
            owned = {str(model._meta.verbose_name) for model in _DELETED_WITH_CLIENT}
            perms_needed = {name for name in perms_needed if str(name) not in owned}
        return deleted, model_count, perms_needed, protected

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        actions.oidc_client_delete(application=obj, acting=_principal(request), request=request)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for application in queryset:
            self.delete_model(request, application)

    @admin.action(description=_("Disable selected clients"))
    def disable_clients(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._set_active(request, queryset, active=False)

    @admin.action(description=_("Enable selected clients"))
    def enable_clients(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._set_active(request, queryset, active=True)

    def _set_active(self, request: HttpRequest, queryset: QuerySet[Any], *, active: bool) -> None:
        with transaction.atomic():
            changed = sum(actions.oidc_client_set_active(application=app, active=active, acting=_principal(request),
                                                         request=request) for app in queryset)
        self.message_user(request, _("%(count)d client(s) changed.") % {"count": changed})


class GroupAdmin(DjangoGroupAdmin):
    """Django's group form (platform admins only), with the permissions ticked as checkboxes
    instead of ``filter_horizontal``: Django's ``SelectFilter2.js`` puts ``aria-label`` on a
    role-less ``<span>`` (WCAG 4.1.2, axe ``aria-prohibited-attr``). Checkboxes work the same
    without JavaScript (ADR 0141, as the catalogue's life events in ADR 0138)."""

    filter_horizontal = ()

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "permissions":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)


admin.site.unregister(Group)
admin.site.register(Group, GroupAdmin)
