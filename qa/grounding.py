"""Citations for a model's answer, attached and checked in code.

A language model words the answer from numbered evidence sentences, but its ``[n]`` markers are
only hints. Each sentence of its reply is checked against the evidence: it is kept only if one
evidence sentence (or the few it cites together) supports it, that is

- the figures it states appear in that evidence (100,000 and "100 thousand" alike), and so do the
  names it uses (capitalised words, a shared prefix being enough for Russia / Russian);
- its words and its meaning overlap the evidence enough: half the share of its content words found
  there plus half the cosine similarity of the two sentences, at least ``min_support``.

A kept sentence is cited with the evidence that supports it, whatever the model wrote; a sentence
nothing supports is left out. When nothing is left (``Grounded.refused``), ``qa.generation`` shows the
extractive answer instead, with a note.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from index.chunking import sentence_spans
from index.embedding import Vectors
from qa.settings import Settings
from qa.text import STOPWORDS, terms

MIN_SUPPORT: float = Settings.model_fields["min_support"].default  # the knob: Settings.min_support
REFUSAL_SIGNAL = re.compile(
    r"NOT IN (?:THE )?ARTICLES|\b(?:passages|articles) (?:do not|don't|does not|doesn't)"
    r" (?:say|mention|contain|answer|provide|specify|state)",
    re.I,
)
_MARKER = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?(?:\s*(?:thousand|million|billion)\b)?", re.I)
_CAPITAL = re.compile(r"\b[A-Z][A-Za-z'’-]+")
_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9}
# Capitalised only because they start a sentence, or words the model adds to frame an answer.
_FRAMING = {"according", "however", "also", "both", "while", "although", "meanwhile", "yes",
            "no", "additionally", "furthermore", "overall", "instead", "in", "on", "as", "at"}  # fmt: skip


@dataclass(frozen=True)
class Grounded:
    """Sentences kept, each with the evidence numbers (1-based) that support it."""

    sentences: list[tuple[str, list[int]]]
    dropped: list[str] = field(default_factory=list)
    refused: bool = False
    declined: bool = False  # the model itself said the passages do not answer


def numbers(text: str) -> set[float]:
    """The figures in a text, as values: "94,000", "94000" and "94 thousand" are one."""
    out: set[float] = set()
    for m in _NUMBER.finditer(text):
        raw = m.group(0).lower()
        digits = re.match(r"[\d,]*\d(?:\.\d+)?", raw)
        if not digits:
            continue
        value = float(digits.group(0).replace(",", ""))
        scale = next((s for w, s in _SCALE.items() if raw.endswith(w)), 1.0)
        out.add(value * scale)
    return out


def names(sentence: str) -> set[str]:
    """Capitalised words that name something (not the framing words of a sentence)."""
    return {
        w for w in _CAPITAL.findall(sentence)
        if w.lower() not in STOPWORDS and w.lower() not in _FRAMING and len(w) > 1
    }  # fmt: skip


def facts_hold(sentence: str, evidence: str, context: str = "") -> bool:
    """Every figure of ``sentence`` appears in ``evidence``, and every name in it or in its
    ``context`` (the question: "According to Janes, ..." restates what was asked)."""
    if not numbers(sentence) <= numbers(evidence):
        return False
    low = f"{evidence} {context}".lower()
    return all(w.lower()[:5] in low for w in names(sentence))


def split_answer(text: str) -> list[tuple[str, list[int]]]:
    """The model's reply as (sentence without markers, the markers it carried)."""
    out = []
    for s, e in sentence_spans(text, 0, len(text)):
        piece = text[s:e]
        cited = [int(n) for m in _MARKER.finditer(piece) for n in re.split(r"\s*,\s*", m[1])]
        clean = _MARKER.sub("", piece).strip()
        if clean.startswith(("-", "*")):
            clean = clean.lstrip("-* ").strip()
        if terms(clean) or cited:
            out.append((clean, cited))
    # A trailing marker on its own line belongs to the sentence before it.
    merged: list[tuple[str, list[int]]] = []
    for clean, cited in out:
        if not terms(clean) and merged:
            merged[-1] = (merged[-1][0], merged[-1][1] + cited)
        elif terms(clean):
            merged.append((clean, cited))
    return merged


