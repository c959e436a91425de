"""Thin subclasses of django-oauth-toolkit's views where the protocol needs session facts DOT
cannot see: levels of assurance (``acr_values``, client's required LoA), ``max_age``,
remembered consent, ``prompt=none`` with a session, and discovery metadata.

Protocol parsing and validation stay in DOT/oauthlib (``validate_authorization_request``).
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

from django import forms
from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from oauth2_provider.compat import login_not_required
from oauth2_provider.exceptions import FatalClientError, InvalidOIDCClientError, OAuthToolkitError, OIDCError
from oauth2_provider.forms import AllowForm
from oauth2_provider.models import get_access_token_model, get_application_model
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.signals import app_authorized
from oauth2_provider.views import (
    AuthorizationView,
    ConnectDiscoveryInfoView,
    IntrospectTokenView,
    OAuthServerMetadataView,
    RevokeTokenView,
    RPInitiatedLogoutView,
    TokenView,
    UserInfoView,
)
from oauthlib.oauth2.rfc6749 import errors
from oauthlib.openid.connect.core import exceptions as oidc_errors

from satupintu.identity.loa import LOA_ORDER, current_loa, last_authenticated_at, satisfies, step_up_redirect
from satupintu.identity.models import Consent
from satupintu.identity.oidc.clients import client_by_id
from satupintu.identity.oidc.validator import (
    CLIENT_ASSERTION_SIGNING_ALGS,
    authenticated_clients,
    client_disabled,
    client_may_introspect,
    issued_access_tokens,
    relying_party,
)

# The grants of the token endpoint, as both discovery documents list them (RFC 8414 §2).
GRANT_TYPES_SUPPORTED = ["authorization_code", "refresh_token", "client_credentials"]
DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
MAX_STATE = 512  # characters; longer values are refused (invalid_request), not truncated
CODE_CHALLENGE = re.compile(r"[A-Za-z0-9\-._~]{43,128}")  # RFC 7636 §4.2 (ASCII only, no re.UNICODE classes)
PENDING_REDIRECT_KEY = "satupintu_oidc_redirect_origin"
PENDING_REDIRECT_SECONDS = 900  # how long a started authorization may take (sign-in, second factor, consent)


def remember_redirect_origin(request: HttpRequest) -> None:
    """Remember, in the session, the origin of the registered redirect URI of the authorization
    request in ``request.GET`` (``client_id``, ``redirect_uri`` — or the client's only URI).

    Why: the sign-in, second-factor and consent forms end in a redirect to the relying party,
    and browsers apply CSP ``form-action`` to every redirect of a form submission (CSP 3
    §6.4.1), so those pages must allow that one origin (:func:`pending_redirect_origin`, used by
    :class:`~satupintu.identity.middleware.AuthorizationFormActionMiddleware`). Nothing is
    remembered for an unknown or disabled client or an unregistered redirect URI (DOT refuses
    those anyway)."""
    client_id = request.GET.get("client_id", "")
    application = client_by_id(client_id) if client_id and "\x00" not in client_id else None
    if application is None or client_disabled(application):
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


class AuthorizationForm(AllowForm):
    """DOT's consent form, plus whether the authorization request carried ``redirect_uri``: the
    form's ``redirect_uri`` is always filled (oauthlib puts in the client's default URI), and the
    token request must repeat the parameter only if the client sent it (RFC 6749 §4.1.3)."""

    redirect_uri_sent = forms.BooleanField(required=False, widget=forms.HiddenInput())


class SatupintuAuthorizationView(AuthorizationView):
    """``GET /o/authorize/`` (alias ``/authorize``): RFC 6749 §4.1.1, OIDC Core §3.1.2.

    The request is validated first, also without a session (:meth:`handle_no_permission`):
    invalid client or redirect_uri → error page, never a redirect (RFC 6749 §4.1.2.1); then
    ``state`` ≤ 512 characters and PKCE ``S256`` with a well-formed challenge
    (``invalid_request``, :meth:`validate_authorization_request`). Signed in, it enforces, in
    order: ``max_age`` (older sign-in → sign in again, OIDC Core §3.1.2.1);
    the level of assurance = max(``acr_values``, client's required LoA) — below it the
    session is stepped up, or ``interaction_required`` for ``prompt=none``; remembered consent
    covering the scopes → no consent screen unless ``prompt=consent`` (``consent_required``
    for ``prompt=none``). Every redirect to the client carries ``iss`` (RFC 9207, :meth:`redirect`).
    """

    template_name = "identity/authorize.html"
    form_class = AuthorizationForm

    def get_initial(self) -> dict[str, Any]:
        initial: dict[str, Any] = super().get_initial()
        initial["redirect_uri_sent"] = "redirect_uri" in self.request.GET
        return initial

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "GET":  # before the sign-in redirect, so the sign-in pages know the origin too
            remember_redirect_origin(request)
        return super().dispatch(request, *args, **kwargs)

    def handle_no_permission(self) -> HttpResponse:
        """No session: check the authorization request *before* asking the user to sign in.
        An unknown or disabled client, or a redirect URI not registered for it, gets the error
        page (400, never a redirect: RFC 6749 §4.1.2.1) instead of the sign-in page; any other
        invalid request (e.g. PKCE, :meth:`validate_authorization_request`) is redirected to the
        client with its error at once. A valid one goes on to DOT (sign-in, ``prompt=none``…)."""
        if self.request.method == "GET":
            try:
                self.validate_authorization_request(self.request)
            except OAuthToolkitError as error:
                return self.error_response(error, application=None)
        response: HttpResponse = super().handle_no_permission()
        return response

    def validate_authorization_request(self, request: HttpRequest) -> Any:
        """DOT/oauthlib's validation, then our limits, each an ``invalid_request`` redirect to the
        registered redirect URI: ``state`` ≤ 512 characters; ``code_challenge_method`` must be
        ``S256`` (our policy, RFC 9700 §2.1.1; oauthlib takes a missing method as ``plain``,
        RFC 7636 §4.3) and ``code_challenge`` 43–128 characters of the unreserved set
        (RFC 7636 §4.2, §4.4.1)."""
        try:
            scopes, credentials = super().validate_authorization_request(request)
        except OAuthToolkitError as error:
            _address_to_client(request, error)
            raise
        bad = next((name for name, values in request.GET.lists() if any("\x00" in v for v in values)), None)
        if bad is not None:  # no parameter holds a NUL byte; PostgreSQL cannot store one (the nonce: a 500)
            raise _invalid_request(credentials, f"The {bad} parameter contains a NUL byte.")
        for name, unsupported in (("request", oidc_errors.RequestNotSupported),
                                  ("request_uri", oidc_errors.RequestURINotSupported)):
            if name in request.GET:  # OIDC Core §6: refused, not ignored (discovery says not supported)
                raise _client_error(credentials, unsupported(state=credentials.get("state")))
        state = credentials.get("state") or ""
        if len(state) > MAX_STATE:
            raise _invalid_request(credentials, f"state is longer than {MAX_STATE} characters", state=None)
        challenge = credentials.get("code_challenge")
        if challenge is not None:
            if credentials.get("code_challenge_method") != "S256":
                raise _invalid_request(credentials, "code_challenge_method must be S256 (plain is not accepted).")
            if not CODE_CHALLENGE.fullmatch(challenge):
                raise _invalid_request(
                    credentials, "code_challenge must be 43 to 128 characters of A-Z, a-z, 0-9, '-', '.', '_', '~'.")
        return scopes, credentials

    def redirect(self, redirect_to: str, application: Any) -> HttpResponse:
        """Every redirect of this view goes to the client's registered redirect URI with an
        authorization response (a code or an error); each carries ``iss`` (RFC 9207 §2), added as
        DOT adds it to the responses it builds itself (``COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS``)."""
        from oauth2_provider.oauth2_backends import _add_iss_to_redirect
        from oauth2_provider.settings import oauth2_settings

        issuer = oauth2_settings.oauth2_authorization_server_issuer(self.request)
        response: HttpResponse = super().redirect(_add_iss_to_redirect(redirect_to, issuer), application)
        return response

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
            return step_up_redirect(request, request.get_full_path(), required_by="application")
        user._sp_acr = loa  # read by the validator (save_authorization_code)
        user._sp_auth_time = _as_datetime(auth_at)
        user._sp_redirect_uri_sent = "redirect_uri" in request.GET
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

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The consent form (DOT's), refused as a bad request (400, the site's error page) when any
        field holds a NUL byte: the form carries the authorization request back (``nonce``,
        ``state``, ...), which only the signed-in user can tamper with, and PostgreSQL cannot
        store a NUL in the grant (it was a 500). The GET request is checked the same way
        (:meth:`validate_authorization_request`)."""
        if any("\x00" in name or any("\x00" in v for v in values) for name, values in request.POST.lists()):
            raise BadRequest("A field of the consent form contains a NUL byte.")
        response: HttpResponse = super().post(request, *args, **kwargs)
        return response

    def form_valid(self, form: Any) -> HttpResponse:
        from satupintu.identity.actions import consent_grant

        user: Any = self.request.user
        user._sp_acr = current_loa(self.request, user)
        user._sp_auth_time = _as_datetime(last_authenticated_at(self.request, user))
        user._sp_redirect_uri_sent = form.cleaned_data.get("redirect_uri_sent", True)
        response = super().form_valid(form)
        if form.cleaned_data.get("allow") and response.status_code in (301, 302):
            application = get_application_model().objects.filter(client_id=form.cleaned_data["client_id"]).first()
            location = response.get("Location", "")
            if application is not None and "code=" in location:
                consent_grant(user=user, application=application,
                              scopes=set(form.cleaned_data.get("scope", "").split()), request=self.request)
        return response


def _invalid_request(credentials: dict[str, Any], description: str, *, state: Any = "") -> OAuthToolkitError:
    """An ``invalid_request`` error for the registered redirect URI of a validated authorization
    request (RFC 6749 §4.1.2.1), echoing ``state`` unless told not to (``state=None``)."""
    return _client_error(credentials, errors.InvalidRequestError(
        description=description, state=credentials.get("state") if state == "" else state))


def _client_error(credentials: dict[str, Any], error: errors.OAuth2Error) -> OAuthToolkitError:
    """``error`` addressed to the registered redirect URI of a validated authorization request."""
    error.redirect_uri = credentials["redirect_uri"]
    return OAuthToolkitError(error=error, redirect_uri=credentials["redirect_uri"])


def _address_to_client(request: HttpRequest, error: OAuthToolkitError) -> None:
    """Give a redirectable error that oauthlib raised without its request (so without a redirect
    URI, e.g. a malformed ``claims``: OIDC Core §5.5) the client's redirect URI and ``state``, as
    RFC 6749 §4.1.2.1 asks once the client and redirect URI are valid. Without it django-oauth-toolkit
    redirected to ``?error=…`` and Django refused that redirect (``DisallowedRedirect``, a 400 page).
    An unknown or disabled client, or an unregistered redirect URI, stays the error page."""
    if isinstance(error, FatalClientError) or error.oauthlib_error.redirect_uri:
        return
    client_id = request.GET.get("client_id", "")
    application = client_by_id(client_id) if client_id and "\x00" not in client_id else None
    if application is None or client_disabled(application):
        return
    uri = request.GET.get("redirect_uri", "") or application.default_redirect_uri
    if uri and application.redirect_uri_allowed(uri):
        state = request.GET.get("state")
        error.oauthlib_error.redirect_uri = uri
        error.oauthlib_error.state = state if state and len(state) <= MAX_STATE else None


def _as_datetime(ts: float | None) -> Any:
    import datetime as dt

    return dt.datetime.fromtimestamp(ts, tz=dt.UTC) if ts else None


def oauth_error_response(error: str, description: str, *, status: int = 400) -> JsonResponse:
    """An OAuth error answer (RFC 6749 §5.2): ``{"error": ..., "error_description": ...}`` as JSON,
    with ``Cache-Control: no-store`` and ``Pragma: no-cache``."""
    response = JsonResponse({"error": error, "error_description": description}, status=status)
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


# RFC 8707 §2: a client may name several resources by repeating ``resource`` (DOT keeps them all).
REPEATABLE_PARAMETERS = frozenset({"resource"})


def duplicated_parameter(request: HttpRequest) -> str | None:
    """The name of the first request parameter that is included more than once, else ``None``.

    RFC 6749 §3.1/§3.2: "Request and response parameters MUST NOT be included more than once."
    Counted as oauthlib counts them (``Request.duplicate_params``): every occurrence of a name in
    the form body and in the query string, whatever its value, except :data:`REPEATABLE_PARAMETERS`.
    django-oauth-toolkit hands oauthlib only the last value of each body parameter, so oauthlib
    cannot see a repetition inside the body; Django's ``QueryDict`` still has every value."""
    seen: dict[str, int] = {}
    for source in (request.GET, request.POST):
        for name, values in source.lists():
            seen[name] = seen.get(name, 0) + len(values)
    return next((name for name, count in seen.items() if count > 1 and name not in REPEATABLE_PARAMETERS), None)


class MachineEndpointMixin:
    """What the OAuth endpoints for machines (token, introspection, revocation) share: every
    answer is JSON, and every error an OAuth error (RFC 6749 §5.2) with ``Cache-Control: no-store``
    — never Django's HTML error pages or an empty body. Before django-oauth-toolkit sees the request:

    * a method other than ``POST`` (RFC 6749 §3.2, RFC 7662 §2.1, RFC 7009 §2.1), ``OPTIONS``
      included: 405 ``invalid_request`` with ``Allow: POST`` (ADR 0119: no CORS here, so
      ``OPTIONS`` has nothing to answer but the one method);
    * a form body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``: 413 ``invalid_request``; one with more than
      ``DATA_UPLOAD_MAX_NUMBER_FIELDS`` fields, or that cannot be read or parsed: 400
      ``invalid_request``;
    * a parameter included more than once (:func:`duplicated_parameter`): 400 ``invalid_request``
      naming it;
    * a parameter name or value with a NUL byte: 400 ``invalid_request`` (none is valid, and
      PostgreSQL cannot compare text with one: it raised an error, i.e. a 500, from the lookups);
    * :attr:`grant_type_required` and no (or an empty) ``grant_type``: 400 ``invalid_request``
      (RFC 6749 §5.2: a required parameter is missing; §3.1: an empty one counts as omitted).

    An ``OAuth2Error`` raised by the validator outside oauthlib's own handling (e.g. a ``client_id``
    that differs from the Basic credentials, during introspection's client authentication) becomes
    its OAuth error answer. Must come first in the bases (its ``dispatch`` runs before DOT's)."""

    http_method_names = ["post"]
    grant_type_required = False

    @method_decorator(csrf_exempt)  # the class's dispatch: as_view() copies these marks to the view
    @method_decorator(login_not_required)
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if (request.method or "").lower() not in self.http_method_names:  # before DOT's client authentication
            return self.http_method_not_allowed(request, *args, **kwargs)
        refused = self.refuse_malformed(request)
        if refused is not None:
            return refused
        try:
            response: HttpResponse = super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        except errors.OAuth2Error as error:
            response = oauth_error_response(error.error, error.description, status=error.status_code)
        label_json_error(response)
        if "Cache-Control" not in response:
            response["Cache-Control"] = "no-store"
        return response

    def refuse_malformed(self, request: HttpRequest) -> HttpResponse | None:
        """The error answer for a body that must not reach django-oauth-toolkit, else ``None``."""
        try:
            request.POST  # noqa: B018 - parse the body now, where its errors can become OAuth errors
        except RequestDataTooBig:
            return oauth_error_response("invalid_request", "The request body is too large.", status=413)
        except (SuspiciousOperation, MultiPartParserError, UnreadablePostError):
            # TooManyFieldsSent, TooManyFilesSent, a malformed multipart body, a body cut short
            return oauth_error_response("invalid_request", "The request body cannot be read.")
        name = duplicated_parameter(request)
        if name is not None:
            return oauth_error_response("invalid_request", f"The {name} parameter is included more than once.")
        for params in (request.GET, request.POST):
            bad = next((k for k, values in params.lists() if "\x00" in k or any("\x00" in v for v in values)), None)
            if bad is not None:  # no OAuth value holds a NUL byte; PostgreSQL cannot even store one
                return oauth_error_response("invalid_request", f"The {bad!r} parameter contains a NUL byte.")
        if self.grant_type_required and not request.POST.get("grant_type"):
            return oauth_error_response("invalid_request", "The grant_type parameter is missing.")
        return None

    def http_method_not_allowed(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return method_not_allowed(request, self.http_method_names)


def method_not_allowed(request: HttpRequest, allowed: list[str]) -> JsonResponse:
    """405 ``invalid_request`` as OAuth error JSON (RFC 6749 §5.2, RFC 6750 §3.1) with ``Allow``
    listing ``allowed`` (RFC 9110 §15.5.6), ``OPTIONS`` included among the refused methods
    (ADR 0119)."""
    methods = [m.upper() for m in allowed]
    response = oauth_error_response(
        "invalid_request", f"The {request.method} method is not allowed; use {' or '.join(methods)}.", status=405)
    response["Allow"] = ", ".join(methods)
    return response


def label_json_error(response: HttpResponse) -> HttpResponse:
    """Label an error answer whose body is an OAuth error object ``application/json``: oauthlib
    answers some errors (e.g. userinfo's ``invalid_token``, an error while saving a token) without
    a ``Content-Type``, so Django's default ``text/html`` went out with the JSON body."""
    if response.status_code >= 400 and "json" not in response.get("Content-Type", ""):
        try:
            body = json.loads(response.content)
        except ValueError:
            body = None
        if isinstance(body, dict) and "error" in body:
            response["Content-Type"] = "application/json"
    return response


class SatupintuTokenView(MachineEndpointMixin, TokenView):
    """``POST /o/token/`` (alias ``/oauth/token``): DOT's token endpoint (RFC 6749 §3.2, §5; all
    grant handling in DOT/oauthlib), except that DOT's ``app_authorized`` signal gets the
    ``AccessToken`` the validator has just saved instead of one read back by checksum (one SQL
    round trip less per grant). If the issued token is not among those saved in this request
    (e.g. a refresh answered with an existing token), it is read back exactly as DOT does.
    Malformed requests are refused first (:class:`MachineEndpointMixin`, ``grant_type`` required)."""

    grant_type_required = True

    def refuse_malformed(self, request: HttpRequest) -> HttpResponse | None:
        """Also: a grant the platform does not offer (the device grant, which django-oauth-toolkit
        would answer with its own 404 ``device_not_found``) is 400 ``unsupported_grant_type``
        (RFC 6749 §5.2), like the password grant (the validator)."""
        refused = super().refuse_malformed(request)
        if refused is None and request.POST.get("grant_type") == DEVICE_CODE_GRANT:
            return oauth_error_response("unsupported_grant_type", "The device grant is not offered.")
        return refused

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


INTROSPECTION_REFUSED = "This client is not allowed to introspect tokens."


class SatupintuIntrospectTokenView(MachineEndpointMixin, IntrospectTokenView):
    """``POST /o/introspect/`` (RFC 7662): DOT's introspection endpoint, except:

    * only a client a platform admin has allowed to (``RelyingParty.may_introspect``, ADR 0135) may
      introspect with its own credentials (``client_secret_basic``, ``client_secret_post``,
      ``private_key_jwt``). RFC 7662 §4: the server "SHOULD require protected resources to be
      specifically authorized to call the introspection endpoint", else any client could scan for
      tokens and learn each one's scope, client and expiry. Another authenticated client gets
      ``403`` ``{"error": "unauthorized_client", "error_description": ...}`` (:meth:`post`), the
      same answer whatever token it sent, before the token is looked up: it learns nothing about
      the token. Not ``{"active": false}``: RFC 7662 §2.2 keeps that for a call that *is* properly
      authorized (the token is inactive, unknown, or this resource may not know that one token);
      here the call itself is not authorized, and an answer that every token is inactive would hide
      a misconfigured resource server (the gateway would refuse every caller) instead of naming it.
    * a caller that fails authentication gets, instead of DOT's bare ``403`` (RFC 7662 §2.3): with
      client credentials ``401`` ``invalid_client`` (RFC 6749 §5.2) and a ``WWW-Authenticate:
      Basic`` challenge; with a bearer token ``401`` with a ``Bearer`` challenge (RFC 6750 §3;
      ``403`` when the token lacks DOT's ``introspection`` scope). A bearer token *with* that scope
      still introspects as before (the scope is not offered by the token endpoint, so only an
      operator can mint one).

    ``POST`` only (RFC 7662 §2.1: DOT's ``GET`` with the token in the URL is refused), malformed
    requests are refused first (:class:`MachineEndpointMixin`); a disabled client's tokens are
    inactive."""

    def authenticate_client(self, request: HttpRequest) -> bool:
        """DOT's client authentication (any method the validator accepts), remembering which
        client it authenticated (``self.authenticated_client``) for :meth:`post`."""
        seen: list[Any] = []
        reset = authenticated_clients.set(seen)
        try:
            authenticated = bool(super().authenticate_client(request))
        finally:
            authenticated_clients.reset(reset)
        self.client_authenticated = authenticated
        self.authenticated_client = seen[-1] if authenticated and seen else None
        return authenticated

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The introspection answer (:meth:`get_token_response`) for a caller that may introspect:
        a client authenticated by its own credentials only with ``may_introspect``
        (:func:`~satupintu.identity.oidc.validator.client_may_introspect`, the one check), else
        ``403`` ``unauthorized_client`` without looking at ``token``. A caller authenticated by a
        bearer token reached here through DOT's scope check (``introspection``)."""
        if getattr(self, "client_authenticated", False) and not client_may_introspect(self.authenticated_client):
            return oauth_error_response("unauthorized_client", INTROSPECTION_REFUSED, status=403)
        response: HttpResponse = super().post(request, *args, **kwargs)
        return response

    @staticmethod
    def get_token_response(token_value: str | None = None) -> HttpResponse:
        """DOT's answer (RFC 7662 §2.2), except that a token of a disabled client is inactive
        (ADR 0117; a deleted client's tokens are gone with it), and without DOT's ``username``: it
        is the citizen's e-mail address, which any resource server that may introspect would learn
        for every token (defeating pairwise ``sub``, OIDC Core §8); ``username`` is OPTIONAL
        (RFC 7662 §2.2)."""
        response: HttpResponse = IntrospectTokenView.get_token_response(token_value)
        if response.status_code == 200:
            data = json.loads(response.content)
            client_id = data.get("client_id")
            if data.get("active") and isinstance(client_id, str) and client_disabled(client_by_id(client_id)):
                return JsonResponse({"active": False})
            if "username" in data:
                data.pop("username")
                return JsonResponse(data)
        return response

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


class SatupintuRevokeTokenView(MachineEndpointMixin, RevokeTokenView):
    """``POST /o/revoke_token/`` (RFC 7009): DOT's revocation endpoint (200 with an empty body when
    the token is revoked or unknown, RFC 7009 §2.2), with malformed requests refused first
    (:class:`MachineEndpointMixin`)."""


class SatupintuUserInfoView(UserInfoView):
    """``GET``/``POST /o/userinfo/`` (OIDC Core §5.3): DOT's userinfo endpoint (bearer token,
    RFC 6750), except that an error body (JSON, e.g. 401 ``invalid_token`` with its
    ``WWW-Authenticate`` challenge) is labelled ``application/json`` instead of ``text/html``, and
    another method (``OPTIONS`` too) is 405 ``invalid_request`` JSON with ``Allow: GET, HEAD,
    POST`` (ADR 0119) instead of Django's empty HTML answers."""

    http_method_names = ["get", "head", "post"]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Before the toolkit: an access token in the query string is 400 ``invalid_request``
        (RFC 9700 §4.3.2: it must not be sent there; it ends up in access logs and browser history;
        RFC 6750 §3.1 for the answer); a body that cannot be parsed is 400 ``invalid_request`` JSON
        instead of Django's HTML error page; a request with no bearer token at all (none, or another
        scheme) is 401 with the bare ``Bearer realm`` challenge and no error code (RFC 6750 §3.1,
        §3 example)."""
        if "access_token" in request.GET:
            return _bearer_error(request, "An access token must not be sent in the URL; use the Authorization header.")
        if request.method == "POST":
            try:
                request.POST  # noqa: B018 - parse now, where its errors become OAuth errors
            except RequestDataTooBig:
                return _bearer_error(request, "The request body is too large.", status=413)
            except (SuspiciousOperation, MultiPartParserError, UnreadablePostError):
                return _bearer_error(request, "The request body cannot be read.")
        bearer = request.headers.get("Authorization", "").partition(" ")[0].lower() == "bearer"
        if request.method in ("GET", "HEAD", "POST") and not bearer \
                and not (request.method == "POST" and "access_token" in request.POST):
            # RFC 6750 §3.1: a request without any bearer token (none, or another scheme such as
            # Basic) gets the challenge but no error code (DOT answered invalid_token "expired,
            # revoked, malformed...", which misleads).
            challenge = HttpResponse(status=401)
            challenge["WWW-Authenticate"] = 'Bearer realm="satupintu"'
            challenge["Cache-Control"] = "no-store"
            return challenge
        response: HttpResponse = super().dispatch(request, *args, **kwargs)
        return response

    def http_method_not_allowed(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return method_not_allowed(request, self.http_method_names)

    def _create_userinfo_response(self, request: HttpRequest) -> HttpResponse:
        response: HttpResponse = super()._create_userinfo_response(request)
        return label_json_error(response)


def _bearer_error(request: HttpRequest, description: str, *, status: int = 400) -> JsonResponse:
    """An ``invalid_request`` answer of a resource taking bearer tokens (RFC 6750 §3.1): OAuth error
    JSON with the ``WWW-Authenticate: Bearer`` challenge naming the error."""
    response = oauth_error_response("invalid_request", description, status=status)
    response["WWW-Authenticate"] = f'Bearer error="invalid_request", error_description="{description}"'
    return response


class SatupintuServerMetadataView(OAuthServerMetadataView):
    """``GET /o/.well-known/oauth-authorization-server`` (RFC 8414): django-oauth-toolkit's document
    with the grants and client authentication methods the token endpoint really offers (the
    toolkit's defaults listed the device grant and left out ``private_key_jwt``), and, as
    ``private_key_jwt`` is listed, the client-assertion algorithms (RFC 8414 §2: REQUIRED then)."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        data = json.loads(response.content)
        data["grant_types_supported"] = GRANT_TYPES_SUPPORTED
        for endpoint in ("token", "revocation", "introspection"):
            if f"{endpoint}_endpoint" in data:
                data[f"{endpoint}_endpoint_auth_methods_supported"] = list(
                    oauth2_settings.OIDC_TOKEN_ENDPOINT_AUTH_METHODS_SUPPORTED)
                data[f"{endpoint}_endpoint_auth_signing_alg_values_supported"] = list(CLIENT_ASSERTION_SIGNING_ALGS)
        out = JsonResponse(data)
        out["Access-Control-Allow-Origin"] = "*"
        return out


class SatupintuDiscoveryView(ConnectDiscoveryInfoView):
    """``GET /.well-known/openid-configuration`` (OIDC Discovery §4, RFC 8414): DOT's document
    plus what DOT does not know about: supported ``acr_values``, PKCE method ``S256`` only,
    revocation and introspection endpoints, claims and the ``nik`` scope. ID tokens: ``RS256``
    only (DOT also lists HS256, which needs a plain-text client secret; the back-office refuses
    it, ADR 0124). With ``private_key_jwt`` among the token endpoint's methods, the algorithms its
    client assertions may use are listed too (RFC 8414 §2: REQUIRED then), from the validator's own
    :data:`~satupintu.identity.oidc.validator.CLIENT_ASSERTION_SIGNING_ALGS` (ADR 0127)."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        data = json.loads(response.content)
        if "private_key_jwt" in data.get("token_endpoint_auth_methods_supported", []):
            data["token_endpoint_auth_signing_alg_values_supported"] = list(CLIENT_ASSERTION_SIGNING_ALGS)
        issuer = data["issuer"].rstrip("/")
        data.update({
            "acr_values_supported": ["loa1", "loa2"],
            "code_challenge_methods_supported": ["S256"],
            "grant_types_supported": GRANT_TYPES_SUPPORTED,
            "revocation_endpoint": issuer + "/revoke_token/",
            "introspection_endpoint": issuer + "/introspect/",
            "prompt_values_supported": ["none", "login", "consent"],
            "claims_parameter_supported": False,
            "request_parameter_supported": False,
            "authorization_response_iss_parameter_supported": True,
            "ui_locales_supported": ["id", "en"],
            "id_token_signing_alg_values_supported": ["RS256"],
        })
        out = JsonResponse(data)
        out["Access-Control-Allow-Origin"] = "*"
        return out


@method_decorator(csrf_exempt, name="dispatch")  # bearer tokens, no cookies: another method gets 405, not CSRF 403
class GovStackUserInfoView(View):
    """``GET /oidc/userinfo`` (GovStack Identity BB, Identity-Provider.yaml): the same claims as
    ``/o/userinfo/`` (DOT: bearer token checked there, 401 ``invalid_token`` otherwise), answered as
    ``application/jwt``: signed with the provider's RS256 key (OIDC Core §5.3.2) and, when the
    client registered public keys (``RelyingParty.jwks``), encrypted to its first RSA key
    (RSA-OAEP-256 / A256GCM) as a nested JWT, as the building block specifies. Errors as
    :class:`SatupintuUserInfoView` (JSON, ``application/json``; another method → 405 with
    ``Allow: GET, HEAD``)."""

    http_method_names = ["get", "head"]

    def http_method_not_allowed(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return method_not_allowed(request, self.http_method_names)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from jwcrypto import jwk, jwt
        from oauth2_provider.settings import oauth2_settings

        response = SatupintuUserInfoView.as_view()(request, *args, **kwargs)
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


def _csrf_token_valid(request: HttpRequest) -> bool:
    """Whether a POST carries this session's CSRF token (Django's own check, run here because the
    view that needs it is exempt from the middleware's)."""
    from django.middleware.csrf import CsrfViewMiddleware

    def _view(_request: HttpRequest) -> HttpResponse:  # not csrf_exempt: the check runs
        return HttpResponse()

    return CsrfViewMiddleware(_view).process_view(request, _view, (), {}) is None


@method_decorator(csrf_exempt, name="dispatch")
class SatupintuLogoutView(RPInitiatedLogoutView):
    """``GET``/``POST /o/logout/``: OpenID Connect RP-Initiated Logout 1.0, django-oauth-toolkit's
    view with the platform's pages and these differences:

    * an unknown or disabled ``client_id`` (or one with a NUL byte) is the error page (400
      ``invalid_request``), like a bad ``id_token_hint`` or ``post_logout_redirect_uri``; the
      toolkit's ``Application.objects.get`` raised ``DoesNotExist`` (500);
    * a relying party may send the request by ``POST`` as well as ``GET`` (§2: "MUST support the use
      of the HTTP GET and POST methods"). A ``POST`` without this session's CSRF token is such a
      request, handled exactly as the same ``GET`` (it never signs out without the confirmation the
      ``GET`` would ask for); with the token it is the confirmation form's answer;
    * the confirmation page allows the validated ``post_logout_redirect_uri``'s origin in CSP
      ``form-action`` (browsers check it on the redirect that follows the form, as in ADR 0098).

    Errors and the confirmation use ``identity/logout.html`` (Indonesian or English)."""

    template_name = "identity/logout.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self._logout_request(request, request.GET)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if _csrf_token_valid(request):
            response: HttpResponse = super().post(request, *args, **kwargs)
            return response
        return self._logout_request(request, request.POST)

    def _logout_request(self, request: HttpRequest, params: Any) -> HttpResponse:
        """The toolkit's ``get`` on ``params`` (the query or the form body of a relying party)."""
        id_token_hint = params.get("id_token_hint")
        client_id = params.get("client_id")
        post_logout_redirect_uri = params.get("post_logout_redirect_uri")
        state = params.get("state")
        try:
            application, token_user = self.validate_logout_request(
                id_token_hint=id_token_hint, client_id=client_id, post_logout_redirect_uri=post_logout_redirect_uri)
        except OIDCError as error:
            return self.error_response(error)
        if not self.must_prompt(token_user):
            return self.do_logout(application, post_logout_redirect_uri, state, token_user)
        self.oidc_data = {"id_token_hint": id_token_hint, "client_id": client_id,
                          "post_logout_redirect_uri": post_logout_redirect_uri, "state": state}
        context = {"form": self.get_form(self.get_form_class())}
        if application:
            context["application"] = application
        response: HttpResponse = self.render_to_response(self.get_context_data(**context))
        parts = urlsplit(post_logout_redirect_uri or "")
        if parts.scheme in ("http", "https") and parts.netloc:  # validated above: a registered URI
            response._csp_update = {"form-action": [f"{parts.scheme}://{parts.netloc}"]}  # type: ignore[attr-defined]
        return response

    def get_request_application(self, id_token: Any, client_id: str | None) -> Any:
        if client_id:
            application = client_by_id(client_id) if "\x00" not in client_id else None
            if application is None or client_disabled(application):
                raise InvalidOIDCClientError()
            return application
        if id_token is not None and client_disabled(id_token.application):
            raise InvalidOIDCClientError()
        return id_token.application if id_token is not None else None
