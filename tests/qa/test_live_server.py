"""An open assistant on a real `chroma run` server follows what other processes do to the
index (add, remove, rebuild), and an outage is one clear error that passes when it is back."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from netguard import free_port

from qa import Assistant, Settings, StoreUnavailableError, index_paths

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
CHROMA = Path(sys.executable).parent / "chroma"
FERRY = (
    "Night ferry resumes\ndate 2022-02-01\n\nThe night ferry between the two islands resumed on"
    " Tuesday under captain Ingrid Dahl, the harbour office said."
)
QUESTION = "Who is the captain of the night ferry between the two islands?"


@contextmanager
def chroma_run(data: Path, port: int) -> Iterator[None]:
    proc = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "chroma run failed"
                time.sleep(0.2)
        time.sleep(1.0)  # the port opens a little before the API answers
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def qa_index(url: str, *args: str) -> None:
    """`qa index` in another process, as another user of the server would run it."""
    env = {**os.environ, "QA_CHROMA_URL": url}
    done = subprocess.run([sys.executable, "-m", "qa.cli", "index", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_an_open_assistant_follows_other_writers_and_outages(tmp_path: Path) -> None:
    if not CHROMA.exists():
        pytest.skip(f"{CHROMA} not installed")
    port, data = free_port(), tmp_path / "db"
    url = f"http://127.0.0.1:{port}"
    extra = tmp_path / "extra"
    extra.mkdir()
    with chroma_run(data, port):
        settings = Settings(home=tmp_path / "unused", chroma_url=url)
        index_paths(settings, [REPO / "seeds"], progress=False)
        assistant = Assistant.open(settings)
        assert assistant.ask(QUESTION).refused
        # another process adds an article: answerable at the next question, counted at once
        (extra / "ferry.txt").write_text(FERRY, encoding="utf-8")
        qa_index(url, str(extra))
        assert assistant.summary().articles == 6
        answer = assistant.ask(QUESTION)
        assert "Ingrid Dahl" in answer.text and answer.citations[0].article_id == "ferry"
        # ... and removes it: never cited again
        (extra / "ferry.txt").unlink()
        qa_index(url, str(extra))
        answer = assistant.ask(QUESTION)
        assert "ferry" not in {c.article_id for c in answer.citations}
        assert assistant.summary().articles == 5
        # ... and rebuilds the whole index: the open assistant goes on answering
        qa_index(url, str(REPO / "seeds"), "--rebuild")
        assert "Peskov" in assistant.ask("Who is the Kremlin spokesman?").text
    # the server is down: one clear line, no library traceback
    with pytest.raises(StoreUnavailableError, match="cannot reach the Chroma server") as err:
        assistant.ask("Who is the Kremlin spokesman?")
    assert "\n" not in str(err.value)
    with chroma_run(data, port):  # back: the same assistant answers again
        assert "Peskov" in assistant.ask("Who is the Kremlin spokesman?").text
    assistant.close()
