"""A corrupt or truncated on-disk index is one line saying how to recover, and `qa index
--rebuild` recovers it (the real CLI, the real model, Chroma on disk)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


def qa(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "qa.cli", *args], cwd=REPO, timeout=600,
                          env={**os.environ, "QA_HOME": str(home)},
                          capture_output=True, text=True)  # fmt: skip


@pytest.mark.parametrize("damage", ["truncated", "overwritten"])
def test_a_damaged_index_says_so_and_rebuild_recovers(tmp_path: Path, damage: str) -> None:
    home = tmp_path / "home"
    assert qa(home, "index", "seeds").returncode == 0
    db = home / "chroma" / "chroma.sqlite3"
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 3] if damage == "truncated" else os.urandom(len(data)))
    for args in (("ask", "Who is the Kremlin spokesman?"), ("index", "seeds")):
        done = qa(home, *args)
        assert done.returncode == 2
        assert done.stderr.startswith("error: the index in") and "qa index --rebuild" in done.stderr
        assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1, done.stderr
    assert qa(home, "index", "seeds", "--rebuild").returncode == 0
    done = qa(home, "ask", "Who is the Kremlin spokesman?")
    assert done.returncode == 0 and "Peskov" in done.stdout
