"""principal_for_user: the adapter from a Django user to the acting principal."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Group, User

from satupintu.core.principal import Principal, principal_for_user

pytestmark = pytest.mark.django_db


def test_anonymous_user_is_the_anonymous_principal() -> None:
    assert principal_for_user(AnonymousUser()).kind == "anonymous"
    assert principal_for_user(None) == Principal.anonymous()


def test_staff_user_gets_roles_from_role_named_groups_only() -> None:
    user = User.objects.create_user("auditor1", password="x" * 12)
    user.groups.add(Group.objects.create(name="auditor"), Group.objects.create(name="random-club"))
    principal = principal_for_user(user)
    assert principal.kind == "officer"
    assert principal.roles == frozenset({"auditor"})
    assert principal.id == str(user.pk)


def test_superuser_is_platform_admin() -> None:
    admin = User.objects.create_superuser("root", password="x" * 12)
    assert principal_for_user(admin).has_role("platform_admin")
