"""Accounts (citizens and officers) and the OIDC relying-party settings and consents.

The user model (``AUTH_USER_MODEL = "identity.User"``) keeps both kinds of people:

* a **citizen** (warga) has a NIK, stored encrypted (:mod:`satupintu.identity.crypto`) with a
  blind index for lookup/uniqueness and a masked copy for display;
* an **officer** (petugas) has a NIP, one agency (instansi) and roles; officers must use MFA.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from satupintu.core.principal import ROLE_NAMES, Principal


class Kind(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    OFFICER = "officer", _("Officer")


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Role(models.TextChoices):
    OPERATOR = "operator", _("Operator")
    VERIFIER = "verifier", _("Verifier")
    APPROVER = "approver", _("Approver")
    AGENCY_ADMIN = "agency_admin", _("Agency administrator")
    AUDITOR = "auditor", _("Auditor")
    SPBE_COORDINATOR = "spbe_coordinator", _("SPBE coordinator")
    PLATFORM_ADMIN = "platform_admin", _("Platform administrator")


NATIONAL_ROLES = frozenset({Role.PLATFORM_ADMIN.value, Role.AUDITOR.value, Role.SPBE_COORDINATOR.value})


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str | None, password: str | None = None, **extra: Any) -> User:
        """Low-level creation (tests, commands). Citizens should go through
        :func:`satupintu.identity.actions.citizen_register`."""
        user = self.model(email=(self.normalize_email(email).lower() or None) if email else None, **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        """A platform admin (officer, ``platform_admin`` role, staff + superuser). MFA is
        required at first sign-in (officer rule)."""
        extra.setdefault("full_name", "Platform admin")
        extra.update(kind=Kind.OFFICER, is_staff=True, is_superuser=True, roles=[Role.PLATFORM_ADMIN.value])
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: citizen or officer. ``email`` (unique, lower-cased) is the
    sign-in name of officers; citizens sign in with their NIK, e-mail or verified mobile number
    and may have only one of e-mail and mobile number (``email`` is NULL when they have none)."""

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.CITIZEN)
    email = models.EmailField(_("e-mail address"), max_length=254, unique=True, null=True, blank=True)
    full_name = models.CharField(_("full name"), max_length=200)
    phone = models.CharField(_("mobile number"), max_length=16, blank=True)
    phone_verified = models.BooleanField(_("mobile number verified"), default=False)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    # NIK: encrypted (nonce||ciphertext||tag), key id, blind index, masked display copy.
    nik_ciphertext = models.BinaryField(null=True, blank=True, editable=False)
    nik_key_id = models.CharField(max_length=16, blank=True, editable=False)
    nik_index = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    nik_masked = models.CharField(_("NIK"), max_length=16, blank=True, editable=False)
    # Officers.
    nip = models.CharField(_("NIP"), max_length=18, unique=True, null=True, blank=True)
    agency = models.ForeignKey(
        "catalog.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="officers",
        verbose_name=_("agency"),
    )
    roles = models.JSONField(_("roles"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("back-office access"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="officer") | (models.Q(nip__isnull=True) & models.Q(agency__isnull=True)),
                name="identity_user_citizen_has_no_nip_or_agency",
            ),
            models.CheckConstraint(
                condition=models.Q(nik_index__isnull=True) | models.Q(kind="citizen"),
                name="identity_user_nik_only_for_citizens",
            ),
            # Every account can be reached: an e-mail address, or (citizens) a mobile number.
            models.CheckConstraint(
                condition=models.Q(email__isnull=False) | (models.Q(kind="citizen") & ~models.Q(phone="")),
                name="identity_user_has_email_or_phone",
            ),
            # A verified mobile number signs in and resets passwords: one account per number.
            models.UniqueConstraint(fields=["phone"], condition=models.Q(phone_verified=True),
                                    name="identity_user_verified_phone_unique", violation_error_message=_(
                                        "Another account has already verified this mobile number.")),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email or self.phone

    def clean(self) -> None:
        super().clean()
        self.email = (self.email or "").strip().lower() or None
        if self.email is None and (self.kind != Kind.CITIZEN or not self.phone):
            raise ValidationError({"email": _("Enter an e-mail address or a mobile number.")})
        if not isinstance(self.roles, list) or not all(isinstance(r, str) for r in self.roles):
            raise ValidationError({"roles": _("Roles must be a list of role names, for example [\"verifier\"].")})
        unknown = [r for r in self.roles if r not in ROLE_NAMES]
        if unknown:
            raise ValidationError({"roles": _("Unknown role: %(roles)s.") % {"roles": ", ".join(map(str, unknown))}})
        if self.kind == Kind.CITIZEN and (self.roles or self.nip or self.agency_id):
            raise ValidationError(_("A citizen account has no NIP, agency or roles."))
        # National roles may be held without an agency (platform admins, national auditors, the SPBE
        # coordinator); every other role acts inside one agency.
        if self.kind == Kind.OFFICER and not self.agency_id and set(self.roles or []) - NATIONAL_ROLES:
            raise ValidationError({"agency": _("An officer with agency roles needs an agency.")})

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else (self.email or self.phone)

    @property
    def is_officer(self) -> bool:
        return self.kind == Kind.OFFICER

    def nik(self) -> str | None:
        """The clear NIK (decrypted). Only for the owner's own pages and the OIDC ``nik`` claim
        of allowed clients; everywhere else use :attr:`nik_masked`."""
        if not self.nik_ciphertext:
            return None
        from satupintu.identity.crypto import decrypt_nik

        return decrypt_nik(bytes(self.nik_ciphertext), self.nik_key_id)

    def set_nik(self, nik: str) -> None:
        """Store a validated NIK encrypted with the active key, its blind index and mask."""
        from satupintu.identity.crypto import encrypt_nik, mask_nik, nik_blind_index

        self.nik_ciphertext, self.nik_key_id = encrypt_nik(nik)
        self.nik_index = nik_blind_index(nik)
        self.nik_masked = mask_nik(nik)

    def as_principal(self) -> Principal:
        """The acting principal: ``citizen`` or ``officer`` with agency code and roles.
        Never carries the NIK (``display`` is the full name)."""
        roles = frozenset(self.roles or [])
        if self.is_superuser:
            roles = roles | {Role.PLATFORM_ADMIN.value}
        agency = self.agency.code if self.agency_id and self.agency is not None else None
        kind: Any = "officer" if self.kind == Kind.OFFICER else "citizen"
        return Principal(kind=kind, id=str(self.pk), display=self.full_name[:120], agency=agency, roles=roles)


class Address(models.Model):
    """A citizen's address, kept in the shape of the OpenID Connect ``address`` claim (OIDC Core
    §5.1.1): ``street_address`` (street, house number, RT/RW) as typed; the kode wilayah of the
    village (regions app) and the names it had when saved: ``village`` and ``district`` (part of
    ``formatted``), ``locality`` (regency/city), ``region`` (province); ``postal_code`` (five
    digits); the country is Indonesia. Names are a snapshot so a later region split does not
    silently move someone's address."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="address", verbose_name=_("user"))
    street_address = models.CharField(_("street address"), max_length=200)
    region_code = models.CharField(_("region code"), max_length=13)
    village = models.CharField(_("village"), max_length=100)
    district = models.CharField(_("district"), max_length=100)
    locality = models.CharField(_("regency/city"), max_length=100)
    region = models.CharField(_("province"), max_length=100)
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    COUNTRY = "Indonesia"

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        constraints = [
            models.CheckConstraint(condition=models.Q(postal_code="") | models.Q(postal_code__regex=r"^[0-9]{5}$"),
                                   name="identity_address_postal_code_five_digits"),
        ]

    def __str__(self) -> str:
        return self.formatted

    @property
    def formatted(self) -> str:
        """One line per component, as OIDC Core §5.1.1 suggests for ``formatted``."""
        last = " ".join(p for p in (self.locality, self.postal_code) if p)
        return "\n".join(p for p in (self.street_address, f"{self.village}, {self.district}", last, self.region,
                                     self.COUNTRY) if p)

    def claim(self) -> dict[str, str]:
        """The ``address`` claim (JSON object, OIDC Core §5.1.1); empty members are left out."""
        value = {"formatted": self.formatted, "street_address": self.street_address, "locality": self.locality,
                 "region": self.region, "postal_code": self.postal_code, "country": self.COUNTRY}
        return {k: v for k, v in value.items() if v}


class RelyingParty(models.Model):
    """Platform settings of one OIDC client (django-oauth-toolkit ``Application``).

    ``sector`` groups clients that may share pairwise ``sub`` values (one agency's apps);
    ``public_sub`` lets a client receive the account's public ``sub`` instead of a pairwise
    one; ``allow_nik`` is needed for the ``nik`` scope; ``allowed_scopes`` caps what it may ask;
    ``required_loa`` is the minimum level of assurance for its sign-ins; ``jwks`` holds the
    public keys for ``private_key_jwt`` client authentication (RFC 7523). ``active`` off disables
    the client at once (ADR 0117): no authorization, no token, its tokens refused and introspected
    as inactive; turning it on again restores them (while unexpired). ``may_introspect`` lets the
    client, authenticating with its own credentials, ask ``/o/introspect/`` about any token
    (RFC 7662 §4: only protected resources the server has authorised; off by default, ADR 0135).
    """

    application = models.OneToOneField(
        "oauth2_provider.Application", on_delete=models.CASCADE, related_name="relying_party",
        verbose_name=_("application"),
    )
    agency = models.ForeignKey("catalog.Agency", on_delete=models.PROTECT, null=True, blank=True,
                               verbose_name=_("agency"))
    allowed_scopes = models.CharField(_("allowed scopes"), max_length=200, default="openid profile email")
    allow_nik = models.BooleanField(_("may receive NIK"), default=False)
    public_sub = models.BooleanField(_("public subject identifier"), default=False)
    sector = models.CharField(_("sector identifier"), max_length=100, blank=True,
                              help_text=_("Clients with the same sector receive the same pairwise sub."))
    required_loa = models.CharField(_("required level of assurance"), max_length=8,
                                    choices=[("loa1", "loa1"), ("loa2", "loa2")], default="loa1")
    logo = models.URLField(_("logo URL"), blank=True)
    privacy_policy_url = models.URLField(_("privacy policy URL"), blank=True)
    jwks = models.JSONField(_("public keys (JWKS) for private_key_jwt"), null=True, blank=True)
    active = models.BooleanField(
        _("active"), default=True,
        help_text=_("Untick to disable the client at once: no sign-ins, no tokens, its tokens stop working."))
    may_introspect = models.BooleanField(
        _("may introspect tokens"), default=False,
        help_text=_("Tick only for a resource server, such as the exchange gateway's introspection client: it may "
                    "ask /o/introspect/ about any token (its scope, client and expiry)."))

    class Meta:
        verbose_name = _("relying party")
        verbose_name_plural = _("relying parties")

    def __str__(self) -> str:
        return str(self.application)

    def scope_set(self) -> set[str]:
        return set(self.allowed_scopes.split())


class Consent(models.Model):
    """A citizen's consent to share ``scopes`` with one client; remembered until revoked."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consents")
    application = models.ForeignKey("oauth2_provider.Application", on_delete=models.CASCADE, related_name="+")
    scopes = models.CharField(max_length=200)
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "application"], name="identity_consent_one_per_client")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.application_id}: {self.scopes}"

    def covers(self, scopes: set[str]) -> bool:
        return scopes <= set(self.scopes.split())


class SignInContext(models.Model):
    """How the user authenticated for one authorization code or refresh-token family:
    ``acr`` (loa1/loa2) and ``auth_time``, carried into every ID token of that grant."""

    key = models.CharField(max_length=80, unique=True)
    acr = models.CharField(max_length=8)
    auth_time = models.DateTimeField()
    access_token_checksum = models.CharField(max_length=64, blank=True)
    token_family = models.UUIDField(null=True, blank=True)
    used = models.BooleanField(default=False)
    # A code's authorization request carried redirect_uri, so its token request must carry the same
    # value (RFC 6749 §4.1.3); without it the client's default URI may be omitted there too.
    redirect_uri_sent = models.BooleanField(default=False)
    created = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.key[:12]} {self.acr}"
