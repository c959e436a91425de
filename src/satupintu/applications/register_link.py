"""Once-only prefill from the population register, read through the exchange gateway (ADR 0110).

The ``population`` prefill source (registered in :meth:`ApplicationsConfig.ready`) answers claims
such as ``population.address`` for the signed-in citizen. It never reads the register's table: it
calls the register service (``SATUPINTU_PREFILL_POPULATION_SERVICE``) over HTTP through the gateway
as the platform-hosted client subsystem of the agency that owns the online service, naming the
citizen (``X-Road-UserId``) and the purpose. The gateway authenticates that subsystem, checks its
access right, signs and chains the message-log record and records the data access that the citizen
sees under "Siapa yang mengakses data saya".

Claims (from the GovStack DR ``read`` answer): ``name``, ``birth_place``, ``birthdate`` (ISO date),
``sex`` (``L``/``P``), ``address`` (the form's address shape ``{street, rt, rw, region}``, RT/RW
taken from ``"..., RT 001/RW 002"``), ``region`` (kode wilayah), ``family_card_number``.

Failures never break the form (:class:`~satupintu.applications.prefill.PrefillUnavailable` with a
notice): no hosted subsystem for the agency, no token, the gateway refusing (e.g. no access right:
the refusal is in the message log), the gateway, register or provider down or slow. A citizen with
no register record gets no prefill and no notice.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import httpx
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from satupintu.applications.identity_link import user_for
from satupintu.applications.prefill import PrefillContext, PrefillUnavailable
from satupintu.core.principal import Principal
from satupintu.exchange.interface import ExchangeCallFailed, TokenUnavailable, hosted_exchange_client
from satupintu.registries.interface import population_prefill

log = logging.getLogger(__name__)
_RT_RW = re.compile(r",?\s*RT\.?\s*(\d{1,3})\s*/\s*RW\.?\s*(\d{1,3})\s*$", re.IGNORECASE)


def purpose_for(context: PrefillContext) -> str:
    """The purpose stated in ``X-Road-Purpose`` and shown to the citizen (Indonesian, as stored)."""
    return f"Isian otomatis formulir permohonan: {context.service_name}"[:500]


def address_answer(address: str, region: str) -> dict[str, str]:
    """The register's one-line address and kode wilayah in the form's address shape."""
    match = _RT_RW.search(address)
    street = (address[:match.start()] if match else address).strip().rstrip(",;").strip()
    answer = {"street": street[:200], "region": region}
    if match:
        answer["rt"], answer["rw"] = match.group(1), match.group(2)
    return answer


def _unavailable() -> PrefillUnavailable:
    return PrefillUnavailable(_("Data from the population register could not be retrieved right now, so some "
                                "answers are not filled in. Please fill them in yourself."))


class PopulationSource:
    """Prefill from the population register through the exchange (see the module docstring)."""

    name = "population"
    used_notice = gettext_lazy("Some answers were filled in from the population register (Dukcapil) through the "
                               "data exchange; please check them. This read is recorded in your list:")

    def claims(self, principal: Principal, context: PrefillContext | None = None) -> dict[str, Any]:
        """Register claims of ``principal`` (empty for anyone but a citizen with a NIK, or without a
        register record). Raises :class:`PrefillUnavailable` when the read fails."""
        user = user_for(principal.kind, principal.id)
        nik = str(user.nik() or "") if user is not None else ""
        if not nik or context is None:
            return {}
        found = hosted_exchange_client(context.agency_code)
        if found is None:
            log.warning("prefill: agency %s has no platform-hosted exchange client subsystem", context.agency_code)
            raise _unavailable()
        exchange, client_id = found
        try:
            data = population_prefill(nik=nik, purpose=purpose_for(context), exchange=exchange,
                                      service=settings.SATUPINTU_PREFILL_POPULATION_SERVICE)
        except ExchangeCallFailed as exc:
            log.warning("prefill: the gateway refused %s: %s %s (request %s)", client_id, exc.status,
                        exc.xroad_error, exc.request_id)
            raise _unavailable() from exc
        except (TokenUnavailable, httpx.HTTPError, ValueError) as exc:
            log.warning("prefill: population register read failed for %s: %s", client_id, exc)
            raise _unavailable() from exc
        if not data:
            return {}
        return {
            "name": data.get("name"), "birth_place": data.get("birthPlace"), "birthdate": data.get("birthDate"),
            "sex": data.get("sex"), "region": data.get("regionCode"),
            "family_card_number": data.get("familyCardNumber"),
            "address": address_answer(str(data.get("address") or ""), str(data.get("regionCode") or "")),
        }
