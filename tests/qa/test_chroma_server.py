"""The whole product against a real `chroma run` server (QA_CHROMA_URL): indexing, answering,
and several processes using one index at once, which the on-disk index does not allow."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from qa import Assistant, Settings, index_paths

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


def test_index_and_ask_through_a_chroma_server(chroma_server: str, tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "unused", chroma_url=chroma_server)
    report = index_paths(settings, [REPO / "seeds"], progress=False)
    assert report.added == 5 and report.chunks > 0
    again = index_paths(settings, [REPO / "seeds"], progress=False)
    assert again.unchanged == 5 and again.chunks == report.chunks
    assert not (tmp_path / "unused").exists()  # nothing on local disk in server mode

    with Assistant.open(settings) as assistant:
        answer = assistant.ask("Who is the Kremlin spokesman?")
        assert "Peskov" in answer.text
        # while this process holds the index open, another process can read it too
        env = {**os.environ, "QA_CHROMA_URL": chroma_server, "QA_HOME": str(tmp_path / "x")}
        done = subprocess.run(
            [sys.executable, "-m", "qa.cli", "ask", "Where did Blinken meet Lavrov?", "--json"],
            capture_output=True, text=True, env=env, cwd=REPO, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert "Stockholm" in json.loads(done.stdout.splitlines()[-1])["text"]
