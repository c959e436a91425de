"""Routes of the identity app, mounted by ``config/urls.py``."""

from __future__ import annotations

from django.urls import include, path
from oauth2_provider import urls as dot_urls
from oauth2_provider import views as dot_views

from satupintu.identity import views
from satupintu.identity.oidc import views as oidc_views

app_name = "identity"

account_urlpatterns = [
    path("", views.account, name="account"),
    path("alamat/", views.address, name="address"),
    path("aplikasi/", views.apps, name="apps"),
    path("aplikasi/<int:application_id>/cabut/", views.revoke_app, name="revoke-app"),
]

# Of django-oauth-toolkit's own routes only the protocol endpoints named here (RFC 8414/9728
# metadata, whose route also gives the ``iss`` of authorization responses; JWKS; RP-initiated
# logout; its authorize/token/revoke/introspect/userinfo/discovery, which ours below shadow), by an
# allow-list so that a toolkit upgrade adds nothing unseen. Not its client and token management
# pages (``applications/``, ``authorized_tokens/``): they let any signed-in user register a client,
# past the back-office's checks and audit (ADR 0133); nor the device grant, which we do not offer.
DOT_SERVED_ROUTES = frozenset({
    "oauth-server-metadata", "oauth-server-metadata-issuer", "oauth-resource-metadata",
    "oauth-resource-metadata-path", "authorize", "token", "revoke-token", "introspect",
    "oidc-connect-discovery-info", "jwks-info", "user-info", "rp-initiated-logout",
})
dot_protocol_urlpatterns = [route for route in dot_urls.urlpatterns if route.name in DOT_SERVED_ROUTES]

# The OIDC provider under /o/ with our authorization, token, introspection, revocation and
# discovery views first.
oidc_urlpatterns = [
    path("o/authorize/", oidc_views.SatupintuAuthorizationView.as_view(), name="authorize"),
    path("o/token/", oidc_views.SatupintuTokenView.as_view(), name="token"),
    path("o/introspect/", oidc_views.SatupintuIntrospectTokenView.as_view(), name="introspect"),
    path("o/revoke_token/", oidc_views.SatupintuRevokeTokenView.as_view(), name="revoke-token"),
    path("o/userinfo/", oidc_views.SatupintuUserInfoView.as_view(), name="user-info"),
    path("o/.well-known/openid-configuration", oidc_views.SatupintuDiscoveryView.as_view(), name="discovery"),
    path("o/logout/", oidc_views.SatupintuLogoutView.as_view(), name="oidc-logout"),
    path("o/.well-known/oauth-authorization-server", oidc_views.SatupintuServerMetadataView.as_view(),
         name="oidc-server-metadata"),
    path("o/", include((dot_protocol_urlpatterns, "oauth2_provider"), namespace="oauth2_provider")),
    # GovStack Identity building block aliases (Identity-Provider.yaml).
    path("authorize", oidc_views.SatupintuAuthorizationView.as_view(), name="gs-authorize"),
    path("oauth/token", oidc_views.SatupintuTokenView.as_view(), name="gs-token"),
    path("oidc/userinfo", oidc_views.GovStackUserInfoView.as_view(), name="gs-userinfo"),
    path(".well-known/jwks.json", dot_views.JwksInfoView.as_view(), name="gs-jwks"),
    path(".well-known/openid-configuration", oidc_views.SatupintuDiscoveryView.as_view(), name="gs-discovery"),
]

urlpatterns = [path("akun/", include(account_urlpatterns))]
