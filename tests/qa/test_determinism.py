"""The same question over the same index gets the same answer and citations in any process, in
any order (the real models, Chroma on disk)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ASK_ALL = """
import json, sys
from qa import Assistant, Settings
questions = json.loads(sys.argv[2])
with Assistant.open(Settings(home=sys.argv[1])) as assistant:
    out = {}
    for q in questions:
        a = assistant.ask(q)
        out[q] = [a.text, [[c.article_id, c.start, c.end] for c in a.citations],
                  [p.article_id for p in a.passages]]
print(json.dumps(out))
"""

pytestmark = pytest.mark.slow


def answers(home: Path, questions: list[str]) -> dict[str, list[object]]:
    done = subprocess.run(
        [sys.executable, "-c", ASK_ALL, str(home), json.dumps(questions)],
        cwd=REPO, capture_output=True, text=True, timeout=600, check=True,
    )  # fmt: skip
    return dict(json.loads(done.stdout))


def test_answers_do_not_depend_on_order_or_process(seed_home: Path) -> None:
    rows = [json.loads(line) for line in (REPO / "eval" / "gold.jsonl").read_text().splitlines()]
    questions = [r["question"] for r in rows if not r.get("history")][::4]  # 26, all kinds
    forward = answers(seed_home, questions)
    backward = answers(seed_home, questions[::-1])
    differ = [q for q in questions if forward[q] != backward[q]]
    assert not differ, differ
