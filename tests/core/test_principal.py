"""principal_for_user: the adapter from a Django user to the acting principal."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group

from satupintu.core.principal import Principal, principal_for_user

pytestmark = pytest.mark.django_db


def test_anonymous_user_is_the_anonymous_principal() -> None:
    assert principal_for_user(AnonymousUser()).kind == "anonymous"
    assert principal_for_user(None) == Principal.anonymous()


class _UserWithoutAsPrincipal:
    """A user model without ``as_principal`` (the fallback protocol), backed by a real row."""

    def __init__(self, user: object) -> None:
        self._user = user

    def __getattr__(self, name: str) -> object:
        if name == "as_principal":
            raise AttributeError(name)
        return getattr(self._user, name)


def test_staff_user_gets_roles_from_role_named_groups_only() -> None:
    real = get_user_model().objects.create_user("auditor1@example.go.id", password="x" * 12, full_name="Auditor")
    real.groups.add(Group.objects.create(name="auditor"), Group.objects.create(name="random-club"))
    user = _UserWithoutAsPrincipal(real)
    principal = principal_for_user(user)
    assert principal.kind == "officer"
    assert principal.roles == frozenset({"auditor"})
    assert principal.id == str(user.pk)


def test_superuser_is_platform_admin() -> None:
    admin = get_user_model().objects.create_superuser("root@example.go.id", password="x" * 12)
    assert principal_for_user(admin).has_role("platform_admin")
