"""Which server addresses a conversation may be sent to. HTTPS anywhere; plain HTTP only to this
computer or a private network (a machine of yours at home), and only after the person was warned,
because anyone on the way reads plain HTTP; to anywhere else plain HTTP is refused."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from app.errors import MiniGiantsError

PLAIN_HTTP_WARNING = ("This server is reached over plain HTTP: what you send it and its replies "
                      "cross the network unencrypted. That is acceptable only on a network you "
                      "trust, such as your home network.")


class BadServerAddress(MiniGiantsError):
    def __init__(self, address: str, why: str) -> None:
        super().__init__(f"{address} is not a server address Mini-Giants can use: {why}.",
                         "Give its base URL, such as https://my-server:8080/v1 or "
                         "http://192.168.1.20:8080/v1.")


class PlainHttpRefused(MiniGiantsError):
    def __init__(self, host: str) -> None:
        super().__init__(f"{host} is not on this computer or a private network, so Mini-Giants "
                         "will not send conversations to it over plain HTTP.",
                         "Use its https:// address.")


@dataclass(frozen=True)
class ServerAddress:
    base_url: str  # ends with /v1 or what the person gave; no trailing slash
    plain_http: bool  # allowed (a private address) but to be warned about

    @property
    def host(self) -> str:
        """Where replies are computed, as the app says it: host and port."""
        return urlsplit(self.base_url).netloc


def server_address(text: str) -> ServerAddress:
    """Check a base URL; a host name is resolved to see where plain HTTP would go."""
    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadServerAddress(f"“{text}”", "it needs http:// or https:// and a host")
    if parts.username or parts.password:  # not repeated: it may hold a secret
        raise BadServerAddress("That address", "a key goes in its own field, not in the address")
    base = urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))
    if parts.scheme == "https":
        return ServerAddress(base, plain_http=False)
    if not all(_private(address) for address in _addresses(parts.hostname, text)):
        raise PlainHttpRefused(parts.hostname)
    return ServerAddress(base, plain_http=True)


def _addresses(host: str, text: str) -> list[str]:
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError:
        raise BadServerAddress(f"“{text}”", f"the name {host} cannot be found") from None
    return [str(entry[4][0]) for entry in found]


def _private(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])  # an IPv6 scope ("%eth0") is not the address
    return ip.is_loopback or ip.is_private or ip.is_link_local
