"""Django's and allauth's own admin forms in the back-office (``/kelola/``, platform admins) name
every control (ADR 0141): the date and time inputs of a date-time field each have a ``<label>``
(Django renders "Date:"/"Time:" as bare text), and a group's permissions are checkboxes, not
``filter_horizontal`` (whose script puts ``aria-label`` on a role-less ``<span>``). Both languages."""

from __future__ import annotations

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib.auth.models import Group, Permission
from django.test import Client

from satupintu.identity import testing
from satupintu.identity.models import User

pytestmark = pytest.mark.django_db
LABELS = {"id": ("Tanggal:", "Waktu:"), "en": ("Date:", "Time:")}


@pytest.fixture
def admin_user() -> User:
    return testing.make_platform_admin()


def _browser(user: User, language: str) -> Client:
    browser = Client()
    browser.cookies["satupintu_lang"] = language
    browser.force_login(user)
    return browser


def _labels(html: str) -> dict[str, str]:
    """``for`` → text of every ``<label for=...>`` on the page."""
    return {m.group(1): " ".join(re.sub(r"<[^>]+>", "", m.group(2)).split())
            for m in re.finditer(r'<label[^>]*\bfor="([^"]+)"[^>]*>(.*?)</label>', html, re.S)}


@pytest.mark.parametrize("language", ["id", "en"])
def test_allauth_admin_date_and_time_inputs_have_labels(admin_user: User, language: str) -> None:
    authenticator = Authenticator.objects.get(user=admin_user, type=Authenticator.Type.TOTP)
    session = UserSession.objects.create(user=admin_user, ip="192.0.2.1", session_key="k" * 32, user_agent="test")
    browser = _browser(admin_user, language)
    date, time = LABELS[language]
    pages = {f"/kelola/mfa/authenticator/{authenticator.pk}/change/": ("created_at", "last_used_at"),
             "/kelola/mfa/authenticator/add/": ("created_at", "last_used_at"),
             f"/kelola/usersessions/usersession/{session.pk}/change/": ("created_at", "last_seen_at"),
             "/kelola/usersessions/usersession/add/": ("created_at", "last_seen_at")}
    for path, fields in pages.items():
        page = browser.get(path)
        assert page.status_code == 200, path
        html = page.content.decode()
        labels = _labels(html)
        for field in fields:
            assert f'id="id_{field}_0"' in html and f'id="id_{field}_1"' in html, (path, field)
            assert (labels.get(f"id_{field}_0"), labels.get(f"id_{field}_1")) == (date, time), (path, field)


@pytest.mark.parametrize("language", ["id", "en"])
def test_group_permissions_are_labelled_checkboxes(admin_user: User, language: str) -> None:
    group = Group.objects.create(name="Pengelola katalog")
    permission = Permission.objects.get(codename="view_group")
    group.permissions.add(permission)
    browser = _browser(admin_user, language)
    for path in ("/kelola/auth/group/add/", f"/kelola/auth/group/{group.pk}/change/"):
        html = browser.get(path).content.decode()
        assert "selectfilter" not in html and "SelectFilter2.js" not in html, path
        boxes = re.findall(r'<input type="checkbox" name="permissions" value="(\d+)"[^>]*id="([^"]+)"', html)
        assert len(boxes) == Permission.objects.count(), path
        labels = _labels(html)
        assert all(labels.get(box_id) for _, box_id in boxes), path
    # Saving with the checkboxes keeps the ticked permissions.
    page = browser.post(f"/kelola/auth/group/{group.pk}/change/",
                        {"name": group.name, "permissions": [str(permission.pk)]})
    assert page.status_code == 302
    assert list(group.permissions.all()) == [permission]
