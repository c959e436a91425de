"""What other apps use from the registries: the once-only prefill source.

:func:`population_prefill` reads the population register **through the exchange gateway** (never the
table), so each prefill is a logged exchange message and appears in the citizen's
"Siapa yang mengakses data saya" list.
"""

from __future__ import annotations

from typing import Any

from satupintu.exchange.client import ExchangeClient

POPULATION_PATH = "/data/penduduk/1.0/read"


def population_prefill(*, nik: str, purpose: str, exchange: ExchangeClient, service: str) -> dict[str, Any] | None:
    """The resident's register data for prefilling a form, or ``None`` when the register has no
    such NIK. ``service`` is the population service id
    (``INSTANCE/GOV/DUKCAPIL/<subsystem>/<serviceCode>``). Field names follow the register
    (``name``, ``birthPlace``, ``birthDate``, ``sex``, ``address``, ``regionCode``,
    ``familyCardNumber``). Raises :class:`~satupintu.exchange.client.ExchangeCallFailed` when the
    gateway refuses the call."""
    response = exchange.call("POST", service, POPULATION_PATH, json={"query": {"content": {"nik": nik}}},
                             user_id=nik, purpose=purpose)
    if response.status_code == 404:
        return None
    response.raise_for_status()
    content = response.json().get("content")
    return dict(content) if isinstance(content, dict) else None
