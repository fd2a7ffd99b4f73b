"""The client's address, worked out in one place: audit events, rate limits and the login lockout all ask here.

`REMOTE_ADDR` is the peer of the connection. Its `X-Real-IP` header is believed only when that peer is a
proxy named in the `TRUSTED_PROXIES` setting: addresses or networks ("10.0.0.5", "10.0.0.0/24"), and the word
"unix" for a peer on a unix socket (nginx in front of gunicorn's socket; such a peer has no address). Nothing
is trusted by default. A loopback peer is no exception: any local process, or an SSH tunnel, talks from
127.0.0.1, so a header from there proves nothing unless the setting says that 127.0.0.1 is our proxy.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

UNIX_SOCKET = "unix"


def normalise_ip(value):
    """A valid address in the form the databases store (IPv4-mapped IPv6 as IPv4), or None."""
    try:
        address = ipaddress.ip_address((value or "").strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return str(address)


@lru_cache(maxsize=8)
def parse_trusted_proxies(entries):
    """(unix socket trusted, networks) of a TRUSTED_PROXIES value (a tuple); ImproperlyConfigured names a bad
    entry. The production settings call it once at start-up, so a typo stops the server, not a request."""
    unix, networks = False, []
    for entry in entries:
        entry = str(entry).strip()
        if not entry:
            continue
        if entry.lower() == UNIX_SOCKET:
            unix = True
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES 中的“{entry}”不是有效的 IP 地址或网段 / invalid TRUSTED_PROXIES entry") from exc
    return unix, tuple(networks)


def trusted_proxies():
    return parse_trusted_proxies(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))


def is_trusted_proxy(peer):
    """Whether the connection's peer (a normalised address, or None for a unix socket) is a listed proxy."""
    unix, networks = trusted_proxies()
    if peer is None:
        return unix
    address = ipaddress.ip_address(peer)
    return any(address in network for network in networks)


def client_ip(request):
    """The client's address for `request` (None without a request or an address, e.g. a unix-socket peer
    that is not a listed proxy)."""
    if request is None:
        return None
    peer = normalise_ip(request.META.get("REMOTE_ADDR", ""))
    if is_trusted_proxy(peer):
        forwarded = normalise_ip(request.META.get("HTTP_X_REAL_IP", ""))
        if forwarded is not None:
            return forwarded
    return peer

