"""Back-office: users (NIK masked) and OIDC client registration by platform admins."""

from __future__ import annotations

from typing import Any

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.http import HttpRequest
from oauth2_provider.admin import ApplicationAdmin
from oauth2_provider.models import get_application_model

from satupintu.identity.models import RelyingParty, User


def _is_platform_admin(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and (user.is_superuser or "platform_admin" in (getattr(user, "roles", None) or [])))


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
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


class RelyingPartyInline(admin.StackedInline):
    model = RelyingParty
    can_delete = False
    fields = ["agency", "allowed_scopes", "allow_nik", "public_sub", "sector", "required_loa", "logo",
              "privacy_policy_url", "jwks"]


# The back-office signs in through allauth (second factor, rate limits, audit), never through
# Django admin's own password-only form.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

Application = get_application_model()
admin.site.unregister(Application)


@admin.register(Application)
class ClientAdmin(ApplicationAdmin):
    """Client (relying party) registration: redirect URIs (exact), grant type, client type,
    agency, allowed scopes, required LoA, logo, privacy policy. Only platform admins."""

    inlines = [RelyingPartyInline]

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
