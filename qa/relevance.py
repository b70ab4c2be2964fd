"""The cross-encoder's order of the evidence: which of the cheaply scored sentences
(``qa.evidence``) answers the question, read together with it.

``rerank`` has the cross-encoder judge the best candidates and orders them by its judgement
plus what it cannot read (the answer-type fit, how recent the article was on the day asked
about, and how well its headline fits the question); ``with_antecedent`` quotes the sentence
before the best when the two together answer better ("Acme Foods recalled 2 million jars." /
"The company says ..."). The weights are ``Settings`` fields, carried here by a ``Relevance``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, replace
from datetime import date

import numpy as np

from index.boilerplate import is_boilerplate
from index.chunking import sentence_spans
from qa.crossencoder import CrossEncoder
from qa.entities import names
from qa.evidence import DATE_MARKER, Sentence, article_spans, term_set
from qa.expectation import FITS, FRAME
from qa.question import refers_back
from qa.retrieval import recency
from qa.text import terms


@dataclass(frozen=True)
class Relevance:
    """How the cross-encoder orders the evidence (``Settings`` fields, calibrated there)."""

    candidates: int  # the best sentences by the cheap score that it reads
    typed_weight: float  # logits added per unit of answer-type fit (``Expectation.match``)
    recency_weight: float = 0.0  # logits added per unit of ``recency`` (asked as of a day)
    # Of those candidates, only the ones scoring at least this share of the best cheap score
    min_share: float = 0.0
    # Logits the best sentence must gain when read after the sentence before it for that one
    # to be quoted with it (``with_antecedent``); None: never.
    antecedent_gain: float | None = None
    # Logits the pair may lose against the best sentence alone and still be quoted, when the
    # best refers to the thing asked for as "the show" and the sentence before names something
    # (``refers_back``): the cross-encoder reads such pairs about as it reads the best alone.
    echo_tolerance: float = 2.0
    # Logits added per share of the question's words in the sentence's article headline: an
    # article about the question's subject over a digest or a side mention of it.
    title_weight: float = 0.0
    # Logits added per logit the cross-encoder gives the question read with that headline: a
    # digest's headline ("5 things to know for May 2: Floods, Rail strike, ...") reads as far
    # from the question as a story's own reads near it, with few words in common either way.
    title_reading_weight: float = 0.0
    max_question_chars: int = 400  # it reads at most 256 word pieces, sentence included


_BARE_QUOTE = re.compile(r"^\s*[\"“‘']")
_SPEECH = re.compile(
    r"\b(?:said|says|told|tells|added|adds|wrote|writes|asked|according to)\b", re.I
)


def with_speaker(s: Sentence) -> str:
    """A sentence that only continues a quotation ("'I hope it will not come to that.'"), with
    the sentence before it when that one says who speaks ("'The plan is a red line,' the mayor
    said."); any other sentence as it is. Measured with ``qa eval``: one more seed answer (a
    follow-up answered by a quote's second sentence), the RealTime QA figures unchanged."""
    if not _BARE_QUOTE.match(s.text) or _SPEECH.search(s.text):
        return s.text
    before = s.passage.text[: max(0, s.start - s.passage.start)]
    spans = sentence_spans(before)
    if not spans:
        return s.text
    a, b = spans[-1]
    prev = before[a:b]
    return f"{prev} {s.text}" if _SPEECH.search(prev) else s.text


def rerank(question: str, evidence: list[Sentence], encoder: CrossEncoder, how: Relevance,
           as_of: date | None = None, asking: str | None = None,
           scene: str = "") -> list[Sentence]:  # fmt: skip
    """``evidence`` (best first by the cheap score) with its first ``how.candidates`` sentences
    that score at least ``how.min_share`` of the best cheap score (one far below the best is
    about something else, and reading it is most of the time of an answer) judged by
    ``encoder`` and put first, ordered by relevance plus answer-type fit plus, when
    asked as of a day, how recent the sentence's article was then (the cross-encoder reads no
    dates: "this week's" story and last year's read alike to it), plus the share of the
    question's words its article's headline holds and how relevant the cross-encoder reads that
    headline to the question (it reads the sentence alone: a morning digest's paragraph and the
    story itself read alike to it); the rest follow in their cheap order. A
    sentence that only continues a quotation is read after the one saying who speaks
    (``with_speaker``): alone, "'I hope common sense will prevail.'" is not what the mayor said.

    ``asking``, when the question sets a scene before it asks ("The striker scored his 41st goal
    this week. Who holds the record?"; see ``asking_clause``), is read too, and a sentence's
    relevance is the better of the two: read with the scene, the cross-encoder prefers sentences
    about the scene ("the striker broke the club record") to the one that answers ("Dunmore
    holds the record"). Measured on the RealTime QA questions, 27 of which set a scene: accuracy
    0.637 -> 0.647, strict 0.353 -> 0.363, citation precision 0.551 -> 0.541 (the max of the
    two; their mean lost an answer). The ``scene`` (``qa.question.scene``), when given, is read
    alone as well, and each sentence keeps how much better it reads with the question
    (``Sentence.to_the_point``): a sentence that only retells the scene reads as well without
    the question. Costs two more reads of the candidates for those questions."""
    head = evidence[: how.candidates]
    if head and head[0].score > 0:  # evidence is best first: the ones read are a prefix
        head = [s for s in head if s.score >= how.min_share * head[0].score]
    if not head:
        return evidence
    texts = [with_speaker(s) for s in head]
    logits = encoder.score(question[: how.max_question_chars], texts)
    if asking and asking.strip() != question.strip():
        logits = np.maximum(logits, encoder.score(asking[: how.max_question_chars], texts))
    gains: list[float | None] = [None] * len(head)
    if scene:
        alone = encoder.score(scene[: how.max_question_chars], texts)
        gains = [float(x - y) for x, y in zip(logits, alone, strict=True)]
    judged = [
        replace(s, relevance=float(x), to_the_point=g)
        for s, x, g in zip(head, logits, gains, strict=True)
    ]  # fmt: skip

    asked = {t for t in terms(question) if t not in FRAME}
    titles = sorted({s.passage.title for s in judged if s.passage.title})
    title_logits: dict[str, float] = {}
    if how.title_reading_weight > 0 and titles:  # one more read: each article's headline
        read = encoder.score(question[: how.max_question_chars], titles)
        title_logits = {t: float(x) for t, x in zip(titles, read, strict=True)}

    def headline(s: Sentence) -> float:
        if not asked or not how.title_weight:
            return 0.0
        return len(asked & term_set(s.passage.title)) / len(asked)

    def order(s: Sentence) -> float:
        fresh = recency(as_of, s.passage.published)
        return (float(s.relevance or 0.0) + how.typed_weight * s.typed
                + how.recency_weight * fresh + how.title_weight * headline(s)
                + how.title_reading_weight * title_logits.get(s.passage.title, 0.0))  # fmt: skip

    judged.sort(key=lambda s: -order(s))
    return judged + evidence[len(head) :]


def heading(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is a heading: a whole line (but for a list number) that ends
    without a sentence's punctuation ("5. Seoul crowd crush", "Feb. 17: Griner stopped at
    airport"). A heading names a topic; it is not the sentence a next one refers back to."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start : len(text) if line_end < 0 else line_end].strip()
    return bool(line) and _LIST_NUMBER.sub("", line) == text[start:end].strip() and not (
        _SENTENCE_END.search(line)
    )  # fmt: skip


_LIST_NUMBER = re.compile(r"^\d{1,2}[.)]\s+")
_SENTENCE_END = re.compile(r"[.!?:;\"”’)]$")


def with_antecedent(question: str, evidence: list[Sentence], articles: dict[str, str],
                    encoder: CrossEncoder, how: Relevance) -> list[Sentence]:  # fmt: skip
    """``evidence`` with its best sentence given the sentence before it in its article
    (``antecedent``) when the best lacks the kind of thing asked for (its answer-type fit is
    below full: no name for "which company", no figure for "how many") and the cross-encoder
    finds the two together answer the question better than the best alone, by at least
    ``how.antecedent_gain`` logits. News prose names a thing once and then refers back to it:
    "Acme Foods recalled 2 million jars of peanut butter." / "The company says the jars ...".
    A best sentence that holds the kind of thing asked for answers by itself, and the sentence
    the answer quotes next is then as often the one that completes it, unless it speaks of the
    thing a "which" question asks for as "the company" or "the show" (``refers_back``): then
    the sentence before is quoted with it when it names something the question does not and the
    two read together lose at most ``how.echo_tolerance`` logits (the cross-encoder reads such a
    pair about as it reads the best alone). One more pair for the cross-encoder, run only when
    one of the two tests passes."""
    best = evidence[0] if evidence else None
    if (
        best is None or best.relevance is None or how.antecedent_gain is None
        or (best.typed >= FITS and not refers_back(question, best.text))
    ):  # fmt: skip
        return evidence
    text = articles[best.article_id]
    starts, spans = article_spans(text)
    at = bisect_right(starts, best.start) - 1
    if at < 1:
        return evidence
    start, end = spans[at - 1]
    if m := DATE_MARKER.match(text, start, end):  # the loader's "date YYYY-MM-DD" marker
        start = m.end()
    before = text[start:end]
    if len(term_set(before)) < 3 or is_boilerplate(before):
        return evidence
    if heading(text, start, end):  # "5. Seoul crowd crush": a topic, not what is referred to
        return evidence
    pair = before + " " + best.text
    logit = float(encoder.score(question[: how.max_question_chars], [pair])[0])
    if best.typed >= FITS:  # it fits, but says "the show" (refers_back): the name comes before
        asked = question.lower()
        if logit < best.relevance - how.echo_tolerance or not any(
            n not in asked for n in names(before)
        ):
            return evidence
    elif logit < best.relevance + how.antecedent_gain:
        return evidence
    # It is quoted as part of the best sentence's answer, so it carries the best one's scores.
    lead = Sentence(best.article_id, start, end, before, best.passage, best.semantic,
                    best.lexical, best.typed, best.score, relevance=logit)  # fmt: skip
    return [replace(best, antecedent=lead), *evidence[1:]]