def lexical_support(sentence: str, evidence: str) -> float:
    mine = set(terms(sentence))
    return len(mine & set(terms(evidence))) / len(mine) if mine else 0.0


def support_score(sentence: str, evidence: str, similarity: float, context: str = "") -> float:
    """How well ``evidence`` supports ``sentence`` (``similarity``: their embeddings' cosine):
    -1 when a figure or name of the sentence is missing (see ``facts_hold``), else half the
    share of the sentence's content words found in it plus half the similarity."""
    if not facts_hold(sentence, evidence, context):
        return -1.0
    return 0.5 * lexical_support(sentence, evidence) + 0.5 * similarity


def similarities(sentences: list[str], question: str, evidence_vectors: Vectors,
                 embed: Callable[[list[str]], Vectors]) -> Vectors:  # fmt: skip
    """Cosine of each sentence to each evidence sentence, read as an answer to ``question``:
    "John Kirby" alone resembles nothing, "Who is the Pentagon press secretary? John Kirby" does.
    The better of the two readings counts."""
    plain = embed(sentences) @ evidence_vectors.T
    if not question:
        return plain
    asked = embed([f"{question} {s}" for s in sentences]) @ evidence_vectors.T
    return np.maximum(plain, asked)


def ground(
    reply: str,
    evidence: list[str],
    evidence_vectors: Vectors,
    embed: Callable[[list[str]], Vectors],
    min_support: float = MIN_SUPPORT,
    question: str = "",
) -> Grounded:
    """Check each sentence of ``reply``, an answer to ``question``, against the numbered
    ``evidence`` (1-based markers). Names may come from the question ("According to Janes,
    ..."), never from elsewhere: for "who" the name is the answer, and its quote must hold it."""
    if REFUSAL_SIGNAL.search(reply) or not reply.strip():
        return Grounded([], refused=True, declined=True)
    pieces = split_answer(reply)
    if not pieces or not evidence:
        return Grounded([], [p for p, _ in pieces], refused=True)
    sims = similarities([p for p, _ in pieces], question, evidence_vectors, embed)
    kept: list[tuple[str, list[int]]] = []
    dropped: list[str] = []
    for (sentence, cited), row in zip(pieces, np.atleast_2d(sims), strict=True):
        support = _best_support(sentence, cited, evidence, question, row, min_support)
        if support:
            kept.append((sentence, support))
        else:
            dropped.append(sentence)
    return Grounded(kept, dropped, refused=not kept)


def _best_support(sentence: str, cited: list[int], evidence: list[str], question: str,
                  sims: Vectors, min_support: float) -> list[int]:  # fmt: skip
    """The evidence numbers that support ``sentence``: the model's own choice when it is as good
    as the best, else the best single evidence sentence, else the model's cited ones together."""
    valid = [n for n in dict.fromkeys(cited) if 1 <= n <= len(evidence)]

    def score(ns: list[int]) -> float:
        return support_score(sentence, " ".join(evidence[n - 1] for n in ns),
                             max(float(sims[n - 1]) for n in ns), question)  # fmt: skip

    single = {n: score([n]) for n in range(1, len(evidence) + 1)}
    best = max(single, key=lambda n: (single[n], n), default=0)  # ties: as sorted() did
    top = single.get(best, -1.0)
    # the model's own choice stands when it is about as good as the best (a near tie)
    for n in valid:
        if single[n] >= max(min_support, top - 0.05):
            return [n]
    if top >= min_support:
        return [best]
    if len(valid) > 1 and score(valid) >= min_support:
        return valid
    return []
