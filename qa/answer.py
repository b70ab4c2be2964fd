"""What the assistant returns: an ``Answer`` with its ``Citation`` s and ranked ``Passage`` s.

Citations are data, never text parsed back out of the answer: a marker ``[n]`` in ``Answer.text``
always resolves to the ``Citation`` with ``marker == n``, whose ``quote`` is exactly
``article_text[start:end]``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Citation:
    marker: int
    article_id: str
    title: str
    published: str | None
    source: str | None
    start: int
    end: int
    quote: str


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk, ranked: where it is, and why it was found."""

    rank: int
    article_id: str
    title: str
    published: str | None
    source: str | None
    start: int
    end: int
    text: str
    score: float  # fused reciprocal-rank score (about 0.03 at best: compare, don't threshold)
    dense: float | None = None  # cosine similarity, if the dense retriever found it
    keyword: float | None = None  # BM25 score, if the keyword retriever found it
    relevance: float | None = None  # 0-1, the cross-encoder's judgement (``Assistant.retrieve``)


@dataclass(frozen=True)
class Figure:
    """One article's figure in a disagreement: its value, and the citation that states it."""

    value: int
    article_id: str
    marker: int


@dataclass(frozen=True)
class Disagreement:
    """The articles give different figures for one quantity (``quantity``: what they count,
    e.g. "troop"; empty when the sentences do not say)."""

    quantity: str
    figures: list[Figure]

    @property
    def values(self) -> list[int]:
        return sorted({f.value for f in self.figures})


@dataclass(frozen=True)
class ArticleText:
    """An indexed article, its text exactly as loaded (citations' spans index into it)."""

    id: str
    title: str
    published: str | None
    source: str | None
    text: str


@dataclass
class Answer:
    """The answer to one question. ``to_dict()`` is the JSON shape other tools rely on.

    >>> answer.refused, answer.text, [c.quote for c in answer.citations]  # doctest: +SKIP
    """

    question: str
    text: str
    refused: bool
    citations: list[Citation] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    fingerprint: str = ""
    timings_ms: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # e.g. why a model's sentence was left out
    disagreement: Disagreement | None = None  # set when the articles give different figures
    generator: str = "extractive"  # what worded the text: "extractive" or the model's name
    model_reply: str | None = None  # the model's own text, before its sentences were checked

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
