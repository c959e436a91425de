"""The exchange directory (members, subsystems, services, access rights), the signed and
hash-chained message log, and the citizens' data-access records.

Identifiers follow the X-Road data model: a *member* is ``INSTANCE/CLASS/CODE`` (e.g.
``SPLP/GOV/DUKCAPIL``), a *subsystem* is ``INSTANCE/CLASS/CODE/SUBSYSTEM``, and a *service* is a
subsystem plus a service code. A client subsystem calls a service only if an :class:`AccessRight`
covers the method and the normalised path.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator, URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from satupintu.core.models import ChainHeadBase, TimeStamped

# X-Road identifier parts: letters, digits and - _ . (no slash, no whitespace).
_IDENT = RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
                        _("Use 1–64 letters, digits, dots, dashes or underscores, starting with a letter or digit."))
_METHOD_LIST = RegexValidator(r"^(|[A-Z]+(,[A-Z]+)*)$",
                              _("Use upper-case HTTP methods separated by commas, e.g. GET,POST; empty means all."))


class Member(TimeStamped):
    """An organisation in the exchange (X-Road *member*), belonging to one agency."""

    instance = models.CharField(_("instance"), max_length=64, validators=[_IDENT])
    member_class = models.CharField(_("member class"), max_length=16, validators=[_IDENT],
                                    help_text=_("e.g. GOV (government), COM (business), NGO"))
    member_code = models.CharField(_("member code"), max_length=64, validators=[_IDENT])
    name = models.CharField(_("name"), max_length=255)
    agency = models.ForeignKey("catalog.Agency", on_delete=models.PROTECT, related_name="exchange_members",
                               verbose_name=_("agency"))

    class Meta:
        ordering = ["instance", "member_class", "member_code"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(fields=["instance", "member_class", "member_code"], name="exchange_member_unique"),
        ]

    def __str__(self) -> str:
        return self.identifier

    @property
    def identifier(self) -> str:
        return f"{self.instance}/{self.member_class}/{self.member_code}"


class Subsystem(TimeStamped):
    """A member's information system (X-Road *subsystem*): a client, a provider, or both.

    A client authenticates as this subsystem with a TLS client certificate whose SHA-256
    fingerprint is ``cert_fingerprint`` or with an OAuth 2.0 access token issued to
    ``oauth_client_id`` (client credentials grant).
    """

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="subsystems", verbose_name=_("member"))
    code = models.CharField(_("subsystem code"), max_length=64, validators=[_IDENT])
    name = models.CharField(_("name"), max_length=255, blank=True)
    cert_fingerprint = models.CharField(
        _("client certificate SHA-256 fingerprint"), max_length=64, blank=True,
        validators=[RegexValidator(r"^[0-9a-f]{64}$", _("64 lower-case hexadecimal characters."))],
    )
    oauth_client_id = models.CharField(_("OAuth client id"), max_length=255, blank=True)

    class Meta:
        ordering = ["member__instance", "member__member_class", "member__member_code", "code"]
        verbose_name = _("subsystem")
        verbose_name_plural = _("subsystems")
        constraints = [
            models.UniqueConstraint(fields=["member", "code"], name="exchange_subsystem_unique"),
            # A certificate fingerprint is unique only within the member's agency, checked in
            # access.check_identifiers (ADR 0143): a platform-wide rule let one agency block another.
            # Conditional unique rules: Django shows their violation_error_message (else the bare
            # "Constraint “exchange_subsystem_oauth_unique” is violated.").
            models.UniqueConstraint(fields=["oauth_client_id"], condition=~models.Q(oauth_client_id=""),
                                    name="exchange_subsystem_oauth_unique", violation_error_message=_(
                                        "Another subsystem already uses this OAuth client id.")),
        ]

    def __str__(self) -> str:
        return self.identifier

    @property
    def identifier(self) -> str:
        """``INSTANCE/CLASS/MEMBER/SUBSYSTEM`` (the X-Road client id, also the principal id)."""
        return f"{self.member.identifier}/{self.code}"


class Service(TimeStamped):
    """A REST service offered by a provider subsystem, forwarded to ``backend_url``.

    ``personal_data``: calls must name the data subject (``X-Road-UserId``) and a purpose, and
    every successful call is recorded as a :class:`DataAccess`. ``store_bodies``: the message log
    keeps the request and response bodies encrypted (AES-256-GCM), up to a size limit.
    """

    provider = models.ForeignKey(Subsystem, on_delete=models.CASCADE, related_name="services",
                                 verbose_name=_("provider subsystem"))
    service_code = models.CharField(_("service code"), max_length=64, validators=[_IDENT])
    version = models.CharField(_("version"), max_length=32, blank=True, default="v1")
    title = models.CharField(_("title"), max_length=255, blank=True)
    backend_url = models.URLField(_("backend base URL"), max_length=500, validators=[URLValidator(["http", "https"])],
                                  help_text=_("http(s) URL the gateway forwards to; only this URL is ever called."))
    openapi = models.TextField(_("OpenAPI document"), blank=True, help_text=_("JSON or YAML"))
    personal_data = models.BooleanField(_("serves personal data"), default=False)
    data_items = models.CharField(_("personal data items"), max_length=500, blank=True,
                                  help_text=_("Comma-separated, e.g. name,date of birth,address"))
    legal_basis = models.CharField(_("legal basis"), max_length=500, blank=True)
    store_bodies = models.BooleanField(_("store message bodies (encrypted)"), default=False)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        ordering = ["provider__member__member_code", "provider__code", "service_code"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        constraints = [
            models.UniqueConstraint(fields=["provider", "service_code"], name="exchange_service_unique"),
        ]

    def __str__(self) -> str:
        return self.identifier

    @property
    def identifier(self) -> str:
        return f"{self.provider.identifier}/{self.service_code}"

    def clean(self) -> None:
        """The OpenAPI document must parse (JSON or YAML) to an object; a personal-data service must
        state its legal basis (shown to citizens in the data tracker); the backend URL must not point
        at an address the gateway may not forward to (:func:`satupintu.exchange.egress.refusal`,
        ADR 0134)."""
        import yaml

        from satupintu.exchange.egress import refusal

        errors: dict[str, str] = {}
        if self.backend_url and (reason := refusal(self.backend_url, unresolvable_ok=True)):
            errors["backend_url"] = reason
        if self.openapi.strip():
            try:
                parsed = yaml.safe_load(self.openapi)
            except yaml.YAMLError:
                parsed = None
            if not isinstance(parsed, dict):
                errors["openapi"] = str(_("The OpenAPI document must be a JSON or YAML object."))
        if self.personal_data and not self.legal_basis.strip():
            errors["legal_basis"] = str(_("A service that serves personal data must state its legal basis."))
        if errors:
            raise ValidationError(errors)

    def data_item_list(self) -> list[str]:
        return [item.strip() for item in self.data_items.split(",") if item.strip()]


class AccessRight(TimeStamped):
    """``client`` may call ``service``; optionally only ``methods`` (``GET,POST``) and only paths
    under one of ``path_prefixes`` (one per line, matched on the normalised path)."""

    client = models.ForeignKey(Subsystem, on_delete=models.CASCADE, related_name="access_rights",
                               verbose_name=_("client subsystem"))
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="access_rights",
                                verbose_name=_("service"))
    methods = models.CharField(_("methods"), max_length=200, blank=True, validators=[_METHOD_LIST],
                               help_text=_("e.g. GET,POST; empty means every method"))
    path_prefixes = models.TextField(_("path prefixes"), blank=True,
                                     help_text=_("One per line, each starting with /; empty means every path"))

    class Meta:
        verbose_name = _("access right")
        verbose_name_plural = _("access rights")
        constraints = [models.UniqueConstraint(fields=["client", "service"], name="exchange_right_unique")]

    def __str__(self) -> str:
        return f"{self.client_id} → {self.service_id}"

    def clean(self) -> None:
        """Each path prefix starts with ``/`` and has no dot-segments (it is compared with normalised paths)."""
        for prefix in self.prefix_list():
            if not prefix.startswith("/") or any(seg in {".", ".."} for seg in prefix.split("/")):
                raise ValidationError({"path_prefixes": _("Each path prefix must start with / and contain no . or .. "
                                                          "segments.")})

    def method_list(self) -> list[str]:
        return [m for m in self.methods.split(",") if m]

    def prefix_list(self) -> list[str]:
        return [line.strip() for line in self.path_prefixes.splitlines() if line.strip()]


class MessageLog(models.Model):
    """One exchange message (request + response), signed and chained. Never updated.

    ``hash = SHA-256(prev_hash_bytes || JCS(canonical_fields()))``; ``signature`` is a detached
    JWS (RFC 7515 Appendix F, alg Ed25519 per RFC 9864) over ``JCS(canonical_fields())``.
    """

    seq = models.BigAutoField(primary_key=True)
    request_id = models.CharField(_("request id"), max_length=64)
    logged_at = models.DateTimeField(_("logged at (UTC)"))
    started_at = models.DateTimeField(_("received at (UTC)"))
    client = models.CharField(_("client"), max_length=300)
    service = models.CharField(_("service"), max_length=300)
    method = models.CharField(_("method"), max_length=16)
    path = models.CharField(_("path"), max_length=2000)
    status = models.PositiveSmallIntegerField(_("status"))
    error = models.CharField(_("X-Road error"), max_length=100, blank=True)
    user_id = models.CharField(_("user id (masked)"), max_length=100, blank=True)
    issue = models.CharField(_("issue"), max_length=200, blank=True)
    duration_ms = models.FloatField(_("total time (ms)"))
    backend_ms = models.FloatField(_("backend time (ms)"), null=True)
    request_size = models.BigIntegerField(_("request bytes"))
    response_size = models.BigIntegerField(_("response bytes"))
    request_sha256 = models.CharField(max_length=64)
    response_sha256 = models.CharField(max_length=64)
    request_body = models.BinaryField(null=True, editable=False)
    response_body = models.BinaryField(null=True, editable=False)
    key_id = models.CharField(max_length=64)
    signature = models.TextField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        verbose_name = _("message log record")
        verbose_name_plural = _("message log")
        # Every message writes every index before the gateway answers, so only what the reads need
        # (ADR 0123): the request id (unique: a message is logged once; support looks it up), the
        # time window of the monitoring page and of exports, and per-service time windows. No
        # pattern-ops copies (PostgreSQL), no index on ``hash`` (the chain is checked by walking
        # ``seq``; a record's hash covers its unique request id, so it is unique anyway).
        constraints = [models.UniqueConstraint(fields=["request_id"], name="exchange_log_request_id_unique")]
        indexes = [models.Index(fields=["logged_at"], name="exchange_log_time"),
                   models.Index(fields=["service", "logged_at"], name="exchange_log_service_time")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.method} {self.service} {self.status}"

    def canonical_fields(self) -> dict[str, Any]:
        """Fields covered by the hash and the signature (bodies are covered by their SHA-256)."""
        return {
            "seq": self.seq,
            "request_id": self.request_id,
            "logged_at": self.logged_at.isoformat(timespec="microseconds"),
            "started_at": self.started_at.isoformat(timespec="microseconds"),
            "client": self.client,
            "service": self.service,
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "error": self.error,
            "user_id": self.user_id,
            "issue": self.issue,
            "duration_ms": round(self.duration_ms, 3),
            "backend_ms": None if self.backend_ms is None else round(self.backend_ms, 3),
            "request_size": self.request_size,
            "response_size": self.response_size,
            "request_sha256": self.request_sha256,
            "response_sha256": self.response_sha256,
            "key_id": self.key_id,
            "prev_hash": self.prev_hash,
        }


class LogHead(ChainHeadBase):
    """The single row with the message log's latest sequence number and hash (the append lock)."""

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="exchange_log_head_singleton")]


class DataAccess(models.Model):
    """A read of a citizen's personal data ("Siapa yang mengakses data saya").

    ``subject_index`` is the keyed HMAC-SHA-256 blind index of the NIK, never the NIK itself.
    """

    occurred_at = models.DateTimeField(_("time (UTC)"), db_index=True)
    subject_index = models.CharField(max_length=64)
    agency_code = models.CharField(_("agency"), max_length=64)
    agency_name = models.CharField(_("agency name"), max_length=255)
    client = models.CharField(_("client subsystem"), max_length=300)
    service = models.CharField(_("service"), max_length=300)
    record = models.CharField(_("record"), max_length=2000)
    data_items = models.JSONField(_("data items"), default=list)
    purpose = models.CharField(_("purpose"), max_length=500)
    legal_basis = models.CharField(_("legal basis"), max_length=500, blank=True)
    request_id = models.CharField(_("request id"), max_length=64)
    message = models.ForeignKey(MessageLog, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        ordering = ["-occurred_at"]
        # The citizen's list: equality on the blind index, newest first (no pattern-ops copy).
        indexes = [models.Index(fields=["subject_index", "occurred_at"], name="exchange_access_subject_time")]
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.agency_code} {self.service}"
