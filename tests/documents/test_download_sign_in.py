"""The "document ready" e-mail links to ``/dokumen/<id>/unduh/``; opened without being signed in
(a phone, another browser) it leads to the sign-in page and back, not to "Page not found".

A fresh-user trial opened that link signed out and got a 404 page saying the page does not exist.
Any id answers the same redirect, so it tells a visitor nothing about which documents exist."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from satupintu.identity import testing

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("document_id", [str(uuid.uuid4()), "not-a-uuid"])
def test_a_signed_out_visitor_is_sent_to_sign_in_and_back(document_id: str) -> None:
    client = Client()
    response = client.get(f"/dokumen/{document_id}/unduh/")
    assert response.status_code == 302
    assert response["Location"] == f"/akun/login/?next=/dokumen/{document_id}/unduh/"
    # Signed in, a citizen who does not hold the document still gets 404.
    client.force_login(testing.make_citizen())
    assert client.get(f"/dokumen/{document_id}/unduh/").status_code == 404
