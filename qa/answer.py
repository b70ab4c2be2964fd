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
    score: float  # fused score
    dense: float | None = None  # cosine similarity, if the dense retriever found it
    keyword: float | None = None  # BM25 score, if the keyword retriever found it


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
    notes: list[str] = field(default_factory=list)  # e.g. "the articles disagree"
    generator: str = "extractive"  # what worded the text: "extractive" or the model's name
    model_reply: str | None = None  # the model's own text, before its sentences were checked

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
