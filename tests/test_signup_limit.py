"""The sign-up limit: a fixed clock-hour window per address, counted atomically in the database."""

import threading
from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client, override_settings

from .conftest import PASSWORD

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _signup(client: Client, name: str) -> int:
    data = {"username": name, "password1": PASSWORD, "password2": PASSWORD}
    return client.post("/accounts/signup/", data).status_code


@override_settings(SIGNUPS_PER_HOUR=2, PASSWORD_HASHERS=FAST_HASHER)
def test_the_window_is_the_clock_hour_and_does_not_reset_early(db):
    with time_machine.travel(datetime(2026, 12, 1, 10, 1, tzinfo=UTC), tick=False) as clock:
        assert _signup(Client(), "a") == 302
        assert _signup(Client(), "b") == 302
        clock.move_to(datetime(2026, 12, 1, 10, 8, tzinfo=UTC))  # past a 5-minute cache expiry
        assert _signup(Client(), "c") == 429
        clock.move_to(datetime(2026, 12, 1, 10, 59, tzinfo=UTC))
        assert _signup(Client(), "d") == 429
        clock.move_to(datetime(2026, 12, 1, 11, 0, tzinfo=UTC))
        assert _signup(Client(), "e") == 302
    assert set(User.objects.values_list("username", flat=True)) == {"a", "b", "e"}


@pytest.mark.django_db(transaction=True)
@override_settings(SIGNUPS_PER_HOUR=10, PASSWORD_HASHERS=FAST_HASHER)
def test_simultaneous_signups_from_one_address_create_exactly_the_limit():
    attempts = 40
    barrier = threading.Barrier(attempts)
    statuses = []

    def sign_up(n: int):
        try:
            client = Client()
            barrier.wait()
            statuses.append(_signup(client, f"racer{n}"))
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up, args=(n,)) for n in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [302] * 10 + [429] * 30
    assert User.objects.count() == 10


def test_signing_up_needs_no_cache_table(db, settings):
    from django.db import connection as conn

    with conn.cursor() as cursor:
        tables = conn.introspection.table_names(cursor)
    assert "cache_table" not in tables
    assert _signup(Client(), "fresh") == 302
