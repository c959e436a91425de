"""System checks of our own (``manage.py check --deploy``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.caches, deploy=True)
def shared_cache_in_production(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """``satupintu.W001`` when production runs on a per-process cache: login lockouts and rate
    limits, the exchange directory's change version, token introspection results and the gateway's
    limit on unauthenticated messages are then counted per server process, not per platform."""
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.PRODUCTION and backend.endswith(("locmem.LocMemCache", "dummy.DummyCache")):
        return [Warning("The cache is local to each process (REDIS_URL is not set).",
                        hint="Set REDIS_URL: lockouts, rate limits and the exchange directory's change version "
                             "must be shared by every server process.",
                        id="satupintu.W001")]
    return []
