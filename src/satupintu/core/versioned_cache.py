"""A per-process cache whose entries all expire at once when a watched model changes in any process
(ADR 0105, generalised by ADR 0111). Used by the exchange directory and the OIDC client lookup.

The rule: a looked-up value is reused in this process for at most ``settings.<ttl_setting>``
seconds (0 or less turns the cache off), and never after a change: a ``post_save``/``post_delete``
of a watched model bumps a version in this process at once and in the shared Django cache (Redis in
production) at once and again on commit; every lookup compares both versions with those its entry
was stored under. So a change made through the ORM takes effect on the next lookup in every process
that shares the cache; a write that sends no signal (bulk ``QuerySet.update``, raw SQL) or a
deployment without a shared cache (local memory per process) is bounded by the TTL. If the shared
cache cannot be read, every lookup goes to ``load`` (the database), never to a possibly stale entry.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save

log = logging.getLogger(__name__)

V = TypeVar("V")


class VersionedCache(Generic[V]):
    """Process-local entries checked against a version in the shared cache (module docstring).

    ``name`` names the shared version key (``<name>:version``) and log lines; ``ttl_setting`` is the
    name of the Django setting holding the TTL in seconds (read at every lookup, so tests can change
    it); at most ``max_entries`` entries are kept (all are dropped when full); ``cache_misses=False``
    does not store a ``None`` result (so unknown keys cannot fill the cache)."""

    def __init__(self, name: str, *, ttl_setting: str, max_entries: int = 10_000,
                 cache_misses: bool = True) -> None:
        self.name = name
        self.version_key = f"{name}:version"
        self._ttl_setting = ttl_setting
        self._max_entries = max_entries
        self._cache_misses = cache_misses
        self._lock = threading.Lock()
        self._local_version = 0
        self._entries: dict[Hashable, tuple[float, tuple[int, Any], V | None]] = {}

    def get(self, key: Hashable, load: Callable[[], V | None]) -> V | None:
        """The value for ``key``: a valid entry of this process, else ``load()`` (then stored).
        The caller must not mutate what it gets (it is shared by every thread of the process)."""
        ttl = float(getattr(settings, self._ttl_setting))
        if ttl <= 0:
            return load()
        shared = self._shared_version()
        if shared is None:
            return load()
        now = time.monotonic()
        version = (self._local_version, shared)
        hit = self._entries.get(key)
        if hit is not None and hit[0] > now and hit[1] == version:
            return hit[2]
        value = load()
        if value is None and not self._cache_misses:
            return None
        with self._lock:
            if version[0] == self._local_version:  # no change in this process while we loaded it
                if len(self._entries) >= self._max_entries:
                    self._entries.clear()
                self._entries[key] = (now + ttl, version, value)
        return value

    def invalidate(self) -> None:
        """Forget every entry in this process and tell the other processes (via the shared cache)."""
        with self._lock:
            self._local_version += 1
            self._entries.clear()
        self.publish()

    def publish(self) -> None:
        """Bump the shared version only: what a change in another process does to this one."""
        try:
            if not cache.add(self.version_key, 1, timeout=None):
                cache.incr(self.version_key)
        except ValueError:  # expired between add and incr
            cache.set(self.version_key, 1, timeout=None)
        except Exception:
            log.warning("%s: could not publish a change to the shared cache", self.name, exc_info=True)

    def forget_local(self) -> None:
        """Drop this process's entries without publishing anything (as a newly started process
        would have none); the shared version is left as it is."""
        with self._lock:
            self._entries.clear()

    def watch(self, *models: type[Model]) -> None:
        """Invalidate on every ``post_save``/``post_delete`` of ``models`` (call from ``AppConfig.ready``)."""
        for model in models:
            label = f"{self.name}-{model._meta.label}"
            post_save.connect(self._changed, sender=model, dispatch_uid=f"{label}-save")
            post_delete.connect(self._changed, sender=model, dispatch_uid=f"{label}-delete")

    def _changed(self, **_kwargs: Any) -> None:
        self.invalidate()
        # Again after commit: a process that read the old rows between the first bump and the commit
        # cached them under the first bumped version.
        transaction.on_commit(self.invalidate)

    def _shared_version(self) -> Any:
        """The version in the shared cache; ``None`` when the cache cannot be read."""
        try:
            return cache.get(self.version_key, 0)
        except Exception:  # a cache outage must not stop the caller: fall back to the database
            log.warning("%s: shared cache unreadable, loading from the database", self.name, exc_info=True)
            return None
