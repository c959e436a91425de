"""``satupintu demo-accounts``: a citizen, one officer per role of one agency, and a platform
admin, for trying every role locally. Idempotent; refused when ``SATUPINTU_ENV=production``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

ROLES = ["operator", "verifier", "approver", "agency_admin", "auditor", "spbe_coordinator"]
# The roles whose work is in the back-office (/kelola/): the agency admin manages the agency's
# exchange directory entries and catalogue services. (An agency's auditor sees no message log
# there: exchange.selectors.messages_visible_to shows it to national auditors only.)
BACK_OFFICE_ROLES = {"agency_admin"}
BIRTH = dt.date(1990, 5, 17)
PHONE_ONLY = "+6281200000001"
OFFICER_AGENCY = "dukcapil"


class Command(BaseCommand):
    help = "Create demo accounts (citizen, one officer per role, platform admin). Not in production."

    def handle(self, *args: Any, **options: Any) -> None:
        if getattr(settings, "PRODUCTION", False) or settings.ENV == "production":
            raise CommandError("demo-accounts is refused when SATUPINTU_ENV=production.")
        from allauth.mfa.models import Authenticator

        from satupintu.audit.actions import record
        from satupintu.catalog.models import Agency
        from satupintu.core.principal import Principal
        from satupintu.identity.models import Kind, User
        from satupintu.identity.testing import PASSWORD, activate_totp, valid_nik, valid_nip, verify_email

        rows: list[tuple[str, str | None, str]] = []
        with transaction.atomic():
            # The officers work for Ditjen Dukcapil when the catalogue is loaded (it owns four of the six
            # online services, so a demo application can be processed end to end); else a demo agency.
            agency = Agency.objects.filter(code=OFFICER_AGENCY).first() or Agency.objects.get_or_create(
                code="demo-dukcapil", defaults={"name_id": "Dinas Dukcapil (demo)", "name_en": "Civil registry (demo)",
                                                "kind": "lembaga"})[0]
            citizen = User.objects.filter(email="warga@demo.satupintu.id").first()
            if citizen is None:
                from satupintu.identity.actions import citizen_register

                nik = valid_nik(birth_date=BIRTH, sex="F", serial=1)
                citizen = citizen_register(email="warga@demo.satupintu.id", full_name="Siti Aminah (demo)",
                                           nik=nik, birth_date=BIRTH, sex="F", password=PASSWORD)
            verify_email(citizen)
            rows.append(("citizen", citizen.email, f"NIK {citizen.nik()}"))
            rows.append(("citizen (phone only)", PHONE_ONLY, f"NIK {self._phone_only_citizen().nik()}"))
            for i, role in enumerate(ROLES, start=1):
                email = f"{role}@demo.satupintu.id"
                user = User.objects.filter(email=email).first()
                if user is None:
                    user = User(kind=Kind.OFFICER, email=email, full_name=f"Petugas {role} (demo)",
                                nip=valid_nip(serial=i), agency=agency, roles=[role],
                                is_staff=role in BACK_OFFICE_ROLES)
                    user.set_password(PASSWORD)
                    user.full_clean(exclude=["password"])
                    user.save()
                elif user.agency_id != agency.pk and user.agency and user.agency.code == "demo-dukcapil":
                    user.agency = agency  # an earlier run, before the catalogue was loaded
                    user.save(update_fields=["agency"])
                if role in BACK_OFFICE_ROLES and not user.is_staff:  # accounts of earlier runs too
                    user.is_staff = True
                    user.save(update_fields=["is_staff"])
                verify_email(user)
                rows.append((f"officer/{role}", email, self._totp(user, Authenticator, activate_totp)))
            admin = User.objects.filter(email="admin@demo.satupintu.id").first()
            if admin is None:
                admin = User.objects.create_superuser("admin@demo.satupintu.id", PASSWORD,
                                                      full_name="Admin platform (demo)")
            verify_email(admin)
            rows.append(("platform_admin", admin.email, self._totp(admin, Authenticator, activate_totp)))
            record(actor=Principal.platform(), action="demo.accounts_created", details={"count": len(rows)})
        self.stdout.write(f"Demo accounts (password for all: {PASSWORD}); officers work for {agency.code} "
                          f"({agency.name_id}) and process its online applications:")
        for role, login, extra in rows:
            self.stdout.write(f"  {role:24} {login or '':36} {extra}")

    @staticmethod
    def _phone_only_citizen() -> Any:
        """A citizen with a verified mobile number and no e-mail (signs in by number or NIK)."""
        from satupintu.identity.actions import citizen_register
        from satupintu.identity.models import User
        from satupintu.identity.testing import PASSWORD, valid_nik

        user = User.objects.filter(phone=PHONE_ONLY, phone_verified=True).first()
        if user is None:
            user = citizen_register(email="", phone=PHONE_ONLY, full_name="Sukarni (demo)",
                                    nik=valid_nik(birth_date=BIRTH, sex="F", serial=2), birth_date=BIRTH, sex="F",
                                    password=PASSWORD)
            User.objects.filter(pk=user.pk).update(phone_verified=True)
        return user

    @staticmethod
    def _totp(user: Any, authenticator_model: Any, activate: Any) -> str:
        existing = authenticator_model.objects.filter(user=user, type=authenticator_model.Type.TOTP).first()
        secret = existing.wrap().instance.data["secret"] if existing is not None else activate(user)
        from allauth.mfa.utils import decrypt

        return f"TOTP secret {decrypt(secret) if existing is not None else secret}"
