"""How an answer is written once its sentences are chosen (``qa.compose``): each sentence
verbatim with its marker and its citation (an exact span of its article), or, when the articles
disagree on a figure, a list of the figures, each attributed to its article; and the refusal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from qa.answer import Citation, Disagreement, Figure
from qa.evidence import Sentence
from qa.figures import figures

REFUSAL = "The indexed articles don't answer this."


@dataclass(frozen=True)
class ArticleInfo:
    """What an answer says of a cited article besides its quote."""

    title: str
    published: str | None
    source: str | None


@dataclass
class Draft:
    """An answer before its citations are verified (``qa.citations.verify``): its text with
    markers, whether it refuses (and why, in ``notes``), and the figures it lists as disagreeing."""

    text: str
    refused: bool
    citations: list[Citation] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    disagreement: Disagreement | None = None


def short_title(title: str, words: int = 9) -> str:
    """A title's first ``words`` words, with "…" when it goes on."""
    parts = title.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


def attribution(info: ArticleInfo) -> str:
    """Outlet, short title and date, as far as they are known ("cnn.com, “Gas prices fall…”
    (2022-03-15)"): one outlet's articles are told apart by their titles."""
    named = [info.source or "", f"“{short_title(info.title)}”" if info.title else ""]
    who = ", ".join(part for part in named if part) or "one article"
    return f"{who} ({info.published})" if info.published else who


def plain(chosen: list[Sentence], info: dict[str, ArticleInfo]) -> Draft:
    """The sentences in the order chosen: the one that answers first."""
    citations = [cite(n, s, info) for n, s in enumerate(chosen, start=1)]
    text = " ".join(f"{s.text} [{n}]" for n, s in enumerate(chosen, start=1))
    return Draft(text, False, citations)


def listed(chosen: list[tuple[Sentence, list[int]]], quantity: str,
           info: dict[str, ArticleInfo], evidence: list[Sentence]) -> Draft:  # fmt: skip
    """The figures the articles disagree on (``chosen``: each sentence with the figures it
    states), one line each, attributed to its article: outlet, short title and date (just outlet
    and date when the line quoted is the headline itself)."""
    chosen = _past_headlines(chosen, evidence, info)
    sentences = [s for s, _ in chosen]
    citations = [cite(n, s, info) for n, s in enumerate(sentences, start=1)]
    markers = "".join(f"[{c.marker}]" for c in citations)
    one = len({s.article_id for s in sentences}) == 1
    lines = [f"{'The article gives' if one else 'The articles give'} different figures {markers}:"]
    for c, s in zip(citations, sentences, strict=True):
        meta = info[s.article_id]
        who = attribution(meta)
        if _is_headline(s, meta):  # quoting the title itself: not its short form too
            who = (meta.source or "Headline") + (f" ({meta.published})" if meta.published else "")
        lines.append(f"- {who}: {s.text} [{c.marker}]")
    stated = [
        Figure(value, s.article_id, c.marker)
        for c, (s, values) in zip(citations, chosen, strict=True)
        for value in values
    ]  # fmt: skip
    return Draft("\n".join(lines), False, citations, [], Disagreement(quantity, stated))


def _is_headline(s: Sentence, meta: ArticleInfo) -> bool:
    """Whether ``s`` is its article's headline line: the title, with no full stop (a title taken
    from an untitled article's first sentence is a sentence of its body)."""
    text = s.text.rstrip()
    return bool(meta.title) and text.startswith(meta.title[:40]) and not text.endswith((".", "!"))


def _past_headlines(chosen: list[tuple[Sentence, list[int]]], evidence: list[Sentence],
                    info: dict[str, ArticleInfo]) -> list[tuple[Sentence, list[int]]]:  # fmt: skip
    """``chosen`` with each headline replaced by the best sentence of its article's body that
    states the same figures, when there is one (the reader gets the figure in its context)."""
    out: list[tuple[Sentence, list[int]]] = []
    for s, values in chosen:
        meta = info[s.article_id]
        if _is_headline(s, meta):
            s = next((
                o for o in evidence
                if o.article_id == s.article_id and not _is_headline(o, meta)
                and set(values) <= set(figures(o.text))
            ), s)  # fmt: skip
        if all(s is not taken for taken, _ in out):
            out.append((s, values))
    return out


def cite(marker: int, s: Sentence, info: dict[str, ArticleInfo]) -> Citation:
    """The citation of evidence sentence ``s`` under ``marker`` (its quote is its exact span)."""
    meta = info[s.article_id]
    return Citation(marker, s.article_id, meta.title, meta.published, meta.source,
                    s.start, s.end, s.text)  # fmt: skip
