"""What a cut-off on ``Passage.relevance`` (the LlamaIndex node score) keeps, on a gold set.

    python -m eval.relevance_cutoff QA_HOME_OF_ITS_INDEX [GOLD.jsonl]   # default eval/gold.jsonl

For each answerable question, the ``k`` passages ``Assistant.retrieve`` returns are split into
those that hold a gold answer and the others; for unanswerable ones, all are "others". Prints, for
each cut-off, the share of each kept.
"""

from __future__ import annotations

import sys
from pathlib import Path

from eval.gold import load_gold
from eval.metrics import contains
from qa import Assistant, Settings

CUTOFFS = (0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9)


def main(home: str, gold: str = "eval/gold.jsonl") -> int:
    k = 8
    answering: list[float] = []
    others: list[float] = []
    unanswerable: list[float] = []
    with Assistant.open(Settings(home=Path(home))) as assistant:
        for item in load_gold(Path(gold), {a.id for a in assistant.articles()}):
            for p in assistant.retrieve(item.question, k, as_of=item.question_date):
                score = p.relevance if p.relevance is not None else 0.0
                if not item.answerable:
                    unanswerable.append(score)
                elif any(contains(p.text, a) for a in item.answers):
                    answering.append(score)
                else:
                    others.append(score)
    print(f"passages: {len(answering)} answering, {len(others)} others of answerable questions,"
          f" {len(unanswerable)} of unanswerable ones")  # fmt: skip
    print("cut-off  answering kept  others kept  unanswerable kept")
    for c in CUTOFFS:
        kept = [
            sum(s >= c for s in xs) / max(1, len(xs)) for xs in (answering, others, unanswerable)
        ]
        print(f"  {c:.2f}       {kept[0]:.3f}        {kept[1]:.3f}        {kept[2]:.3f}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: python -m eval.relevance_cutoff QA_HOME [GOLD.jsonl]")
    sys.exit(main(sys.argv[1], *sys.argv[2:3]))
