"""The gateway's directory cache (ADR 0105): a directory change takes effect on the next message."""

from __future__ import annotations

import httpx
import pytest

from satupintu.core.principal import Principal
from satupintu.exchange import directory as directory_module
from satupintu.exchange.actions import directory_delete, directory_save
from satupintu.exchange.models import AccessRight, Service
from tests.exchange.conftest import SERVICE_PATH, Directory, client_headers

pytestmark = pytest.mark.django_db(transaction=True)

PLATFORM = Principal(kind="officer", id="1", roles=frozenset({"platform_admin"}))


def _status(live_server, directory: Directory, method: str = "GET") -> int:  # noqa: ANN001
    url = f"{live_server.url}{SERVICE_PATH}/persons/3174012345670001"
    return httpx.request(method, url, headers=client_headers(directory)).status_code


def test_revoking_and_granting_a_right_takes_effect_on_the_next_message(directory: Directory,
                                                                        live_server) -> None:  # noqa: ANN001
    assert _status(live_server, directory) == 200
    assert _status(live_server, directory) == 200  # served from the cache
    directory_delete(obj=directory.right, acting=PLATFORM)
    assert _status(live_server, directory) == 403
    directory_save(obj=AccessRight(client=directory.client, service=directory.service, methods="GET"),
                   acting=PLATFORM)
    assert _status(live_server, directory) == 200


def test_narrowing_a_right_or_disabling_the_service_takes_effect_on_the_next_message(
        directory: Directory, live_server) -> None:  # noqa: ANN001
    assert _status(live_server, directory) == 200
    directory.right.methods = "POST"
    directory_save(obj=directory.right, acting=PLATFORM)
    assert _status(live_server, directory) == 403
    directory.service.enabled = False
    directory_save(obj=directory.service, acting=PLATFORM)
    assert _status(live_server, directory) == 404


def test_a_change_published_by_another_process_is_seen_on_the_next_message(directory: Directory, live_server,
                                                                           settings) -> None:  # noqa: ANN001
    settings.SATUPINTU_EXCHANGE_DIRECTORY_CACHE_SECONDS = 3600  # no expiry during the test
    assert _status(live_server, directory) == 200
    # A write that sends no signal here (another process's, or a bulk update) ...
    Service.objects.filter(pk=directory.service.pk).update(enabled=False)
    assert _status(live_server, directory) == 200  # ... is not seen until the shared version moves
    directory_module.CACHE.publish()  # what the other process's signal does
    assert _status(live_server, directory) == 404


def test_cache_off_reads_the_directory_for_every_message(directory: Directory, live_server,
                                                         settings) -> None:  # noqa: ANN001
    settings.SATUPINTU_EXCHANGE_DIRECTORY_CACHE_SECONDS = 0
    assert _status(live_server, directory) == 200
    Service.objects.filter(pk=directory.service.pk).update(enabled=False)
    assert _status(live_server, directory) == 404
