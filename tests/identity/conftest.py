"""Fixtures for identity tests: an agency, citizens, officers and OIDC clients."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from satupintu.identity import testing

CLIENT_SECRET = "rahasia-klien-yang-panjang-sekali-0123456789"


@pytest.fixture(autouse=True)
def _clear_rate_limits() -> None:
    cache.clear()


@pytest.fixture(autouse=True)
def sms_outbox(settings):  # noqa: ANN001, ANN201
    """SMS captured in memory (like ``mail.outbox``)."""
    from satupintu.identity import sms

    settings.SATUPINTU_SMS_BACKEND = "satupintu.identity.sms.LocmemBackend"
    sms.outbox.clear()
    return sms.outbox


@pytest.fixture
def agency(db):  # noqa: ANN001, ANN201
    from satupintu.catalog.models import Agency

    return Agency.objects.create(code="dukcapil", name_id="Ditjen Dukcapil", kind="lembaga")


@pytest.fixture
def citizen(db):  # noqa: ANN001, ANN201
    return testing.make_citizen()


@pytest.fixture
def make_client(db, agency):  # noqa: ANN001, ANN201
    """Factory for OIDC clients: confidential by default with a known secret."""
    from oauth2_provider.models import Application

    from satupintu.identity.models import RelyingParty

    def _make(*, name: str = "Layanan KTP", client_type: str = "confidential",
              grant_type: str = "authorization-code", redirect_uris: str = "https://rp.example.go.id/callback",
              secret: str = CLIENT_SECRET, allowed_scopes: str = "openid profile email",
              allow_nik: bool = False, public_sub: bool = False, sector: str = "", required_loa: str = "loa1",
              skip_authorization: bool = False, post_logout_redirect_uris: str = "",
              may_introspect: bool = False) -> Application:
        app = Application.objects.create(
            name=name, client_type=client_type, authorization_grant_type=grant_type, redirect_uris=redirect_uris,
            client_secret=secret, algorithm="RS256", skip_authorization=skip_authorization,
            post_logout_redirect_uris=post_logout_redirect_uris or redirect_uris.split()[0].rsplit("/", 1)[0] + "/",
        )
        app.raw_secret = secret  # type: ignore[attr-defined]
        RelyingParty.objects.create(application=app, agency=agency, allowed_scopes=allowed_scopes,
                                    allow_nik=allow_nik, public_sub=public_sub, sector=sector,
                                    required_loa=required_loa, may_introspect=may_introspect)
        return app

    return _make
