"""Calibrates ``qa.grounding.MIN_SUPPORT`` from a ``qa eval --generator local`` (or openai) run.

    python -m eval.grounding_calibration OUT/local/results.jsonl QA_HOME/eval/seeds-<hash>

Positives: each sentence of the model's own reply (before checking) to a question whose answer
was scored correct, against the best of the quotes cited for that question (a sentence that was
left out counts too, so positives lost are over- rather than under-counted). Negatives: the same
sentences against quotes cited for *other* questions (same topic, other claims: the hard case). Prints both
score distributions and, for each candidate threshold, the share of positives kept and of
negatives let through; the facts check (figures and names) is applied before the threshold, as
in ``ground``.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

import numpy as np

from qa import MIN_SUPPORT, Assistant, Settings, split_answer, support_score


def pairs(
    rows: list[dict[str, Any]],
) -> tuple[list[tuple[str, list[str]]], list[tuple[str, list[str]]]]:
    worded = [r for r in rows if r.get("model_reply") and r["citations"]]
    positives: list[tuple[str, list[str]]] = []
    negatives: list[tuple[str, list[str]]] = []
    rng = random.Random(0)
    for r in worded:
        if not r["scores"]["correct"]:
            continue
        quotes = [c["quote"] for c in r["citations"]]
        others = [c["quote"] for o in worded if o["id"] != r["id"] for c in o["citations"]
                  if c["quote"] not in quotes]  # fmt: skip
        for sentence, _ in split_answer(r["model_reply"]):
            positives.append((sentence, quotes))
            negatives += [(sentence, [q]) for q in rng.sample(others, min(5, len(others)))]
    return positives, negatives


def scores(assistant: Assistant, items: list[tuple[str, list[str]]]) -> list[float]:
    """Each sentence's best support among its quotes (-1 when no quote passes the facts check)."""
    out = []
    for sentence, quotes in items:
        vectors = assistant.embedder.embed_documents([sentence, *quotes])
        sims = vectors[1:] @ vectors[0]
        out.append(
            max(support_score(sentence, q, float(s)) for q, s in zip(quotes, sims, strict=True))
        )
    return out


def main(path: str, home: str) -> int:
    rows = [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]
    positives, negatives = pairs(rows)
    with Assistant.open(Settings(home=Path(home))) as assistant:
        pos, neg = scores(assistant, positives), scores(assistant, negatives)
    print(f"{len(pos)} positive pairs, {len(neg)} negative pairs")
    print(f"negatives failing the facts check: {sum(s < 0 for s in neg) / max(1, len(neg)):.2f}")
    print(f"positives failing the facts check: {sum(s < 0 for s in pos) / max(1, len(pos)):.2f}")
    print(f"threshold  positives kept  negatives let through   (in use: {MIN_SUPPORT})")
    for t in np.arange(0.30, 0.80, 0.05):
        kept = sum(s >= t for s in pos) / max(1, len(pos))
        through = sum(s >= t for s in neg) / max(1, len(neg))
        print(f"  {t:.2f}        {kept:.3f}           {through:.3f}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python -m eval.grounding_calibration RESULTS.jsonl QA_HOME_OF_ITS_INDEX")
    sys.exit(main(sys.argv[1], sys.argv[2]))
