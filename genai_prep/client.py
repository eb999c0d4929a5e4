"""The address of the visitor behind a request: one definition for lock-outs, rate limits and logs.

Without a proxy it is the socket's peer (REMOTE_ADDR). Behind one (BEHIND_PROXY=1) every request
comes from the proxy, so the visitor is read from X-Forwarded-For: each trusted proxy appends the
address it received the request from, so the entry TRUSTED_PROXY_HOPS places from the right was
written by our outermost trusted proxy. Entries left of it are whatever the client sent, and are
ignored. The production command binds to loopback when behind a proxy, so nobody can bypass the
proxy and write the header themselves.
"""

from __future__ import annotations

from ipaddress import ip_address

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """Return the visitor's IP address (the proxy's view of it when behind a trusted proxy)."""
    remote = request.META.get("REMOTE_ADDR", "")
    if not settings.BEHIND_PROXY:
        return remote
    hops = max(1, settings.TRUSTED_PROXY_HOPS)
    forwarded = [
        entry.strip()
        for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if entry.strip()
    ]
    if len(forwarded) < hops:
        return remote
    candidate = forwarded[-hops]
    try:
        return str(ip_address(candidate))
    except ValueError:
        return remote
