"""Settings for satupintu, read from the environment only (12-factor).

Every variable is documented in ``.env.example``. Development defaults are safe; with
``SATUPINTU_ENV=production`` a missing secret stops the process at start-up
(:class:`django.core.exceptions.ImproperlyConfigured`).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent.parent
ENV = os.environ.get("SATUPINTU_ENV", "development").strip().lower()
if ENV not in {"development", "production", "test"}:
    raise ImproperlyConfigured(
        f"SATUPINTU_ENV must be development, production or test (got {ENV!r})."
    )
PRODUCTION = ENV == "production"

# var/: the writable state of one deployment (SQLite database, uploads, keys, dev secret).
VAR_DIR = Path(os.environ.get("SATUPINTU_VAR_DIR", Path.cwd() / "var")).resolve()


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _read_secret(name: str) -> str | None:
    """Return the secret from ``NAME`` or from the file named by ``NAME_FILE``."""
    value = os.environ.get(name)
    if value:
        return value
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={path} cannot be read: {exc}") from exc
    return None


def _dev_secret_key() -> str:
    """Generate the development secret key once into var/ and reuse it.

    Safe when several processes start together on a fresh var/ (server, worker, test writers):
    the key is written to a private temporary file and hard-linked into place, so a reader sees
    either no file or the whole key, and the first process to link wins.
    """
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        temporary = VAR_DIR / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(50))
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process was first: use its key
        finally:
            temporary.unlink()
    return path.read_text(encoding="utf-8").strip()


_secret = _read_secret("SATUPINTU_SECRET_KEY")
if PRODUCTION:
    if not _secret or len(_secret) < 50:
        raise ImproperlyConfigured(
            "SATUPINTU_SECRET_KEY (or SATUPINTU_SECRET_KEY_FILE) is required in production "
            "and must be at least 50 characters. Generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = _secret
else:
    SECRET_KEY = _secret or _dev_secret_key()

DEBUG = _env_bool("SATUPINTU_DEBUG", ENV == "development")
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("SATUPINTU_DEBUG must be off in production.")

ALLOWED_HOSTS = _env_list(
    "SATUPINTU_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver,[::1]"
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("SATUPINTU_ALLOWED_HOSTS is required in production (comma-separated).")
CSRF_TRUSTED_ORIGINS = _env_list("SATUPINTU_CSRF_TRUSTED_ORIGINS", "")

# Our apps come first so their templates and translations take precedence over Django's.
INSTALLED_APPS = [
    "satupintu.core",
    "satupintu.regions",
    "satupintu.catalog",
    "satupintu.audit",
    "satupintu.consolidation",
    "satupintu.documents",
    "satupintu.identity",
    "satupintu.exchange",
    "satupintu.registries",
    "satupintu.applications",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "csp",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "oauth2_provider",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "satupintu.core.middleware.RequestIdMiddleware",
    # Answers the exchange gateway paths (/r1/..., /listClients) before sessions, CSRF and language.
    "satupintu.exchange.middleware.GatewayMiddleware",
    # Answers the OAuth token, introspection and revocation endpoints before sessions, CSRF and language (ADR 0112).
    "satupintu.identity.middleware.OAuthEndpointMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "satupintu.core.middleware.LanguageMiddleware",
    "satupintu.core.middleware.ApiProblemMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # An empty 405 of an HTML page becomes the site's error page (the API has its own, above).
    "satupintu.core.middleware.MethodNotAllowedPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "satupintu.identity.middleware.OfficerMfaMiddleware",
    # During an OIDC authorization: CSP form-action also allows the relying party's redirect origin.
    "satupintu.identity.middleware.AuthorizationFormActionMiddleware",
    # Runs allauth's MFA views in one transaction with their audit events (see its docstring).
    "satupintu.identity.middleware.MfaAtomicMiddleware",
]

ROOT_URLCONF = "satupintu.config.urls"
WSGI_APPLICATION = "satupintu.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "satupintu.core.context_processors.platform",
                "satupintu.identity.context_processors.step_up_continue",
            ],
        },
    }
]

# Database: SQLite (WAL) in var/ by default; PostgreSQL with DATABASE_URL.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
# Django's connection health check: one "SELECT 1" round trip at the first query of each request, so
# a connection the server dropped is replaced before it fails a request. `satupintu serve --role
# gateway` turns it off (ADR 0113): the gateway's only query per message is its log write, which
# replaces a dead connection and writes again itself.
DB_HEALTH_CHECKS = _env_bool("SATUPINTU_DB_HEALTH_CHECKS", True)
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60,
                                                  conn_health_checks=DB_HEALTH_CHECKS)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "satupintu.sqlite3"),
            # Persistent per-thread connections (as for PostgreSQL): closing the last connection to a
            # WAL database checkpoints and deletes the WAL, which cost ~10 ms per request (ADR 0105).
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": DB_HEALTH_CHECKS,
            "OPTIONS": {
                # WAL lets readers run beside the single writer; IMMEDIATE takes the write
                # lock at BEGIN so concurrent writers queue instead of failing mid-transaction.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")

# Cache (and rate limits): Redis when REDIS_URL is set, else the database-free local memory.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background tasks (django-tasks, database backend; `satupintu worker` runs them).
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "SATUPINTU_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"
        )
    }
}

# Identity (accounts, MFA, OIDC provider): see satupintu/identity/settings.py and ADRs 0030-0039.
from satupintu.identity.settings import identity_settings  # noqa: E402

globals().update(identity_settings(production=PRODUCTION, var_dir=VAR_DIR, debug=DEBUG))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: Indonesian first, English available; stored in UTC, shown in WIB.
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS: list[Path] = []  # each app keeps its own locale/ folder
LANGUAGE_COOKIE_NAME = "satupintu_lang"
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = Path(os.environ.get("SATUPINTU_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Application uploads (see satupintu.applications.uploads): outside the web root, limits in bytes.
SATUPINTU_UPLOAD_ROOT = Path(os.environ.get("SATUPINTU_UPLOAD_ROOT", MEDIA_ROOT / "applications"))
SATUPINTU_UPLOAD_MAX_FILE_BYTES = int(os.environ.get("SATUPINTU_UPLOAD_MAX_FILE_BYTES", str(5 * 1024 * 1024)))
SATUPINTU_UPLOAD_MAX_TOTAL_BYTES = int(os.environ.get("SATUPINTU_UPLOAD_MAX_TOTAL_BYTES", str(25 * 1024 * 1024)))
SATUPINTU_VIRUS_SCANNER = os.environ.get("SATUPINTU_VIRUS_SCANNER", "satupintu.applications.uploads.NoScan")
SATUPINTU_CLAMD_ADDRESS = os.environ.get("SATUPINTU_CLAMD_ADDRESS", "")

# Security headers and cookies (production turns on HTTPS-only settings).
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = PRODUCTION
# The site's own page, in the visitor's language, for a form sent without a valid token (ADR 0127).
CSRF_FAILURE_VIEW = "satupintu.core.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = _env_bool("SATUPINTU_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = int(os.environ.get("SATUPINTU_HSTS_SECONDS", "31536000" if PRODUCTION else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
if _env_bool("SATUPINTU_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SATUPINTU_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "httpx": {"level": "WARNING"}},
}

EMAIL_BACKEND = os.environ.get(
    "SATUPINTU_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("SATUPINTU_DEFAULT_FROM_EMAIL", "satupintu <noreply@localhost>")
# Used only with the file backend (django.core.mail.backends.filebased.EmailBackend): one file per message.
EMAIL_FILE_PATH = os.environ.get("SATUPINTU_EMAIL_FILE_PATH", str(VAR_DIR / "mail"))

# Platform identity shown in the header, and where reference data comes from.
SATUPINTU_PLATFORM_NAME = os.environ.get("SATUPINTU_PLATFORM_NAME", "satupintu")
SATUPINTU_SHARED_DATA = Path(
    os.environ.get("SATUPINTU_SHARED_DATA", Path.cwd().parent / "shared" / "data")
)

# Outside production whitenoise serves straight from the apps' static folders.
WHITENOISE_USE_FINDERS = not PRODUCTION  # production serves the collectstatic output

# Audit log (docs/operations.md "Audit log"): Ed25519 key signing checkpoints (required in
# production; generated into var/keys/ in development), extra trusted public keys, retention.
SATUPINTU_AUDIT_KEY_FILE = os.environ.get("SATUPINTU_AUDIT_KEY_FILE", "")
SATUPINTU_AUDIT_PUBLIC_KEY_FILES = _env_list("SATUPINTU_AUDIT_PUBLIC_KEY_FILES", "")
SATUPINTU_AUDIT_RETENTION_DAYS = int(os.environ.get("SATUPINTU_AUDIT_RETENTION_DAYS", "3650"))
WHITENOISE_AUTOREFRESH = DEBUG

# Outcome documents: signing keys, signed PDFs (outside the web root), timestamping, verification.
SATUPINTU_KEYS_DIR = Path(os.environ.get("SATUPINTU_KEYS_DIR", VAR_DIR / "keys"))
SATUPINTU_DOCUMENTS_DIR = Path(os.environ.get("SATUPINTU_DOCUMENTS_DIR", VAR_DIR / "documents"))
SATUPINTU_TSA_URL = os.environ.get("SATUPINTU_TSA_URL", "").strip()
SATUPINTU_DOCUMENTS_TRUST_ROOTS = _env_list("SATUPINTU_DOCUMENTS_TRUST_ROOTS", "")
try:
    SATUPINTU_DOCUMENTS_MAX_UPLOAD = int(os.environ.get("SATUPINTU_DOCUMENTS_MAX_UPLOAD") or 10 * 1024 * 1024)
except ValueError as _exc:
    raise ImproperlyConfigured("SATUPINTU_DOCUMENTS_MAX_UPLOAD must be a whole number of bytes.") from _exc
SATUPINTU_PUBLIC_URL = os.environ.get(
    "SATUPINTU_PUBLIC_URL",
    f"https://{ALLOWED_HOSTS[0]}" if PRODUCTION and ALLOWED_HOSTS else "http://127.0.0.1:8000",
).rstrip("/")
# Exchange gateway (SPLP). Keys come from files; in development they are generated into var/keys/.
SATUPINTU_EXCHANGE_INSTANCE = os.environ.get("SATUPINTU_EXCHANGE_INSTANCE", "SPLP-DEV")
SATUPINTU_EXCHANGE_CONNECT_TIMEOUT = float(os.environ.get("SATUPINTU_EXCHANGE_CONNECT_TIMEOUT", "5"))
SATUPINTU_EXCHANGE_READ_TIMEOUT = float(os.environ.get("SATUPINTU_EXCHANGE_READ_TIMEOUT", "30"))
SATUPINTU_EXCHANGE_MAX_REQUEST_BYTES = int(os.environ.get("SATUPINTU_EXCHANGE_MAX_REQUEST_BYTES", str(10 * 2**20)))
SATUPINTU_EXCHANGE_MAX_RESPONSE_BYTES = int(os.environ.get("SATUPINTU_EXCHANGE_MAX_RESPONSE_BYTES", str(100 * 2**20)))
SATUPINTU_EXCHANGE_MAX_STORED_BODY_BYTES = int(os.environ.get("SATUPINTU_EXCHANGE_MAX_STORED_BODY_BYTES",
                                                              str(2**20)))
SATUPINTU_EXCHANGE_TRUSTED_PROXIES = _env_list("SATUPINTU_EXCHANGE_TRUSTED_PROXIES",
                                               "" if PRODUCTION else "127.0.0.1,::1")
# Addresses the gateway may forward to (exchange/egress.py, ADR 0134): with an allow-list set, only
# those networks; otherwise anything but the denied networks (loopback is denied in production only,
# so the demo and the tests can run providers on 127.0.0.1).
SATUPINTU_EXCHANGE_BACKEND_ALLOWED_NETWORKS = _env_list("SATUPINTU_EXCHANGE_BACKEND_ALLOWED_NETWORKS", "")
SATUPINTU_EXCHANGE_BACKEND_DENIED_NETWORKS = _env_list(
    "SATUPINTU_EXCHANGE_BACKEND_DENIED_NETWORKS",
    "0.0.0.0/8,::/128,169.254.0.0/16,fe80::/10,224.0.0.0/4,ff00::/8,255.255.255.255/32"
    # cloud metadata and host services outside link-local: Alibaba Cloud 100.100.100.200, Azure's
    # WireServer 168.63.129.16, AWS's IPv6 instance metadata fd00:ec2::254
    ",100.100.100.200/32,168.63.129.16/32,fd00:ec2::254/128"
    + (",127.0.0.0/8,::1/128" if PRODUCTION else ""),
)
SATUPINTU_EXCHANGE_CLIENT_CERT_HEADER = os.environ.get("SATUPINTU_EXCHANGE_CLIENT_CERT_HEADER", "X-SSL-Client-Cert")
# Messages from callers that have not authenticated (refused ones, listClients) are logged like any other;
# at most this many per minute per caller address are answered and logged, the rest get 429 (0: no limit).
SATUPINTU_EXCHANGE_UNAUTHENTICATED_PER_MINUTE = int(os.environ.get("SATUPINTU_EXCHANGE_UNAUTHENTICATED_PER_MINUTE",
                                                                   "600"))
SATUPINTU_EXCHANGE_INTROSPECTION_URL = os.environ.get("SATUPINTU_EXCHANGE_INTROSPECTION_URL", "")
SATUPINTU_EXCHANGE_INTROSPECTION_CLIENT_ID = os.environ.get("SATUPINTU_EXCHANGE_INTROSPECTION_CLIENT_ID", "")
SATUPINTU_EXCHANGE_INTROSPECTION_CLIENT_SECRET = _read_secret("SATUPINTU_EXCHANGE_INTROSPECTION_CLIENT_SECRET") or ""
SATUPINTU_EXCHANGE_INTROSPECTION_CACHE_SECONDS = int(
    os.environ.get("SATUPINTU_EXCHANGE_INTROSPECTION_CACHE_SECONDS", "30"))
# Directory lookups (client, service, access right) are cached per process for at most this long;
# any directory change invalidates at once through the shared cache (ADR 0105). 0 = no cache.
SATUPINTU_EXCHANGE_DIRECTORY_CACHE_SECONDS = float(os.environ.get("SATUPINTU_EXCHANGE_DIRECTORY_CACHE_SECONDS", "5"))
SATUPINTU_EXCHANGE_SIGNING_KEY_FILE = os.environ.get("SATUPINTU_EXCHANGE_SIGNING_KEY_FILE", "")
SATUPINTU_EXCHANGE_BODY_KEY_FILE = os.environ.get("SATUPINTU_EXCHANGE_BODY_KEY_FILE", "")
SATUPINTU_EXCHANGE_RETIRED_PUBLIC_KEYS_FILE = os.environ.get("SATUPINTU_EXCHANGE_RETIRED_PUBLIC_KEYS_FILE", "")
# The platform as a client of its own gateway (ADR 0110): once-only prefill from the registers. Each agency's
# hosted client subsystem (code SATUPINTU_EXCHANGE_PLATFORM_SUBSYSTEM) gets client-credentials tokens at the
# platform's own provider with private_key_jwt (RFC 7523), signed by one platform key (dev: var/keys/).
SATUPINTU_EXCHANGE_GATEWAY_URL = os.environ.get("SATUPINTU_EXCHANGE_GATEWAY_URL", SATUPINTU_PUBLIC_URL).rstrip("/")
SATUPINTU_EXCHANGE_TOKEN_URL = os.environ.get("SATUPINTU_EXCHANGE_TOKEN_URL", f"{SATUPINTU_PUBLIC_URL}/o/token/")
SATUPINTU_EXCHANGE_PLATFORM_CLIENT_KEY_FILE = os.environ.get("SATUPINTU_EXCHANGE_PLATFORM_CLIENT_KEY_FILE", "")
SATUPINTU_EXCHANGE_PLATFORM_SUBSYSTEM = os.environ.get("SATUPINTU_EXCHANGE_PLATFORM_SUBSYSTEM", "permohonan")
SATUPINTU_PREFILL_POPULATION_SERVICE = os.environ.get(
    "SATUPINTU_PREFILL_POPULATION_SERVICE", f"{SATUPINTU_EXCHANGE_INSTANCE}/GOV/DUKCAPIL/kependudukan/populasi")
SATUPINTU_PREFILL_TIMEOUT = float(os.environ.get("SATUPINTU_PREFILL_TIMEOUT", "5"))
# Addresses of the exchange gateway; the registers trust the client header only from them.
SATUPINTU_REGISTRIES_GATEWAY_ADDRESSES = _env_list("SATUPINTU_REGISTRIES_GATEWAY_ADDRESSES",
                                                   "" if PRODUCTION else "127.0.0.1,::1")
# GovStack Registration BB API (ADR 0090): the Information Mediator (the platform's own gateway) may name
# the calling system in Information-Mediator-Client / X-Road-Client only from these addresses.
SATUPINTU_REGISTRATION_TRUSTED_PROXIES = _env_list("SATUPINTU_REGISTRATION_TRUSTED_PROXIES",
                                                   "" if PRODUCTION else "127.0.0.1,::1")
# Hours a document uploaded with POST /registration/v1/documents stays usable (ADR 0091).
SATUPINTU_REGISTRATION_DOCUMENT_HOURS = int(os.environ.get("SATUPINTU_REGISTRATION_DOCUMENT_HOURS", "24"))
