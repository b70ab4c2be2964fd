"""Deterministic answer metrics (no LLM judge): SQuAD-style normalisation, exact containment,
token F1, citation checks, retrieval hit@k and MRR, refusal precision and recall."""

from __future__ import annotations

import re
import string
from collections import Counter
from statistics import median
from typing import Any

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_POSSESSIVE = re.compile(r"(?<=\w)'s\b")
_JOINER = re.compile(r"(?<=\w)[-‐‑–—/](?=\w)")
_PUNCTUATION = frozenset(string.punctuation)


def normalize(text: str) -> str:
    """Lower case, no punctuation, no articles, single spaces (the SQuAD normalisation), except
    that a possessive 's goes and a hyphen, dash or slash between words parts them: deleting
    them in place made "Brazil's" the word "brazils" and "17-year-old" "17yearold", so an
    answer naming Brazil or 17 did not contain "Brazil" or "17"."""
    text = text.lower().replace("’", "'").replace("“", "").replace("”", "")
    text = _JOINER.sub(" ", _POSSESSIVE.sub("", text))
    text = "".join(ch for ch in text if ch not in _PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", text).split())


def contains(haystack: str, needle: str) -> bool:
    n = normalize(needle)
    return bool(n) and f" {n} " in f" {normalize(haystack)} "


def token_f1(prediction: str, gold: str) -> float:
    p, g = normalize(prediction).split(), normalize(gold).split()
    common = sum((Counter(p) & Counter(g)).values())
    if not common:
        return 0.0
    precision, recall = common / len(p), common / len(g)
    return 2 * precision * recall / (precision + recall)


def reciprocal_rank(ranked: list[str], relevant: set[str], depth: int = 10) -> float:
    for i, article in enumerate(ranked[:depth], start=1):
        if article in relevant:
            return 1.0 / i
    return 0.0


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def aggregate(rows: list[dict[str, Any]]) -> dict[str, float]:
    """The summary metrics over scored result rows (see runner.score_row)."""
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    refused = [r for r in rows if r["refused"]]
    cited = [r for r in answerable if r["citations"]]
    with_sources = [r for r in answerable if r["sources"]]
    out: dict[str, float] = {"items": len(rows)}

    def mean(values: list[float]) -> float:
        return round(sum(values) / len(values), 4) if values else 0.0

    out["accuracy"] = mean([r["scores"]["correct"] for r in answerable])
    out["f1"] = mean([r["scores"]["f1"] for r in answerable])
    # the target: right answer, quoted, and every citation in a supporting article
    out["strict_accuracy"] = mean([
        float(r["scores"]["correct"] and r["scores"]["supported"]
              and r["scores"]["citation_precision"] == 1.0)
        for r in answerable
    ])  # fmt: skip
    out["citation_source_precision"] = mean([r["scores"]["citation_precision"] for r in cited])
    out["supported"] = mean([r["scores"]["supported"] for r in answerable])
    out["citation_validity"] = mean(
        [r["scores"]["citations_valid"] for r in rows if r["citations"]]
    )
    out["hit@1"] = mean([r["scores"]["hit@1"] for r in with_sources])
    out["hit@5"] = mean([r["scores"]["hit@5"] for r in with_sources])
    out["mrr@10"] = mean([r["scores"]["rr@10"] for r in with_sources])
    out["refusal_precision"] = (
        mean([0.0 if r["answerable"] else 1.0 for r in refused]) if refused else 1.0
    )
    out["refusal_recall"] = mean([1.0 if r["refused"] else 0.0 for r in unanswerable])
    out["false_refusal_rate"] = mean([1.0 if r["refused"] else 0.0 for r in answerable])
    latencies = [r["latency_ms"] for r in rows]
    out["latency_median_ms"] = round(median(latencies), 1) if latencies else 0.0
    out["latency_p95_ms"] = round(percentile(latencies, 0.95), 1)
    return out
