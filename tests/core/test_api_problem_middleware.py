"""Errors under the JSON API prefixes are problem details even when Django answers before our code."""

from __future__ import annotations

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("method", "path", "status"), [
    ("get", "/api/v1/does-not-exist", 404),
    ("post", "/api/v1/documents/", 404),
    ("get", "/registration/v1/nothing-here", 404),
])
def test_unknown_api_paths_are_problem_json(client: Client, method: str, path: str, status: int) -> None:
    response = getattr(client, method)(path)
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = json.loads(response.content)
    assert body["status"] == status and body["title"] == "Tidak ditemukan" and body["instance"] == path


def test_wrong_method_keeps_allow_header_and_speaks_english_when_asked(client: Client) -> None:
    response = client.put("/registration/v1/services?lang=en")
    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"
    assert "GET" in response["Allow"]
    assert json.loads(response.content)["title"] == "Method not allowed"


def test_portal_404_stays_an_html_page(client: Client) -> None:
    response = client.get("/tidak-ada-halaman/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


def test_api_success_and_existing_problems_are_untouched(client: Client) -> None:
    assert client.get("/api/v1/regions")["Content-Type"].startswith("application/json")
    assert client.get("/api/v1/data/mypersonalDataUsage").status_code == 401
