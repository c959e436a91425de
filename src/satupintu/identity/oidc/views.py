"""Thin subclasses of django-oauth-toolkit's views where the protocol needs session facts DOT
cannot see: levels of assurance (``acr_values``, client's required LoA), ``max_age``,
remembered consent, ``prompt=none`` with a session, and discovery metadata.

Protocol parsing and validation stay in DOT/oauthlib (``validate_authorization_request``).
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.debug import sensitive_post_parameters
from oauth2_provider.exceptions import OAuthToolkitError
from oauth2_provider.models import get_access_token_model, get_application_model
from oauth2_provider.signals import app_authorized
from oauth2_provider.views import (
    AuthorizationView,
    ConnectDiscoveryInfoView,
    IntrospectTokenView,
    TokenView,
    UserInfoView,
)
from oauthlib.oauth2.rfc6749 import errors

from satupintu.identity.loa import LOA_ORDER, current_loa, last_authenticated_at, satisfies, step_up_url
from satupintu.identity.models import Consent
from satupintu.identity.oidc.validator import issued_access_tokens, relying_party

MAX_STATE = 512  # characters; longer values are refused (invalid_request), not truncated
PENDING_REDIRECT_KEY = "satupintu_oidc_redirect_origin"
PENDING_REDIRECT_SECONDS = 900  # how long a started authorization may take (sign-in, second factor, consent)


def remember_redirect_origin(request: HttpRequest) -> None:
    """Remember, in the session, the origin of the registered redirect URI of the authorization
    request in ``request.GET`` (``client_id``, ``redirect_uri`` — or the client's only URI).

    Why: the sign-in, second-factor and consent forms end in a redirect to the relying party,
    and browsers apply CSP ``form-action`` to every redirect of a form submission (CSP 3
    §6.4.1), so those pages must allow that one origin (:func:`pending_redirect_origin`, used by
    :class:`~satupintu.identity.middleware.AuthorizationFormActionMiddleware`). Nothing is
    remembered for an unknown client or an unregistered redirect URI (DOT refuses those anyway)."""
    client_id = request.GET.get("client_id", "")
    application = get_application_model().objects.filter(client_id=client_id).first() if client_id else None
    if application is None:
        return
    uri = request.GET.get("redirect_uri", "") or application.default_redirect_uri
    if not uri or not application.redirect_uri_allowed(uri):
        return
    parts = urlsplit(uri)
    if parts.scheme in ("http", "https") and parts.netloc:
        request.session[PENDING_REDIRECT_KEY] = {"origin": f"{parts.scheme}://{parts.netloc}",
                                                 "until": time.time() + PENDING_REDIRECT_SECONDS}


def pending_redirect_origin(request: HttpRequest) -> str:
    """The relying party's origin remembered by :func:`remember_redirect_origin` while that
    authorization is still fresh, else ``""``."""
    session = getattr(request, "session", None)
    pending = session.get(PENDING_REDIRECT_KEY) if session is not None else None
    if isinstance(pending, dict) and float(pending.get("until", 0)) > time.time():
        return str(pending.get("origin", ""))
    return ""


class SatupintuAuthorizationView(AuthorizationView):
    """``GET /o/authorize/`` (alias ``/authorize``): RFC 6749 §4.1.1, OIDC Core §3.1.2.

    After DOT validates the request (invalid client or redirect_uri → error page, never a
    redirect: RFC 6749 §4.1.2.1), this view enforces, in order: ``state`` ≤ 512 characters
    (``invalid_request``); ``max_age`` (older sign-in → sign in again, OIDC Core §3.1.2.1);
    the level of assurance = max(``acr_values``, client's required LoA) — below it the
    session is stepped up, or ``interaction_required`` for ``prompt=none``; remembered consent
    covering the scopes → no consent screen unless ``prompt=consent`` (``consent_required``
    for ``prompt=none``).
    """

    template_name = "identity/authorize.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "GET":  # before the sign-in redirect, so the sign-in pages know the origin too
            remember_redirect_origin(request)
        return super().dispatch(request, *args, **kwargs)

    def validate_authorization_request(self, request: HttpRequest) -> Any:
        scopes, credentials = super().validate_authorization_request(request)
        state = credentials.get("state") or ""
        if len(state) > MAX_STATE:
            error = errors.InvalidRequestError(description=f"state is longer than {MAX_STATE} characters")
            error.redirect_uri = credentials["redirect_uri"]
            raise OAuthToolkitError(error=error, redirect_uri=credentials["redirect_uri"])
        return scopes, credentials

    def _error_redirect(self, credentials: dict[str, Any], error: str, application: Any) -> HttpResponse:
        params = {"error": error}
        if credentials.get("state"):
            params["state"] = credentials["state"]
        uri = credentials["redirect_uri"]
        return self.redirect(uri + ("&" if "?" in uri else "?") + urlencode(params), application)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            scopes, credentials = self.validate_authorization_request(request)
        except OAuthToolkitError as error:
            return self.error_response(error, application=None)
        application = get_application_model().objects.get(client_id=credentials["client_id"])
        prompt = set(request.GET.get("prompt", "").split())
        user: Any = request.user
        if "login" in prompt:
            return self._reauthenticate(request, drop_prompt=True)
        auth_at = last_authenticated_at(request, user) or 0.0
        max_age = request.GET.get("max_age", "")
        if max_age.isdigit() and time.time() - auth_at > int(max_age):
            if "none" in prompt:
                return self._error_redirect(credentials, "login_required", application)
            return self._reauthenticate(request)
        rp = relying_party(application)
        wanted = [v for v in request.GET.get("acr_values", "").split() if v in LOA_ORDER]
        required = max([*(wanted[:1]), rp.required_loa if rp else "loa1"], key=lambda v: LOA_ORDER[v])
        loa = current_loa(request, user)
        if not satisfies(loa, required):
            if "none" in prompt:
                return self._error_redirect(credentials, "interaction_required", application)
            return HttpResponseRedirect(step_up_url(request, request.get_full_path()))
        user._sp_acr = loa  # read by the validator (save_authorization_code)
        user._sp_auth_time = _as_datetime(auth_at)
        consent = Consent.objects.filter(user=user, application=application).first()
        if consent is not None and consent.covers(set(scopes)) and "consent" not in prompt:
            try:
                uri, _h, _b, _s = self.create_authorization_response(
                    request=request, scopes=" ".join(scopes), credentials=credentials, allow=True)
            except OAuthToolkitError as error:
                return self.error_response(error, application)
            return self.redirect(uri, application)
        if "none" in prompt:
            return self._error_redirect(credentials, "consent_required", application)
        return super().get(request, *args, **kwargs)

    def _reauthenticate(self, request: HttpRequest, *, drop_prompt: bool = False) -> HttpResponse:
        """``prompt=login`` / ``max_age`` exceeded: authenticate again now (allauth's
        re-authentication, second factor if the account has one), then come back here.
        The new authentication time becomes the ID token's ``auth_time``."""
        from allauth.mfa.utils import is_mfa_enabled
        from django.urls import reverse

        query = request.GET.copy()
        if drop_prompt:
            query.pop("prompt", None)
        back = request.path + "?" + query.urlencode()
        target = "mfa_reauthenticate" if is_mfa_enabled(request.user) else "account_reauthenticate"
        return HttpResponseRedirect(reverse(target) + "?" + urlencode({"next": back}))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        application = context.get("application")
        context["relying_party"] = relying_party(application) if application is not None else None
        if "address" in (context.get("scopes") or []) and self.request.user.is_authenticated:
            from satupintu.identity.models import Address

            # The consent screen shows the address the client would receive (or that none is stored).
            context["address"] = Address.objects.filter(user=self.request.user).first()
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        from satupintu.identity.actions import consent_grant

        user: Any = self.request.user
        user._sp_acr = current_loa(self.request, user)
        user._sp_auth_time = _as_datetime(last_authenticated_at(self.request, user))
        response = super().form_valid(form)
        if form.cleaned_data.get("allow") and response.status_code in (301, 302):
            application = get_application_model().objects.filter(client_id=form.cleaned_data["client_id"]).first()
            location = response.get("Location", "")
            if application is not None and "code=" in location:
                consent_grant(user=user, application=application,
                              scopes=set(form.cleaned_data.get("scope", "").split()), request=self.request)
        return response


def _as_datetime(ts: float | None) -> Any:
    import datetime as dt

    return dt.datetime.fromtimestamp(ts, tz=dt.UTC) if ts else None


class SatupintuTokenView(TokenView):
    """``POST /o/token/`` (alias ``/oauth/token``): DOT's token endpoint (RFC 6749 §3.2, §5; all
    grant handling in DOT/oauthlib), except that DOT's ``app_authorized`` signal gets the
    ``AccessToken`` the validator has just saved instead of one read back by checksum (one SQL
    round trip less per grant). If the issued token is not among those saved in this request
    (e.g. a refresh answered with an existing token), it is read back exactly as DOT does."""

    @method_decorator(sensitive_post_parameters("password", "client_secret"))
    def authorization_flow_token_response(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        issued: list[Any] = []
        reset = issued_access_tokens.set(issued)
        try:
            _url, headers, body, status = self.create_token_response(request)
        finally:
            issued_access_tokens.reset(reset)
        if status == 200:
            access_token = json.loads(body).get("access_token")
            if access_token is not None:
                checksum = hashlib.sha256(access_token.encode("utf-8")).hexdigest()
                token = next((t for t in issued if t.token_checksum == checksum), None)
                if token is None:
                    token = get_access_token_model().objects.get(token_checksum=checksum)
                app_authorized.send(sender=self, request=request, token=token)
        response = HttpResponse(content=body, status=status)
        for name, value in headers.items():
            response[name] = value
        return response


class SatupintuIntrospectTokenView(IntrospectTokenView):
    """``POST /o/introspect/`` (RFC 7662): DOT's introspection endpoint, except for the answer to a
    caller that fails authentication, which DOT gives as a bare ``403``. RFC 7662 §2.3: a caller
    authenticating with client credentials gets ``401`` with ``invalid_client`` (RFC 6749 §5.2) and a
    ``WWW-Authenticate: Basic`` challenge; one using a bearer token gets ``401`` with a ``Bearer``
    challenge (RFC 6750 §3; ``403`` when the token lacks the ``introspection`` scope)."""

    def unauthenticated_response(self, request: HttpRequest, oauthlib_request: Any = None) -> HttpResponse:
        from oauth2_provider.www_authenticate import build_bearer_challenge, challenge_status

        scheme = request.headers.get("Authorization", "").partition(" ")[0].lower()
        if scheme == "bearer":
            oauth2_error = getattr(oauthlib_request, "oauth2_error", None) or {"error": "invalid_token"}
            response = JsonResponse(oauth2_error, status=challenge_status(oauth2_error))
            response["WWW-Authenticate"] = build_bearer_challenge(request, oauth2_error=oauth2_error,
                                                                  realm="satupintu", resource_metadata_url=None)
        else:
            response = JsonResponse({"error": "invalid_client",
                                     "error_description": "Client authentication failed."}, status=401)
            response["WWW-Authenticate"] = 'Basic realm="satupintu"'
        response["Cache-Control"] = "no-store"
        return response


class SatupintuDiscoveryView(ConnectDiscoveryInfoView):
    """``GET /.well-known/openid-configuration`` (OIDC Discovery §4, RFC 8414): DOT's document
    plus what DOT does not know about: supported ``acr_values``, PKCE method ``S256`` only,
    revocation and introspection endpoints, claims and the ``nik`` scope."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        data = json.loads(response.content)
        issuer = data["issuer"].rstrip("/")
        data.update({
            "acr_values_supported": ["loa1", "loa2"],
            "code_challenge_methods_supported": ["S256"],
            "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
            "revocation_endpoint": issuer + "/revoke_token/",
            "introspection_endpoint": issuer + "/introspect/",
            "prompt_values_supported": ["none", "login", "consent"],
            "claims_parameter_supported": False,
            "request_parameter_supported": False,
            "authorization_response_iss_parameter_supported": True,
            "ui_locales_supported": ["id", "en"],
        })
        out = JsonResponse(data)
        out["Access-Control-Allow-Origin"] = "*"
        return out


class GovStackUserInfoView(View):
    """``GET /oidc/userinfo`` (GovStack Identity BB, Identity-Provider.yaml): the same claims as
    ``/o/userinfo/`` (DOT: bearer token checked there, 401 ``invalid_token`` otherwise), answered as
    ``application/jwt``: signed with the provider's RS256 key (OIDC Core §5.3.2) and, when the
    client registered public keys (``RelyingParty.jwks``), encrypted to its first RSA key
    (RSA-OAEP-256 / A256GCM) as a nested JWT, as the building block specifies."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from jwcrypto import jwk, jwt
        from oauth2_provider.settings import oauth2_settings

        response = UserInfoView.as_view()(request, *args, **kwargs)
        if response.status_code != 200:
            return response
        claims = json.loads(response.content)
        bearer = request.headers.get("Authorization", "").split(" ", 1)[-1]
        token = get_access_token_model().objects.select_related("application").filter(
            token_checksum=hashlib.sha256(bearer.encode()).hexdigest()).first()
        application = token.application if token is not None else None
        claims.update({"iss": oauth2_settings.oidc_issuer(request),
                       "aud": application.client_id if application is not None else ""})
        key = jwk.JWK.from_pem(oauth2_settings.OIDC_RSA_PRIVATE_KEY.encode())
        signed = jwt.JWT(header={"alg": "RS256", "kid": key.thumbprint(), "typ": "JWT"}, claims=claims)
        signed.make_signed_token(key)
        body = signed.serialize()
        rp = relying_party(application)
        if rp is not None and rp.jwks:
            keys = [k for k in rp.jwks.get("keys", []) if k.get("kty") == "RSA" and k.get("use", "enc") == "enc"]
            if keys:
                encrypted = jwt.JWT(header={"alg": "RSA-OAEP-256", "enc": "A256GCM", "cty": "JWT"}, claims=body)
                encrypted.make_encrypted_token(jwk.JWK(**keys[0]))
                body = encrypted.serialize()
        out = HttpResponse(body, content_type="application/jwt")
        out["Cache-Control"] = "no-store"
        return out
