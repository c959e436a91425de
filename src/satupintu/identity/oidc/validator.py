"""The one customisation point of django-oauth-toolkit: :class:`SatupintuValidator`.

What it adds to DOT's ``OAuth2Validator`` (each rule's source in the method's docstring):
scope caps per client (``nik`` only for allowed clients), pairwise ``sub`` per client sector,
``acr``/``auth_time`` of the sign-in carried into every ID token of the grant, revocation of the
tokens issued from an authorization code that is presented again, the token request's
``redirect_uri`` when the authorization request had one (RFC 6749 §4.1.3), scopes counted once
(§3.3), ``private_key_jwt`` client authentication (RFC 7523 §2.2, OIDC Core §9) and our claims
(OIDC Core §5.1, ``nik``).
"""

from __future__ import annotations

import base64
import contextvars
import hashlib
import hmac
import time
from typing import Any
from urllib.parse import urljoin

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from oauth2_provider import cimd
from oauth2_provider.models import AccessToken, RefreshToken
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauthlib.oauth2.rfc6749 import errors

from satupintu.identity.crypto import _index_key
from satupintu.identity.models import Address, RelyingParty, SignInContext
from satupintu.identity.oidc.clients import client_by_id

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
# The JWS algorithms a private_key_jwt client assertion may be signed with (RFC 7523 §3; asymmetric
# only, never ``none`` or HS*). The one list: the check below and discovery's
# ``token_endpoint_auth_signing_alg_values_supported`` (RFC 8414 §2) both read it.
CLIENT_ASSERTION_SIGNING_ALGS: tuple[str, ...] = ("RS256", "PS256", "ES256")

# The access tokens saved while the token view (``SatupintuTokenView``) handles one request: it sets a
# fresh list here, the validator appends each AccessToken it creates, so the view can send DOT's
# ``app_authorized`` signal without reading the token back from the database.
issued_access_tokens: contextvars.ContextVar[list[AccessToken] | None] = contextvars.ContextVar(
    "issued_access_tokens", default=None)

# The clients authenticated by their own credentials while the introspection view
# (``SatupintuIntrospectTokenView``) authenticates its caller: DOT's ``authenticate_client`` only
# answers yes or no, and the view must know *which* client it was to check ``may_introspect``.
authenticated_clients: contextvars.ContextVar[list[Any] | None] = contextvars.ContextVar(
    "authenticated_clients", default=None)


