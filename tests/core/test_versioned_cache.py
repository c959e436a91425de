"""The per-process cache with a shared version (ADR 0105/0111). Two ``VersionedCache`` objects with the
same name stand for two processes: they share only the Django cache, as two workers share Redis."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from satupintu.catalog.models import Agency
from satupintu.core.versioned_cache import VersionedCache

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _ttl(settings) -> None:  # noqa: ANN001
    settings.TEST_VERSIONED_CACHE_SECONDS = 3600  # no expiry during a test
    cache.clear()


def _counting_loader(values: list[str]):  # noqa: ANN202
    calls: list[str] = []

    def load() -> str:
        calls.append("load")
        return values[-1]

    return load, calls


def test_a_value_is_loaded_once_and_then_served_from_the_process() -> None:
    process = VersionedCache("test:one", ttl_setting="TEST_VERSIONED_CACHE_SECONDS")
    load, calls = _counting_loader(["v1"])
    assert process.get("k", load) == "v1"
    assert process.get("k", load) == "v1"
    assert calls == ["load"]


def test_a_change_in_one_process_reaches_the_other_on_its_next_lookup() -> None:
    writer = VersionedCache("test:two", ttl_setting="TEST_VERSIONED_CACHE_SECONDS")
    reader = VersionedCache("test:two", ttl_setting="TEST_VERSIONED_CACHE_SECONDS")
    values = ["old"]
    load, calls = _counting_loader(values)
    assert reader.get("k", load) == "old"
    values.append("new")
    assert reader.get("k", load) == "old"  # nothing published yet: the reader keeps its entry
    writer.invalidate()
    assert reader.get("k", load) == "new"
    assert calls == ["load", "load"]


def test_a_save_of_a_watched_model_invalidates_every_process() -> None:
    writer = VersionedCache("test:watch", ttl_setting="TEST_VERSIONED_CACHE_SECONDS")
    reader = VersionedCache("test:watch", ttl_setting="TEST_VERSIONED_CACHE_SECONDS")
    writer.watch(Agency)
    load, calls = _counting_loader(["v"])
    writer.get("k", load)
    reader.get("k", load)
    Agency.objects.create(code="x", name_id="X", kind="lembaga")
    writer.get("k", load)
    reader.get("k", load)
    assert calls == ["load"] * 4


def test_a_new_process_loads_even_when_the_shared_version_is_unchanged() -> None:
    process = VersionedCache("test:new", ttl_setting="TEST_VERSIONED_CACHE_SECONDS")
    values = ["old"]
    load, _calls = _counting_loader(values)
    process.get("k", load)
    values.append("new")
    process.forget_local()  # a process started after the change, sharing the same cache
    assert process.get("k", load) == "new"


def test_misses_are_not_stored_when_told_so() -> None:
    process = VersionedCache("test:miss", ttl_setting="TEST_VERSIONED_CACHE_SECONDS", cache_misses=False)
    calls: list[int] = []

    def load() -> None:
        calls.append(1)

    process.get("unknown", load)
    process.get("unknown", load)
    assert calls == [1, 1]


def test_ttl_zero_turns_the_cache_off(settings) -> None:  # noqa: ANN001
    settings.TEST_VERSIONED_CACHE_SECONDS = 0
    process = VersionedCache("test:off", ttl_setting="TEST_VERSIONED_CACHE_SECONDS")
    load, calls = _counting_loader(["v"])
    process.get("k", load)
    process.get("k", load)
    assert calls == ["load", "load"]


def test_an_unreadable_shared_cache_means_every_lookup_loads(settings) -> None:  # noqa: ANN001
    process = VersionedCache("test:down", ttl_setting="TEST_VERSIONED_CACHE_SECONDS")
    load, calls = _counting_loader(["v"])
    process.get("k", load)  # stored while the cache worked
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0"}}  # nothing listens on port 1
    assert process.get("k", load) == "v"
    assert process.get("k", load) == "v"
    assert calls == ["load", "load", "load"]
