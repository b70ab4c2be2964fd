"""The CLI's ask command and index-level errors, on the real seed index (no assistant held
open here: one process owns an on-disk index at a time)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from qa import Assistant, IndexMismatchError, Settings

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


def test_other_chunking_is_a_mismatch_that_says_how_to_rebuild(seed_home: Path) -> None:
    with pytest.raises(IndexMismatchError, match="qa index --rebuild"):
        Assistant.open(Settings(home=seed_home, chunk_tokens=120))


def _qa(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QA_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "qa.cli", *args], capture_output=True,
                          text=True, env=env, cwd=REPO, timeout=300)  # fmt: skip


def test_cli_ask_json_is_the_answer_contract(seed_home: Path) -> None:
    done = _qa("ask", "Who is the Kremlin spokesman?", "--json", home=seed_home)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout.strip().splitlines()[-1])
    assert not data["refused"] and "Peskov" in data["text"]
    assert all(set(c) >= {"marker", "article_id", "quote", "start", "end"}
               for c in data["citations"])  # fmt: skip
    text = _qa("ask", "Who is the Kremlin spokesman?", home=seed_home)
    assert "Sources:" in text.stdout and "[1]" in text.stdout
    empty = _qa("ask", "   ", home=seed_home)
    assert empty.returncode != 0
    assert empty.stderr.strip().startswith("error:") and "Traceback" not in empty.stderr
    assert len(empty.stderr.strip().splitlines()) == 1


def test_cli_ask_with_a_byte_that_is_not_utf8_is_one_line(seed_home: Path) -> None:
    """`qa ask $'\\xff troops?'`: the shell hands over a byte that is not UTF-8."""
    done = _qa("ask", os.fsdecode(b"\xff troops?"), home=seed_home)
    assert done.returncode == 2
    assert done.stdout == "" and "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and "UTF-8" in lines[0]


def test_cli_ask_before_any_index_creates_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    done = _qa("ask", "Who is the Kremlin spokesman?", home=home)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and "qa index" in lines[0]
    assert not home.exists()
