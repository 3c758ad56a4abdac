"""Named users of the curation tests: alice the curator, erin the editor (groups made by migration 0006)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group


def _staff(django_user_model, name: str, group: str):
    from proposals.roles import ensure_groups

    ensure_groups()  # a transactional test before this one may have flushed the migration's groups
    user = django_user_model.objects.create_user(name, f"{name}@example.org", f"pw-{name}", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def alice(db, django_user_model):
    return _staff(django_user_model, "alice", "curator")


@pytest.fixture
def erin(db, django_user_model):
    return _staff(django_user_model, "erin", "editor")


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def erin_client(alice, erin):
    from django.test import Client

    other = Client()
    other.force_login(erin)
    return other
