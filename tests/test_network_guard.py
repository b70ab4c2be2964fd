"""The autouse guard of conftest.py: unit tests cannot reach the network, loopback still works."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
from netguard import is_local_address


@pytest.mark.parametrize(
    ("family", "address", "local"),
    [
        (socket.AF_INET, ("127.0.0.1", 80), True),
        (socket.AF_INET, ("127.8.9.10", 80), True),
        (socket.AF_INET, ("localhost", 80), True),
        (socket.AF_INET6, ("::1", 80, 0, 0), True),
        (socket.AF_INET6, ("::ffff:127.0.0.1", 80, 0, 0), True),
        (socket.AF_UNIX, "/tmp/some.sock", True),
        (socket.AF_INET, ("192.0.2.1", 80), False),
        (socket.AF_INET, ("8.8.8.8", 53), False),
        (socket.AF_INET, ("huggingface.co", 443), False),
        (socket.AF_INET6, ("2001:db8::1", 443, 0, 0), False),
        (socket.AF_INET, ("localhost.evil.example", 80), False),
    ],
)
def test_is_local_address(family: int, address: object, local: bool) -> None:
    assert is_local_address(family, address) is local


@pytest.mark.parametrize("method", ["connect", "connect_ex"])
def test_outbound_connect_raises_at_once(method: str) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(3)  # without the guard this would time out (or connect) instead
        started = time.monotonic()
        with pytest.raises(OSError, match="tests may not connect"):
            getattr(s, method)(("192.0.2.1", 80))  # TEST-NET-1: never routable
        assert time.monotonic() - started < 1


def test_loopback_and_unix_sockets_still_work(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.create_connection(server.getsockname(), timeout=2):
            pass
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            assert s.connect_ex(server.getsockname()) == 0
    path = str(tmp_path / "s.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(path)
        server.listen()
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.connect(path)
