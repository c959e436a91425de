"""Settings of the identity app (accounts, MFA, OIDC provider), merged into the project settings.

Kept here so the project's ``config/settings.py`` stays short; every variable read here is
documented in ``.env.example``. Decisions: ADR 0030 (accounts and NIK at rest), 0031 (Argon2id
parameters), 0032 (OIDC provider).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from satupintu.identity.keys import load_nik_index_key, load_nik_keyring, load_oidc_keys

# OIDC scopes and the claims each releases (OpenID Connect Core §5.4; ``nik`` is ours).
OIDC_SCOPES = {
    "openid": "OpenID Connect sign-in",
    "profile": "Name, date of birth and sex",
    "email": "E-mail address",
    "phone": "Mobile number",
    "address": "Address",
    "nik": "NIK (national identity number)",
    # The data tracker API (/api/v1/data/myPersonalDataUsage) for an app the citizen uses (ADR 0097).
    "personal_data_usage": "Who accessed my personal data (read)",
    "registration": "Apply for services and follow applications (GovStack Registration API)",
}

ACCESS_TOKEN_SECONDS = 600
ID_TOKEN_SECONDS = 600


def identity_settings(*, production: bool, var_dir: Path, debug: bool) -> dict[str, Any]:
    """Return the identity settings. Raises ImproperlyConfigured in production when a key is
    missing (see :mod:`satupintu.identity.keys`)."""
    active_pem, retired_pems = load_oidc_keys(production=production, var_dir=var_dir)
    sms_backend = os.environ.get("SATUPINTU_SMS_BACKEND", "" if production else "satupintu.identity.sms.ConsoleBackend")
    platform = os.environ.get("SATUPINTU_PLATFORM_NAME", "satupintu")
    return {
        "AUTH_USER_MODEL": "identity.User",
        "OAUTH2_PROVIDER_APPLICATION_MODEL": "oauth2_provider.Application",
        "SATUPINTU_NIK_KEYRING": load_nik_keyring(production=production, var_dir=var_dir),
        "SATUPINTU_NIK_INDEX_KEY": load_nik_index_key(production=production, var_dir=var_dir),
        # Argon2id with OWASP's first recommended set (m=19 MiB, t=2, p=1): ADR 0031.
        "PASSWORD_HASHERS": [
            "satupintu.identity.hashers.Argon2idHasher",
            "django.contrib.auth.hashers.Argon2PasswordHasher",
            "satupintu.identity.hashers.ClientSecretHasher",
        ],
        "AUTHENTICATION_BACKENDS": [
            "satupintu.identity.backends.NikOrEmailBackend",
        ],
        "LOGIN_URL": "account_login",
        "LOGIN_REDIRECT_URL": "identity:account",
        "LOGOUT_REDIRECT_URL": "home",
        # django-allauth: accounts, e-mail verification and password reset by code, MFA.
        "ACCOUNT_ADAPTER": "satupintu.identity.adapter.AccountAdapter",
        "ACCOUNT_LOGIN_METHODS": {"email"},
        # E-mail and/or mobile number (the form requires one; allauth's check wants "email*" with
        # mandatory e-mail verification, and an account without e-mail skips that stage, see
        # identity/stages.py). The mobile number is offered and verified by an SMS code only when
        # an SMS backend is configured.
        "SATUPINTU_SMS_BACKEND": sms_backend,
        "ACCOUNT_SIGNUP_FIELDS": ["email*", *(["phone"] if sms_backend else []), "password1*", "password2*"],
        "ACCOUNT_PHONE_VERIFICATION_ENABLED": True,
        "ACCOUNT_PHONE_VERIFICATION_MAX_ATTEMPTS": 3,
        "ACCOUNT_USER_MODEL_USERNAME_FIELD": None,
        "ACCOUNT_UNIQUE_EMAIL": True,
        "ACCOUNT_EMAIL_VERIFICATION": "mandatory",
        "ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED": True,
        "ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED": True,
        "ACCOUNT_PREVENT_ENUMERATION": True,
        "ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE": False,
        "ACCOUNT_LOGIN_ON_PASSWORD_RESET": False,
        "ACCOUNT_SESSION_REMEMBER": False,
        "ACCOUNT_EMAIL_SUBJECT_PREFIX": f"[{platform}] ",
        "ACCOUNT_FORMS": {
            "signup": "satupintu.identity.forms.CitizenSignupForm",
            "login": "satupintu.identity.forms.NikOrEmailLoginForm",
            "reset_password": "satupintu.identity.forms.EmailOrPhoneResetPasswordForm",
        },
        # Rate limits (per IP, per user, per login key); failed logins lock the key with back-off.
        "ACCOUNT_RATE_LIMITS": {
            "login": "30/m/ip",
            "login_failed": "10/m/ip,5/5m/key,20/1h/key",  # back-off: 5 fails, 5 min; 20 fails, 1 h
            "signup": "20/m/ip",
            "confirm_email": "1/3m/key",
            "reset_password": "20/m/ip,5/m/key",
            "reset_password_from_key": "20/m/ip",
            "change_password": "5/m/user",
            "reauthenticate": "10/m/user",
            "verify_email_code": "10/m/ip",
        },
        "ACCOUNT_EMAIL_VERIFICATION_BY_CODE_MAX_ATTEMPTS": 3,
        "ACCOUNT_PASSWORD_RESET_BY_CODE_MAX_ATTEMPTS": 3,
        "MFA_SUPPORTED_TYPES": ["totp", "recovery_codes", "webauthn"],
        "MFA_PASSKEY_LOGIN_ENABLED": True,
        "MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN": debug,
        "MFA_TOTP_ISSUER": platform,
        "MFA_ADAPTER": "allauth.mfa.adapter.DefaultMFAAdapter",
        # allauth's passkey forms, refusing a malformed response without a 500 and saying that a
        # passkey needs JavaScript (identity/passkey_forms.py).
        "MFA_FORMS": {key: f"satupintu.identity.passkey_forms.{name}" for key, name in (
            ("authenticate_webauthn", "AuthenticateWebAuthnForm"), ("login_webauthn", "LoginWebAuthnForm"),
            ("reauthenticate_webauthn", "ReauthenticateWebAuthnForm"), ("add_webauthn", "AddWebAuthnForm"),
            ("signup_webauthn", "SignupWebAuthnForm"))},
        "USERSESSIONS_TRACK_ACTIVITY": True,
        # OIDC clients (application + relying party) are cached per process for at most this many
        # seconds; any change saved through the ORM applies at once via the shared cache (ADR 0111). 0 = off.
        "SATUPINTU_OIDC_CLIENT_CACHE_SECONDS": float(os.environ.get("SATUPINTU_OIDC_CLIENT_CACHE_SECONDS", "5")),
        # django-oauth-toolkit as OpenID Connect provider (ADR 0032).
        "OAUTH2_PROVIDER": {
            "OAUTH2_VALIDATOR_CLASS": "satupintu.identity.oidc.validator.SatupintuValidator",
            "OIDC_ENABLED": True,
            "OIDC_ISS_ENDPOINT": os.environ.get("SATUPINTU_OIDC_ISSUER", ""),
            "OIDC_RSA_PRIVATE_KEY": active_pem,
            "OIDC_RSA_PRIVATE_KEYS_INACTIVE": retired_pems,
            "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
            "OIDC_SUBJECT_TYPES_SUPPORTED": ["pairwise", "public"],
            # What the token endpoint accepts (DOT: Basic or the secret in the form body; ours: private_key_jwt).
            "OIDC_TOKEN_ENDPOINT_AUTH_METHODS_SUPPORTED": [
                "client_secret_basic", "client_secret_post", "private_key_jwt"],
            "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
            "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
            "OIDC_RP_INITIATED_LOGOUT_STRICT_REDIRECT_URIS": True,
            "SCOPES": OIDC_SCOPES,
            "DEFAULT_SCOPES": ["openid"],
            "PKCE_REQUIRED": True,
            # Production: https only, unless SATUPINTU_OIDC_ALLOW_HTTP_LOOPBACK=1 lets native apps use
            # http://127.0.0.1:<any port> (RFC 8252 §7.3). Development and tests also allow http.
            "ALLOWED_REDIRECT_URI_SCHEMES": (
                ["https", "http"] if not production or os.environ.get("SATUPINTU_OIDC_ALLOW_HTTP_LOOPBACK") == "1"
                else ["https"]
            ),
            "ALLOW_URI_WILDCARDS": False,
            "ALLOW_LOCALHOST_LOOPBACK": False,
            "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
            "ACCESS_TOKEN_EXPIRE_SECONDS": ACCESS_TOKEN_SECONDS,
            "ID_TOKEN_EXPIRE_SECONDS": ID_TOKEN_SECONDS,
            "REFRESH_TOKEN_EXPIRE_SECONDS": 30 * 24 * 3600,
            "ROTATE_REFRESH_TOKEN": True,
            "REFRESH_TOKEN_REUSE_PROTECTION": True,
            "REFRESH_TOKEN_GRACE_PERIOD_SECONDS": 0,
            "CLIENT_SECRET_HASHER": "sp_client_secret",
            "REQUEST_APPROVAL_PROMPT": "force",
            "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
            "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
            "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
            "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
            "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
            "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
            "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
            "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
            "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
        },
    }
