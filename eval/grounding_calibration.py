"""Calibrates ``Settings.min_support`` (``QA_MIN_SUPPORT``) from a ``qa eval --generator local`` (or openai) run.

    python -m eval.grounding_calibration OUT/local/results.jsonl OUT/extractive/results.jsonl \\
        QA_HOME/eval/seeds-<hash>

Positives: each sentence of the model's own reply (before checking) that states a gold answer,
against the best of the quotes cited for that question (the extractive run's, when the model's
answer was refused). Negatives: the same sentences against quotes cited for *other* questions
(same topic, other claims: the hard case). Prints, for each candidate threshold, the share of
positives kept and of negatives let through; the facts check (figures and names) is applied
before the threshold, as in ``ground``.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

import numpy as np

from eval.metrics import contains
from qa import Assistant, Settings


def pairs(
    rows: list[dict[str, Any]], fallback: dict[str, list[str]], assistant: Assistant
) -> tuple[list[float], list[float]]:
    """The support scores of the positives (sentences of model replies that hold a gold answer,
    whatever became of them, against the quotes cited for that question; ``fallback``: the
    extractive run's, when the model's answer was refused) and of the negatives (the same
    sentences against other questions' quotes). -1: no quote passes the facts check."""
    positives: list[float] = []
    negatives: list[float] = []
    rng = random.Random(0)
    quotes_of = {r["id"]: [c["quote"] for c in r["citations"]] or fallback.get(r["id"], [])
                 for r in rows}  # fmt: skip
    for r in rows:
        reply, quotes = r.get("model_reply") or "", quotes_of[r["id"]]
        if not r["answerable"] or not quotes or not any(contains(reply, a) for a in r["answers"]):
            continue
        others = [q for i, qs in quotes_of.items() if i != r["id"] for q in qs if q not in quotes]
        for sentence, support in assistant.support(reply, quotes, r["question"]):
            if not any(contains(sentence, a) for a in r["answers"]):
                continue
            positives.append(support)
            for other in rng.sample(others, min(5, len(others))):
                scored = assistant.support(sentence, [other], r["question"])
                negatives.append(max((s for _, s in scored), default=-1.0))
    return positives, negatives


def main(path: str, extractive: str, home: str) -> int:
    rows = [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]
    base = [json.loads(line) for line in Path(extractive).read_text().splitlines() if line.strip()]
    fallback = {r["id"]: [c["quote"] for c in r["citations"]] for r in base}
    with Assistant.open(Settings(home=Path(home))) as assistant:
        pos, neg = pairs(rows, fallback, assistant)
        in_use = assistant.settings.min_support
    print(f"{len(pos)} positive pairs, {len(neg)} negative pairs")
    print(f"negatives failing the facts check: {sum(s < 0 for s in neg) / max(1, len(neg)):.2f}")
    print(f"positives failing the facts check: {sum(s < 0 for s in pos) / max(1, len(pos)):.2f}")
    print(f"threshold  positives kept  negatives let through   (in use: {in_use})")
    for t in np.arange(0.30, 0.80, 0.05):
        kept = sum(s >= t for s in pos) / max(1, len(pos))
        through = sum(s >= t for s in neg) / max(1, len(neg))
        print(f"  {t:.2f}        {kept:.3f}           {through:.3f}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: python -m eval.grounding_calibration MODEL_RESULTS.jsonl"
                 " EXTRACTIVE_RESULTS.jsonl QA_HOME_OF_ITS_INDEX")  # fmt: skip
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3]))
