"""Citation verification: the last step before an answer leaves the assistant.

A citation survives only if its quote is exactly the article's text at ``start:end``; a marker in
the text survives only if a surviving citation carries it. Markers are then renumbered 1..n in order
of first appearance, so what the reader sees always resolves.
"""

from __future__ import annotations

import re
from dataclasses import replace

from qa.answer import Answer, Citation, Disagreement, Passage
from qa.drafts import REFUSAL, Draft

_MARKER = re.compile(r"\s?\[(\d+)\]")


def verify(
    text: str, citations: list[Citation], articles: dict[str, str]
) -> tuple[str, list[Citation]]:
    """(text, citations) with every unverifiable citation and dangling marker removed."""
    valid = {
        c.marker: c
        for c in citations
        if c.article_id in articles and 0 <= c.start < c.end
        and articles[c.article_id][c.start : c.end] == c.quote
    }  # fmt: skip
    order: dict[int, int] = {}

    def renumber(m: re.Match[str]) -> str:
        old = int(m[1])
        if old not in valid:
            return ""
        new = order.setdefault(old, len(order) + 1)
        return f"{m[0][: m[0].index('[')]}[{new}]"

    text = _MARKER.sub(renumber, text)
    kept = [replace(valid[old], marker=new) for old, new in order.items()]
    return text.strip(), kept


def renumbered(disagreement: Disagreement | None, cited: list[Citation],
               kept: list[Citation]) -> Disagreement | None:  # fmt: skip
    """A draft's ``disagreement`` under the markers its ``cited`` citations kept in verification
    (``kept``, from ``verify``): a figure whose citation was dropped goes; fewer than two
    figures left is no disagreement."""
    if disagreement is None:
        return None
    marker = {(c.article_id, c.start, c.end): c.marker for c in kept}
    figures = [
        replace(f, marker=marker[key])
        for f in disagreement.figures
        for c in cited
        if c.marker == f.marker and (key := (c.article_id, c.start, c.end)) in marker
    ]  # fmt: skip
    if len({f.value for f in figures}) < 2:
        return None
    return Disagreement(disagreement.quantity, figures)


def verified_answer(question: str, draft: Draft, passages: list[Passage], texts: dict[str, str],
                    fingerprint: str, generator: str,
                    timings: dict[str, float]) -> Answer:  # fmt: skip
    """The ``Answer`` to ``question`` from ``draft``, its citations verified against the
    articles' ``texts`` (``verify``). A draft left with no citation is a refusal that says why,
    and none of its words are shown: they are claims no article backs (its quotes no longer
    match, as when an article changed while the answer was made)."""
    text, citations = verify(draft.text, draft.citations, texts)
    notes = draft.notes
    if draft.refused:
        text, citations = draft.text, []
    elif not citations:
        text, notes = REFUSAL, [*notes, "no quote of the answer matched its article: ask again"]
    refused = not citations
    disagreement = None if refused else renumbered(draft.disagreement, draft.citations, citations)
    return Answer(
        question=question,
        text=text,
        refused=refused,
        citations=citations,
        passages=passages,
        fingerprint=fingerprint,
        timings_ms=timings,
        notes=notes,
        generator=generator,
        disagreement=disagreement,
    )
