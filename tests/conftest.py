"""Shared fixtures: no test may reach the network, and the shipped seeds are at hand."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from netguard import NetworkBlockedError, is_local_address

REPO = Path(__file__).resolve().parents[1]


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
