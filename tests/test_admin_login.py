"""Password guessing on the admin login (issue 14, point 5): after ADMIN_LOGIN_FAILURE_LIMIT wrong
passwords the account is locked for every address and the address for every account (django-axes)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/admin/"


@pytest.fixture
def accounts(django_user_model, settings):
    settings.AXES_FAILURE_LIMIT = 3
    django_user_model.objects.create_user("editor", password="right-password-1", is_staff=True)
    django_user_model.objects.create_user("other", password="right-password-2", is_staff=True)


def _login(client, username: str, password: str, address: str):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def _logged_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/admin/"


def test_the_right_password_works(client, accounts):
    assert _logged_in(_login(client, "editor", "right-password-1", "10.0.0.1"))


def test_account_locked_after_failures_even_with_the_right_password_from_elsewhere(client, accounts):
    statuses = [_login(client, "editor", "guess", "10.0.0.1").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]  # the form again, then the lockout at the third failure
    locked = _login(client, "editor", "right-password-1", "10.9.9.9")
    assert locked.status_code == 429 and "登录已暂时锁定" in locked.content.decode()
    # The guessing address is locked for other accounts too.
    assert _login(client, "other", "right-password-2", "10.0.0.1").status_code == 429
    # Another account from another address is not affected.
    assert _logged_in(_login(client, "other", "right-password-2", "10.0.0.2"))


def test_guessing_across_accounts_locks_the_address(client, accounts):
    for name in ("a", "b", "c"):
        _login(client, name, "guess", "10.0.0.3")
    assert _login(client, "editor", "right-password-1", "10.0.0.3").status_code == 429


def test_operator_unlocks_an_account(client, accounts):
    for _ in range(3):
        _login(client, "editor", "guess", "10.0.0.4")
    assert _login(client, "editor", "right-password-1", "10.0.0.5").status_code == 429
    call_command("axes_reset_username", "editor", verbosity=0)
    call_command("axes_reset_ip", "10.0.0.4", verbosity=0)
    assert _logged_in(_login(client, "editor", "right-password-1", "10.0.0.5"))


def test_a_success_resets_the_count(client, accounts):
    for _ in range(2):
        _login(client, "editor", "guess", "10.0.0.6")
    assert _logged_in(_login(client, "editor", "right-password-1", "10.0.0.6"))
    client.logout()
    for _ in range(2):
        _login(client, "editor", "guess", "10.0.0.6")
    assert _logged_in(_login(client, "editor", "right-password-1", "10.0.0.6"))
