"""Shared fixtures: no test may reach the network, and the shipped seeds are at hand."""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]


def is_local_address(family: int, address: Any) -> bool:
    """True for AF_UNIX sockets and loopback hosts (127.0.0.0/8, ::1, localhost)."""
    if family == getattr(socket, "AF_UNIX", object()):
        return True
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, bytes):
        host = host.decode()
    if not isinstance(host, str):
        return False
    if host.lower() == "localhost":
        return True
    try:
        ip = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return ip.is_loopback or bool(mapped and mapped.is_loopback)


class NetworkBlockedError(OSError):
    """Raised instead of an outbound connection during the tests."""


@pytest.fixture(autouse=True)
def _block_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Unit tests cannot reach the network: any non-loopback connect raises."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def connect(self: socket.socket, address: Any) -> None:
        if not is_local_address(self.family, address):
            raise NetworkBlockedError(f"tests may not connect to {address!r}")
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        if not is_local_address(self.family, address):
            raise NetworkBlockedError(f"tests may not connect to {address!r}")
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)


@pytest.fixture
def seeds_dir() -> Path:
    """The articles the product ships with (repo seeds/)."""
    return REPO / "seeds"


@pytest.fixture(scope="session")
def seed_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real on-disk index of seeds/ (real model, real Chroma), built once per test session and
    shared: whoever opens it must close it (one process owns an on-disk index at a time)."""
    from qa import Settings, index_paths

    home = tmp_path_factory.mktemp("seed-home")
    index_paths(Settings(home=home), [REPO / "seeds"], progress=False)
    return home