def _checksum(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def relying_party(application: Any) -> RelyingParty | None:
    """The platform settings of a DOT application (``None`` if not registered with any)."""
    if application is None:
        return None
    try:
        return application.relying_party
    except RelyingParty.DoesNotExist:
        return None


def client_disabled(application: Any) -> bool:
    """Whether a platform admin disabled this client (``RelyingParty.active`` off, ADR 0117).
    A client without relying-party settings is not disabled."""
    rp = relying_party(application)
    return rp is not None and not rp.active


def client_may_introspect(application: Any) -> bool:
    """Whether this client, authenticated with its own credentials, may ask the introspection
    endpoint about tokens (``RelyingParty.may_introspect``, set by a platform admin; ADR 0135).
    RFC 7662 §4: the server decides which protected resources may introspect. A client without
    relying-party settings, or a disabled one, may not."""
    rp = relying_party(application)
    return rp is not None and rp.active and rp.may_introspect


def pairwise_sub(user_pk: Any, application: Any) -> str:
    """OIDC Core §8.1: ``sub`` = base64url(HMAC-SHA-256(key, sector || user id)). Clients of
    the same ``sector`` share it; ``public_sub`` clients get the account id."""
    rp = relying_party(application)
    if rp is not None and rp.public_sub:
        return str(user_pk)
    sector = (rp.sector if rp is not None and rp.sector else f"client:{application.client_id}")
    digest = hmac.new(_index_key(), f"pairwise-sub|{sector}|{user_pk}".encode(),
                      hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


class SatupintuValidator(OAuth2Validator):
    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "nik": "nik"}

    # --- client loading ---------------------------------------------------------------------
    def _load_application(self, client_id: str, request: Any) -> Any:
        """DOT's client lookup (sets ``request.client``; ``None`` = ``invalid_client``), served from
        the per-process client cache (ADR 0111, :mod:`satupintu.identity.oidc.clients`) with DOT's own
        checks (``cimd.refresh_if_stale``, ``is_usable``) on every request. A client already on the
        request and an id not in the database (e.g. a Client ID Metadata Document URL) go to DOT.
        A client id with a NUL byte matches no client without asking the database: PostgreSQL
        cannot bind it and psycopg 3 raises DataError, which DOT (expecting psycopg 2's
        ValueError) would turn into a 500. A disabled client (:func:`client_disabled`) is no client:
        ``invalid_client`` at the token endpoint, the error page at the authorization endpoint."""
        if isinstance(client_id, str) and "\x00" in client_id:
            request.client = None
            return None
        if request.client or not isinstance(client_id, str):
            return super()._load_application(client_id, request)
        client = client_by_id(client_id)
        if client is None:
            return super()._load_application(client_id, request)
        if client_disabled(client):
            return None
        client = cimd.refresh_if_stale(client, request=request)
        if not client.is_usable(request):
            return None
        request.client = client
        return client

    def validate_bearer_token(self, token: str, scopes: list[str], request: Any) -> bool:
        """DOT's check of a bearer token (userinfo, our APIs), refusing a token of a disabled
        client (ADR 0117; read through the client cache, no extra query)."""
        if not super().validate_bearer_token(token, scopes, request):
            return False
        application = getattr(getattr(request, "access_token", None), "application", None)
        if application is not None and client_disabled(client_by_id(application.client_id)):
            # As DOT answers for a client that is not ``is_usable`` (RFC 6750 §3.1 invalid_token).
            request.client = request.user = request.access_token = None
            request.oauth2_error = {"error": "invalid_token", "error_description": "The access token is invalid."}
            return False
        return True

    # --- scopes -----------------------------------------------------------------------------
    def validate_scopes(self, client_id: str, scopes: list[str], client: Any, request: Any, *args: Any,
                        **kwargs: Any) -> bool:
        """RFC 6749 §3.3: the requested scopes must be known and within the client's allowed
        scopes; ``nik`` additionally needs ``allow_nik``. Otherwise ``invalid_scope``.

        A scope named more than once counts once: ``scopes`` (oauthlib's ``request.scopes``, the
        list the consent screen, the code and the token are made from) is deduplicated in place,
        first occurrence first, so a parameter repeating a scope thousands of times is not stored
        or shown as sent (§3.3: the value is a *set* of scopes; order carries no meaning)."""
        if isinstance(scopes, list):  # oauthlib's request.scopes; anything else is left as given
            scopes[:] = dict.fromkeys(scopes)
        if not super().validate_scopes(client_id, scopes, client, request, *args, **kwargs):
            return False
        rp = relying_party(client)
        allowed = rp.scope_set() if rp is not None else {"openid", "profile", "email"}
        if rp is None or not rp.allow_nik:
            allowed.discard("nik")
        return set(scopes) <= allowed

    # --- prompt=none (OIDC Core §3.1.2.1) ----------------------------------------------------
    def validate_silent_login(self, request: Any) -> bool:
        """The session check is done before oauthlib runs: DOT answers ``login_required`` for an
        anonymous ``prompt=none`` request, so reaching here means a session exists."""
        return True

    def validate_silent_authorization(self, request: Any) -> bool:
        """Consent is checked by :class:`SatupintuAuthorizationView` (``consent_required``),
        which knows the remembered consents; oauthlib's hook has no user here."""
        return True

    # --- client authentication: private_key_jwt ---------------------------------------------
    def authenticate_client(self, request: Any, *args: Any, **kwargs: Any) -> bool:
        """``client_secret_basic`` (DOT) or ``private_key_jwt``: a JWT signed by a key in the
        client's registered JWKS with ``iss`` = ``sub`` = client id, ``aud`` = the token
        endpoint, the endpoint it was sent to (absolute URL) or the issuer, unexpired, ``jti``
        single-use (RFC 7523 §3, OIDC Core §9).
        Raises ``InvalidRequestError`` (``invalid_request``) when a ``client_id`` parameter names
        another client than the authenticated one."""
        params = dict(request.decoded_body or [])
        if params.get("client_assertion_type") == JWT_BEARER and params.get("client_assertion"):
            authenticated = self._authenticate_private_key_jwt(request, params["client_assertion"],
                                                               params.get("client_id"))
        else:
            authenticated = super().authenticate_client(request, *args, **kwargs)
            if authenticated and request.client_id and request.client_id != request.client.client_id:
                # A ``client_id`` parameter naming another client than the Basic credentials: a malformed
                # request (RFC 6749 §5.2), where oauthlib would answer ``server_error`` or ignore it.
                raise errors.InvalidRequestError(
                    description="The client_id parameter differs from the client_id of the client's credentials.",
                    request=request)
        seen = authenticated_clients.get()
        if authenticated and seen is not None:
            seen.append(request.client)
        return authenticated

    def _authenticate_private_key_jwt(self, request: Any, assertion: str, client_id: str | None) -> bool:
        import json

        from jwcrypto import jwk, jwt

        try:
            unverified = jwt.JWT(jwt=assertion)
            claims = json.loads(unverified.token.objects["payload"].decode("utf-8"))
            issuer = str(claims.get("iss", ""))
        except Exception:  # noqa: BLE001 - malformed assertion = failed authentication
            return False
        if not issuer or (client_id and client_id != issuer):
            return False
        application = client_by_id(issuer) if "\x00" not in issuer else None
        rp = relying_party(application)
        if application is None or rp is None or not rp.jwks or not rp.active:
            return False
        issuer_url = self.get_oidc_issuer_endpoint(request)
        # The endpoint the assertion was sent to, as an absolute URL: django-oauth-toolkit hands
        # oauthlib the path only (``get_full_path``), which is no audience (RFC 7523 §3: it
        # identifies the server) and made an assertion for the introspection URL fail.
        endpoint = urljoin(issuer_url, request.uri.split("?")[0])
        audiences = {issuer_url, issuer_url.rstrip("/") + "/token/", endpoint}
        try:
            keys = jwk.JWKSet.from_json(json.dumps(rp.jwks))
            token = jwt.JWT(jwt=assertion, key=keys, algs=list(CLIENT_ASSERTION_SIGNING_ALGS),
                            check_claims={"iss": issuer, "sub": issuer, "exp": None})
            verified = json.loads(token.claims)
        except Exception:  # noqa: BLE001 - bad signature, expired, wrong claims
            return False
        aud = verified.get("aud")
        aud_list = aud if isinstance(aud, list) else [aud]
        if not audiences.intersection(str(a) for a in aud_list):
            return False
        jti = str(verified.get("jti", ""))
        lifetime = max(1, int(verified["exp"]) - int(time.time())) + 60
        if not jti or not cache.add(f"sp:pkjwt:{issuer}:{_checksum(jti)}", 1, timeout=lifetime):
            return False  # replayed assertion
        request.client = application
        request.client_id = issuer
        return True

    # --- sign-in context: acr and auth_time, code reuse --------------------------------------
    def save_authorization_code(self, client_id: str, code: dict[str, Any], request: Any, *args: Any,
                                **kwargs: Any) -> None:
        super().save_authorization_code(client_id, code, request, *args, **kwargs)
        user = request.user
        SignInContext.objects.create(
            key="code:" + _checksum(code["code"]), acr=getattr(user, "_sp_acr", "loa1"),
            auth_time=getattr(user, "_sp_auth_time", None) or timezone.now(),
            redirect_uri_sent=getattr(user, "_sp_redirect_uri_sent", True),
        )

    def confirm_redirect_uri(self, client_id: str, code: str, redirect_uri: str, client: Any, request: Any,
                             *args: Any, **kwargs: Any) -> bool:
        """RFC 6749 §4.1.3: ``redirect_uri`` is REQUIRED at the token endpoint if the authorization
        request included it, and the values MUST be identical. oauthlib fills an omitted one with
        the client's default URI (and DOT then compares it with the code's), so an omitted value
        passed whenever the authorization request had named the default URI. Both a missing and a
        different value are ``invalid_grant`` (RFC 6749 §5.2: "does not match the redirection URI
        used in the authorization request"; oauthlib would say ``invalid_request`` for the latter)."""
        ctx = getattr(request, "sp_code_context", None)
        if request.using_default_redirect_uri and (ctx is None or ctx.redirect_uri_sent):
            raise errors.InvalidGrantError(
                description="The redirect_uri parameter is missing: the authorization request included it.",
                request=request)
        if not super().confirm_redirect_uri(client_id, code, redirect_uri, client, request, *args, **kwargs):
            raise errors.InvalidGrantError(
                description="The redirect_uri differs from the one in the authorization request.", request=request)
        return True

    def validate_code(self, client_id: str, code: str, client: Any, request: Any, *args: Any, **kwargs: Any) -> bool:
        """RFC 6749 §4.1.2: a code presented twice is refused and the tokens issued from it
        are revoked (access token and its refresh-token family)."""
        ok = super().validate_code(client_id, code, client, request, *args, **kwargs)
        ctx = SignInContext.objects.filter(key="code:" + _checksum(code)).first()
        if ok and ctx is not None and not ctx.used:
            request.sp_acr, request.sp_auth_time = ctx.acr, ctx.auth_time
            request.sp_code_context = ctx
            return True
        if ctx is not None and ctx.used:
            self._revoke_reused_code(ctx, client)
        return False

    @transaction.atomic
    def _revoke_reused_code(self, ctx: SignInContext, client: Any) -> None:
        from satupintu.audit.actions import record
        from satupintu.core.principal import Principal

        if ctx.access_token_checksum:
            AccessToken.objects.filter(token_checksum=ctx.access_token_checksum).delete()
        if ctx.token_family:
            RefreshToken.revoke_family(ctx.token_family)
        record(actor=Principal(kind="system", id=str(client.client_id) if client else "?"),
               action="oidc.code_reuse_detected",
               target=("oauth2_provider.application", str(getattr(client, "pk", ""))))

    def validate_refresh_token(self, refresh_token: str, client: Any, request: Any, *args: Any, **kwargs: Any) -> bool:
        """RFC 6749 §6 and RFC 9700 §4.14.2: rotated refresh tokens; reusing an old one revokes
        the whole family (DOT ``REFRESH_TOKEN_REUSE_PROTECTION``) and is audited."""
        ok = super().validate_refresh_token(refresh_token, client, request, *args, **kwargs)
        rt = getattr(request, "refresh_token_instance", None)
        if not ok:
            old = RefreshToken.objects.filter(token_checksum=_checksum(refresh_token)).first()
            if old is not None and old.revoked is not None and old.token_family:
                from satupintu.audit.actions import record
                from satupintu.core.principal import Principal

                record(actor=Principal(kind="system", id=str(client.client_id) if client else "?"),
                       action="oidc.refresh_reuse_detected", target=("oauth2_provider.refreshtoken", str(old.pk)))
            return False
        if rt is not None and rt.token_family:
            ctx = SignInContext.objects.filter(key=f"family:{rt.token_family}").first()
            if ctx is not None:
                request.sp_acr, request.sp_auth_time = ctx.acr, ctx.auth_time
        return True

    def save_bearer_token(self, token: dict[str, Any], request: Any, *args: Any, **kwargs: Any) -> Any:
        """DOT's, in its transaction; except that a client-credentials grant, whose only write is one
        ``INSERT`` of the access token (no refresh token, RFC 6749 §4.4.3), saves it without an
        enclosing transaction: one statement is atomic by itself, and BEGIN/COMMIT would cost two
        more round trips to PostgreSQL per grant (ADR 0112). A scope repeated in the token's
        ``scope`` (a refresh request's ``scope`` parameter is not passed through
        :meth:`validate_scopes`) is kept once, in the stored token and in the answer."""
        if token.get("scope"):
            token["scope"] = " ".join(dict.fromkeys(token["scope"].split()))
        try:
            if request.grant_type == "client_credentials" and not token.get("refresh_token"):
                return self._save_bearer_token(token, request, *args, **kwargs)
            result = super().save_bearer_token(token, request, *args, **kwargs)
        except IntegrityError:
            # The client was deleted a moment ago and this process still had it in its cache
            # (without a shared cache the change arrives within the TTL, ADR 0111): its token
            # cannot reference it any more, so it is an unknown client.
            raise errors.InvalidClientError() from None
        ctx = getattr(request, "sp_code_context", None)
        if ctx is not None:
            family = None
            if token.get("refresh_token"):
                rt = RefreshToken.objects.filter(token_checksum=_checksum(token["refresh_token"])).first()
                family = rt.token_family if rt is not None else None
            SignInContext.objects.filter(pk=ctx.pk).update(
                used=True, access_token_checksum=_checksum(token["access_token"]), token_family=family)
            if family:
                SignInContext.objects.create(key=f"family:{family}", acr=ctx.acr, auth_time=ctx.auth_time)
        return result

    def _create_access_token(self, expires: Any, request: Any, token: dict[str, Any],
                             source_refresh_token: Any = None) -> AccessToken:
        """DOT's, and remembers the saved token for the token view (``issued_access_tokens``)."""
        access_token = super()._create_access_token(expires, request, token, source_refresh_token)
        issued = issued_access_tokens.get()
        if issued is not None:
            issued.append(access_token)
        return access_token

    # --- claims ------------------------------------------------------------------------------
    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        """Standard claims (OIDC Core §5.1) by scope, and ``nik`` for clients allowed it."""
        user = request.user
        claims: dict[str, Any] = {
            "name": user.full_name,
            "birthdate": user.birth_date.isoformat() if user.birth_date else None,
            "gender": {"M": "male", "F": "female"}.get(user.sex),
            "locale": "id-ID",
            "email": user.email,
            "email_verified": (user.emailaddress_set.filter(email=user.email, verified=True).exists()
                               if user.email else None),
        }
        if user.phone:
            claims["phone_number"] = user.phone
            claims["phone_number_verified"] = bool(user.phone_verified)
        if "address" in (request.scopes or ()):
            address = Address.objects.filter(user=user).first()
            if address is not None:
                claims["address"] = address.claim()
        rp = relying_party(request.client)
        if rp is not None and rp.allow_nik and user.nik_ciphertext:
            claims["nik"] = user.nik()
        return {k: v for k, v in claims.items() if v is not None}

    def validate_user(self, username: str, password: str, client: Any, request: Any, *args: Any,
                      **kwargs: Any) -> bool:
        """The resource owner password credentials grant is not offered (RFC 9700 §2.4: it MUST NOT
        be used). oauthlib checks the password *before* the client's grant type, so without this any
        client could guess citizens' passwords here, past the sign-in page's rate limits and second
        factor: refuse before looking at the password (``unsupported_grant_type``)."""
        raise errors.UnsupportedGrantTypeError(
            description="The password grant is not offered; use the authorization code flow.")

    def get_userinfo_claims(self, request: Any) -> Any:
        """OIDC Core §5.3: the claims of the user the access token was issued to. A token with no
        user (client credentials: an agency system, not a person) is ``invalid_token`` for this
        endpoint (RFC 6750 §3.1, 401), not a server error."""
        if getattr(request, "user", None) is None:
            raise errors.InvalidTokenError(
                description="The access token was not issued to a user (client credentials).")
        return super().get_userinfo_claims(request)

    def get_claim_dict(self, request: Any) -> dict[str, Any]:
        claims = super().get_claim_dict(request)
        claims["sub"] = pairwise_sub(request.user.pk, request.client)
        return claims

    def get_discovery_claims(self, request: Any) -> list[str]:
        return ["sub", "name", "birthdate", "gender", "locale", "email", "email_verified", "phone_number",
                "phone_number_verified", "address", "nik", "acr", "auth_time"]

    def get_id_token_dictionary(self, token: Any, token_handler: Any, request: Any) -> Any:
        """Adds ``acr`` (``loa1``/``loa2``) and the real ``auth_time`` of the sign-in
        (OIDC Core §2) to DOT's claims."""
        claims, expiration = super().get_id_token_dictionary(token, token_handler, request)
        auth_time = getattr(request, "sp_auth_time", None)
        if auth_time is not None:
            claims["auth_time"] = int(auth_time.timestamp())
        claims["acr"] = getattr(request, "sp_acr", "loa1")
        return claims, expiration
