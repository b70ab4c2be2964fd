"""Helpers for the web-chat tests: the real app served on loopback."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qa import Assistant, Settings
from ui.app import LAUNCH_OPTIONS, create_app


@dataclass
class RunningApp:
    url: str
    assistant: Assistant


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serving(home: Path, llm: Any = None) -> Iterator[RunningApp]:
    """The real app over the index in ``home`` (answers worded by ``llm``, if given), on a free
    loopback port, closed afterwards."""
    assistant = Assistant.open(Settings(home=home), llm=llm)
    app = create_app(assistant)
    try:
        _, url, _ = app.launch(
            prevent_thread_lock=True,
            server_name="127.0.0.1",
            server_port=free_port(),
            quiet=True,
            **LAUNCH_OPTIONS,
        )
        yield RunningApp(url, assistant)
    finally:
        app.close()
        assistant.close()
