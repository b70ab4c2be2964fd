"""The network guard's rule, shared by conftest.py and its tests: only loopback and AF_UNIX."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any


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


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
