"""Where conversations may be sent: HTTPS anywhere, plain HTTP only to this computer or a private
network (with a warning), nothing else."""

from __future__ import annotations

import pytest

from app.remote.address import (
    BadServerAddress,
    PlainHttpRefused,
    server_address,
)


@pytest.mark.parametrize(("given", "base_url", "plain"), [
    ("https://models.example.org/v1/", "https://models.example.org/v1", False),
    ("http://127.0.0.1:8080/v1", "http://127.0.0.1:8080/v1", True),
    ("http://localhost:8080/v1", "http://localhost:8080/v1", True),
    ("http://192.168.1.20:8080", "http://192.168.1.20:8080", True),
    ("http://10.0.0.5/v1", "http://10.0.0.5/v1", True),
    ("http://[::1]:11434/v1", "http://[::1]:11434/v1", True),
    ("http://[fe80::1%25eth0]:8080/v1", "http://[fe80::1%25eth0]:8080/v1", True),
])
def test_https_anywhere_and_plain_http_on_a_private_network(given: str, base_url: str,
                                                            plain: bool) -> None:
    address = server_address(given)
    assert (address.base_url, address.plain_http) == (base_url, plain)


@pytest.mark.parametrize("given", ["http://8.8.8.8/v1", "http://[2001:4860::8888]:80/v1"])
def test_plain_http_to_anywhere_else_is_refused(given: str) -> None:
    with pytest.raises(PlainHttpRefused) as raised:
        server_address(given)
    assert "https://" in raised.value.hint


@pytest.mark.parametrize("given", ["ftp://host/v1", "192.168.1.2:8080", "https://",
                                   "https://me:secret@host/v1", "http://no-such-host.invalid/v1"])
def test_what_is_not_a_server_address_is_explained(given: str) -> None:
    with pytest.raises(BadServerAddress) as raised:
        server_address(given)
    assert "secret" not in raised.value.message
