"""One client address for lock-outs, the sign-up limit and the access log (genai_prep/client.py)."""

import logging

import pytest
from django.test import RequestFactory, override_settings

from genai_prep.client import client_ip

from .conftest import PASSWORD, make_user

PROXY = "127.0.0.1"


def _request(remote: str, forwarded: str | None = None):
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, headers=headers)


@pytest.mark.parametrize(("behind_proxy", "hops", "forwarded", "expected"), [
    (False, 1, "203.0.113.5", "192.0.2.1"),  # no proxy: the header is the visitor's own words
    (True, 1, None, "192.0.2.1"),  # behind a proxy that sent no header: the peer
    (True, 1, "203.0.113.5", "203.0.113.5"),
    (True, 1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),  # a forged entry left of the proxy's
    (True, 2, "6.6.6.6, 203.0.113.5, 10.0.0.2", "203.0.113.5"),  # two trusted proxies
    (True, 2, "203.0.113.5", "192.0.2.1"),  # fewer entries than trusted hops
    (True, 1, "not-an-address", "192.0.2.1"),
    (True, 1, "2001:db8::1", "2001:db8::1"),
])  # fmt: skip
def test_the_client_address_is_the_trusted_proxys_view(behind_proxy, hops, forwarded, expected):
    with override_settings(BEHIND_PROXY=behind_proxy, TRUSTED_PROXY_HOPS=hops):
        assert client_ip(_request("192.0.2.1", forwarded)) == expected


def _login(client, username, password, forwarded=None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        headers=headers,
    )


@override_settings(BEHIND_PROXY=True)
def test_behind_the_proxy_two_visitors_do_not_share_a_lock_out(client, db):
    make_user("victim")
    for _ in range(5):
        _login(client, "victim", "guess", forwarded="203.0.113.5")
    assert _login(client, "victim", PASSWORD, forwarded="203.0.113.5").status_code == 429
    other = _login(client, "victim", PASSWORD, forwarded="198.51.100.7")
    assert other.status_code == 302 and "_auth_user_id" in client.session


@override_settings(BEHIND_PROXY=True)
def test_behind_the_proxy_forged_entries_do_not_escape_the_lock_out(client, db):
    make_user("victim")
    for n in range(5):
        _login(client, "victim", "guess", forwarded=f"10.9.9.{n}, 203.0.113.5")
    assert _login(client, "victim", PASSWORD, forwarded="10.9.9.99, 203.0.113.5").status_code == 429


@override_settings(BEHIND_PROXY=False)
def test_without_a_proxy_a_forged_header_changes_nothing(client, db):
    make_user("victim")
    for n in range(5):
        _login(client, "victim", "guess", forwarded=f"10.9.9.{n}")
    assert _login(client, "victim", PASSWORD, forwarded="198.51.100.7").status_code == 429


@override_settings(BEHIND_PROXY=True, SIGNUPS_PER_HOUR=1)
def test_behind_the_proxy_the_signup_limit_is_per_visitor(client, db):
    def signup(name, forwarded):
        data = {"username": name, "password1": PASSWORD, "password2": PASSWORD}
        response = client.post(
            "/accounts/signup/", data, REMOTE_ADDR=PROXY, headers={"X-Forwarded-For": forwarded}
        )
        client.post("/accounts/logout/")
        return response.status_code

    assert signup("first", "203.0.113.5") == 302
    assert signup("second", "203.0.113.5") == 429
    assert signup("third", "198.51.100.7") == 302


@override_settings(BEHIND_PROXY=True)
def test_the_access_log_names_the_visitor_not_the_proxy(client, db, caplog):
    with caplog.at_level(logging.INFO, logger="genai_prep.access"):
        client.get("/healthz", REMOTE_ADDR=PROXY, headers={"X-Forwarded-For": "203.0.113.5"})
    (record,) = [r for r in caplog.records if r.name == "genai_prep.access"]
    assert record.client == "203.0.113.5"
