"""README's Python examples run as written, against a real index of the seeds."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BLOCKS = re.findall(r"```python\n(.*?)```", (REPO / "README.md").read_text(), re.S)

pytestmark = pytest.mark.slow


def test_readme_has_python_examples() -> None:
    assert len(BLOCKS) >= 2


@pytest.mark.parametrize("block", range(len(BLOCKS)))
def test_readme_python_example_runs(
    block: int, seed_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QA_HOME", str(seed_home))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(BLOCKS[block], f"README.md python block {block + 1}", "exec"), {})
    printed = out.getvalue()
    assert "[1]" in printed  # every example prints a cited answer or its citations
    assert "Traceback" not in printed
