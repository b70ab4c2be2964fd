"""Answer composition. ``Generator`` is the interface; ``ExtractiveGenerator`` is the offline
default: it answers with the best evidence sentences, verbatim, each followed by its marker, gathers
evidence from several articles when they each hold part of the answer, and says so when the articles
disagree on a figure, attributing each figure to its article (title or outlet, and date)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from qa.answer import Citation
from qa.evidence import Sentence
from qa.question import AnswerType
from qa.retrieval import terms

REFUSAL = "The indexed articles don't answer this."


@dataclass(frozen=True)
class ArticleInfo:
    title: str
    published: str | None
    source: str | None


@dataclass
class Draft:
    text: str
    refused: bool
    citations: list[Citation] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class Generator(Protocol):
    """Turns ranked evidence into an answer. Citations are attached as data; markers in the text
    that resolve to no citation are removed afterwards (``qa.citations.verify``)."""

    def compose(self, question: str, kind: AnswerType, evidence: list[Sentence],
                info: dict[str, ArticleInfo], threshold: float) -> Draft: ...  # fmt: skip


_FIGURE = re.compile(r"\b(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(\s*(?:thousand|million))?\b", re.I)


def figures(text: str) -> set[int]:
    """Large figures in a sentence (troop counts, casualties): 94,000 and '106 thousand' alike."""
    out: set[int] = set()
    for m in _FIGURE.finditer(text):
        value = float(m[1].replace(",", ""))
        scale = (m[2] or "").strip().lower()
        value *= {"thousand": 1e3, "million": 1e6}.get(scale, 1)
        if value >= 1000 and not (1900 <= value <= 2100 and not scale and "," not in m[1]):
            out.add(int(value))
    return out


def attribution(info: ArticleInfo) -> str:
    who = info.source or (f"“{info.title}”" if info.title else "one article")
    return f"{who} ({info.published})" if info.published else who


def _redundant(s: Sentence, chosen: list[Sentence]) -> bool:
    mine = set(terms(s.text))
    for c in chosen:
        theirs = set(terms(c.text))
        if len(mine & theirs) / max(1, min(len(mine), len(theirs))) > 0.7:
            return True
    return False


class ExtractiveGenerator:
    """Answers with evidence sentences quoted exactly; no language model involved."""

    def __init__(self, max_sentences: int = 3) -> None:
        self.max_sentences = max_sentences

    def compose(self, question: str, kind: AnswerType, evidence: list[Sentence],
                info: dict[str, ArticleInfo], threshold: float) -> Draft:  # fmt: skip
        if not evidence or evidence[0].score < threshold:
            return Draft(REFUSAL, True)
        best = evidence[0]
        disagreement = self._disagreement(kind, evidence)
        if disagreement:
            return self._compose_disagreement(disagreement, info)
        chosen = [best]
        for s in evidence[1:]:
            if len(chosen) >= self.max_sentences:
                break
            strong = s.score >= max(threshold, 0.85 * best.score)
            if strong and (kind is AnswerType.OTHER or s.typed > 0) and not _redundant(s, chosen):
                chosen.append(s)
        return self._compose_plain(chosen, info)

    def _disagreement(self, kind: AnswerType, evidence: list[Sentence]) -> list[Sentence]:
        """One sentence an article, each with a different figure, when the question asks for a
        number and the strong evidence gives more than one."""
        if kind is not AnswerType.NUMBER:
            return []
        best = evidence[0]
        anchor = figures(best.text)
        if not anchor:
            return []
        topic = set(terms(best.text))
        by_article: dict[str, Sentence] = {best.article_id: best}
        values = {min(anchor)}
        for s in evidence[1:]:
            if s.article_id in by_article or s.score < 0.75 * best.score or s.typed <= 0:
                continue
            found = figures(s.text)
            shared = len(topic & set(terms(s.text))) / max(1, len(topic))
            if found and shared >= 0.15:
                by_article[s.article_id] = s
                values.add(min(found))
        return list(by_article.values()) if len(values) > 1 else []

    def _compose_plain(self, chosen: list[Sentence], info: dict[str, ArticleInfo]) -> Draft:
        citations = [_cite(n, s, info) for n, s in enumerate(chosen, start=1)]
        text = " ".join(f"{s.text} [{n}]" for n, s in enumerate(chosen, start=1))
        return Draft(text, False, citations)

    def _compose_disagreement(self, chosen: list[Sentence], info: dict[str, ArticleInfo]) -> Draft:
        citations = [_cite(n, s, info) for n, s in enumerate(chosen, start=1)]
        markers = "".join(f"[{c.marker}]" for c in citations)
        lines = [f"The articles give different figures {markers}:"]
        for c, s in zip(citations, chosen, strict=True):
            lines.append(f"- {attribution(info[s.article_id])}: {s.text} [{c.marker}]")
        return Draft("\n".join(lines), False, citations, ["the articles disagree"])


def _cite(marker: int, s: Sentence, info: dict[str, ArticleInfo]) -> Citation:
    meta = info[s.article_id]
    return Citation(marker, s.article_id, meta.title, meta.published, meta.source,
                    s.start, s.end, s.text)  # fmt: skip
