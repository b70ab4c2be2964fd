"""Evidence selection: the sentences of the retrieved passages that answer the question.

Two steps. ``score_sentences`` (here) scores every candidate sentence (an exact span of its
article) cheaply: semantic similarity to the question (the embedding model), keyword overlap
weighted by rarity, and whether it holds something of the expected answer type that the question
does not already contain (a number for "how many", a person for "who", a date for "when").
``qa.relevance.rerank`` then has a cross-encoder, which reads the question and the sentence
together, judge the best of them, and orders them by that judgement plus the answer-type fit: on
news nobody tuned for (the RealTime QA questions) the best sentence held the answer for 0.48 of
the questions against 0.41 by the cheap score alone. The cheap score stays the measure of whether
the articles are on the question's topic at all (the refusal threshold), which the cross-encoder
does not tell: a near miss ("who was the judge?" over an article that says "a judge") is as
relevant to it as an answer.

A sentence's text is evidence once: the same story indexed under two names (a copy, a syndicated
wire story) would otherwise be quoted, and cited, once per copy. It keeps the rank of its
best-ranked copy and is cited from the copy with the shortest article id (the plain address of a
page also saved with a tracking query).
"""

from __future__ import annotations

import math
import re
import threading
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from index.boilerplate import is_boilerplate
from index.chunking import sentence_spans
from index.embedding import Embedder, Vectors
from qa.answer import Passage
from qa.dates import MONTH, WEEKDAY
from qa.entities import prefix_match
from qa.expectation import FRAME, Alike, expectation
from qa.question import PAST_FORM, AnswerType
from qa.text import terms

DATE_MARKER = re.compile(r"date[:\s]+\d{4}-\d{2}-\d{2}\s+", re.I)
_LEADING_PARENTHESIS = re.compile(r"\([^()]{1,80}\)\s+")


@dataclass(frozen=True)
class Sentence:
    """A candidate evidence sentence: an exact span of its article, and its scores."""

    article_id: str
    start: int
    end: int
    text: str
    passage: Passage
    semantic: float
    lexical: float
    typed: float
    score: float  # the cheap score: how much the sentence is about the question's topic
    around: str = ""  # the sentences just before and after (see ``window``)
    relevance: float | None = None  # the cross-encoder's logit, for the sentences it read
    # For a question that sets a scene before it asks: how many logits better the cross-encoder
    # reads the sentence with the question than with the scene alone (see ``qa.relevance.rerank``).
    to_the_point: float | None = None
    # The sentence before it, when the answer needs it ("Acme Foods recalled ..." / "The company
    # says ..."): see ``with_antecedent``.
    antecedent: Sentence | None = None


class SentenceVectors:
    """Embeddings of sentences, cached by text (a vector depends on its text alone): repeated
    evidence costs nothing the second time, and an updated article's new text is never given an
    old vector. Safe to share between threads (embedding runs outside the cache's lock)."""

    def __init__(self, embedder: Embedder, size: int = 50_000) -> None:
        self.embedder = embedder
        self.size = size
        self._cache: OrderedDict[str, Vectors] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, texts: list[str]) -> Vectors:
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        with self._lock:
            found = {t: self._cache[t] for t in texts if t in self._cache}
        missing = list(dict.fromkeys(t for t in texts if t not in found))
        if missing:
            found.update(zip(missing, self.embedder.embed_documents(missing), strict=True))
        with self._lock:
            for t in dict.fromkeys(texts):
                self._cache[t] = found[t]
                self._cache.move_to_end(t)
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)
        return np.stack([found[t] for t in texts])


class PersonReader:
    """Whether a capitalised run of words names a person, read by the embedding model: is it
    nearer to descriptions of a person's name than to those of a place's, an organisation's or an
    event's? Zero-shot, with no list of names: "Mara Olsen", "Tomasz Wielgus" and "Priya Raman"
    read as people; "Pine Valley", "Harbor Sharks", "Port Authority" and "Lakeside Film Festival"
    do not. Lone words read unreliably ("Monday", "Republican"): give it runs. A run that opens
    with a title reads as its name does: each tail of it from a capitalised word on, two words
    or more, is read, and one person's name is enough ("European Commission President Ursula
    von der Leyen" reads as not a person whole, "Ursula von der Leyen" as one)."""

    PERSON = ("the name of a person", "a man's name", "a woman's name")
    OTHER = (
        "the name of a place",
        "the name of a company or organization",
        "the name of an event, award or team",
    )

    def __init__(self, vectors: SentenceVectors) -> None:
        self.vectors = vectors
        self._person = vectors.get(list(self.PERSON))
        self._other = vectors.get(list(self.OTHER))

    def __call__(self, span: str) -> bool:
        words = span.split()
        tails = [
            " ".join(words[i:]) for i in range(max(1, len(words) - 1)) if words[i][:1].isupper()
        ]
        vectors = self.vectors.get(tails or [span])
        return bool(np.any(np.max(vectors @ self._person.T, axis=1)
                           > np.max(vectors @ self._other.T, axis=1)))  # fmt: skip


@lru_cache(maxsize=8192)
def _passage_spans(text: str, start: int, end: int) -> tuple[tuple[int, int], ...]:
    return tuple(sentence_spans(text, start, end))  # passages come back question after question


def candidates(
    passages: list[Passage], articles: dict[str, str], keep_dates: bool = False
) -> list[tuple[Passage, int, int]]:
    """Every sentence of every passage, once, as (passage, start, end) in article offsets. The
    loader's leading "date YYYY-MM-DD" marker is left out unless the question asks when."""
    seen: set[tuple[str, int]] = set()
    out: list[tuple[Passage, int, int]] = []
    for p in passages:
        text = articles[p.article_id]
        for s, e in _passage_spans(text, p.start, p.end):
            if not keep_dates and (
                m := DATE_MARKER.match(text, s, e)
            ):  # the loader's "date YYYY-MM-DD" marker
                s = m.end()
            if (p.article_id, s) in seen or len(term_set(text[s:e])) < 3:
                continue
            credit = _LEADING_PARENTHESIS.match(text, s, e)  # "(Jane Roe/Reuters) The council ..."
            if credit and credit.end() < e and is_boilerplate(text[s : credit.end()].strip()):
                s = credit.end()
            if is_boilerplate(text[s:e]):  # navigation, bylines, credits: never an answer
                continue
            seen.add((p.article_id, s))
            out.append((p, s, e))
    return out


def quotable(text: str) -> bool:
    """Whether an article holds a sentence that an answer may quote, as ``candidates`` reads
    sentences: three words or more, and not page furniture. A scraped page that is all ad
    widget ("1. How relevant is this ad to you? ... Video player was slow to load content")
    holds none: 16 of the 949 RealTime QA articles, and no other."""
    return any(
        len(term_set(text[s:e])) >= 3 and not is_boilerplate(text[s:e])
        for s, e in sentence_spans(text)
    )


@dataclass(frozen=True)
class Cheap:
    """The cheap score's weights (``Settings`` fields ``evidence_*``, described there)."""

    similarity: float = 0.4  # cosine of the sentence to the question
    overlap: float = 0.4  # share of the question's (rarity-weighted) words it holds
    typed: float = 0.15  # answer-type fit (``Expectation.match``)
    rank: float = 0.05  # its passage's retrieval rank, 1 / sqrt(rank - best + 1)
    # Credit for a question word found in the sentence before or after instead of in the
    # sentence itself: news prose names its subject once and then says "he said", "the agency
    # said", "the finance minister" (the lede names the role, the next paragraph the person).
    near: float = 0.4
    # At most this many sentences are embedded, those holding the most of the question's words.
    embedded: int = 40


@lru_cache(maxsize=4096)
def article_spans(text: str) -> tuple[list[int], list[tuple[int, int]]]:
    """The sentence spans of a whole article, and their starts (for bisection); cached, since
    the same articles come back question after question."""
    spans = sentence_spans(text)
    return [s for s, _ in spans], spans


@lru_cache(maxsize=20_000)
def term_set(text: str) -> frozenset[str]:
    """The distinct terms of a text (``qa.text.terms``); cached for the same reason."""
    return frozenset(terms(text))


def window(text: str, start: int, end: int) -> str:
    """The sentences just before and just after ``text[start:end]``."""
    starts, spans = article_spans(text)
    first = bisect_right(starts, start) - 1  # the sentence holding ``start``
    last = bisect_right(starts, max(start, end - 1)) - 1
    parts = [text[s:e] for s, e in spans[max(0, first - 1) : max(0, first)]]
    parts += [text[s:e] for s, e in spans[last + 1 : last + 2]]
    return " ".join(parts)


def _similarities(rows: list[tuple[Passage, int, int]], texts: list[str], vectors: SentenceVectors,
                  query_vector: Vectors, follow_up: str | None) -> Vectors:  # fmt: skip
    """Cosine of each sentence to the query; for a follow-up, averaged with the cosine to the
    question alone (the history says what it is about, the question what)."""
    if not rows:
        return np.zeros(0, dtype=np.float32)
    found = vectors.get(texts)
    sims = found @ query_vector
    if follow_up is not None:
        sims = 0.5 * sims + 0.5 * (found @ vectors.embedder.embed_query(follow_up))
    return sims


def _scatter(values: Vectors, at: list[int], size: int) -> Vectors:
    out = np.zeros(size, dtype=np.float32)
    out[at] = values
    return out


def score_sentences(
    question: str,
    query: str,
    context_terms: tuple[str, ...],
    kind: AnswerType,
    passages: list[Passage],
    articles: dict[str, str],
    idf: dict[str, float],
    vectors: SentenceVectors,
    query_vector: Vectors,
    cheap: Cheap = Cheap(),
    alike: Alike | None = None,
) -> list[Sentence]:
    """Candidate sentences, best first by the cheap score (``alike``: whether two words name
    the same kind of thing or act, for the answer type's fit)."""
    rows = candidates(passages, articles, keep_dates=kind is AnswerType.DATE)
    if not rows:
        return []
    asked = terms(question)
    own = [t for t in dict.fromkeys(asked) if t not in FRAME]
    said = set(asked)  # a sentence holding nothing more restates the question
    rarest = max(idf.values(), default=1.0)  # a word no chunk holds weighs most
    weights = {t: idf.get(t, rarest) for t in own}
    weights.update({t: 0.5 * idf.get(t, 1.0) for t in context_terms if t not in weights})
    total = sum(weights.values()) or 1.0
    expect = expectation(question, kind, alike)

    def overlap(text: str, around: str) -> tuple[float, float]:
        """(the share of the question's weight the sentence holds, that share counting the
        words of the sentences around it at ``cheap.near``)."""
        have, near = term_set(text), term_set(around)
        own = sum(w if t in have else 0.5 * w if prefix_match(t, have) else 0.0
                  for t, w in weights.items())  # fmt: skip
        nearby = sum(cheap.near * w for t, w in weights.items() if t in near and t not in have)
        return own / total, (own + nearby) / total

    # A sentence sharing no word with the question (or the conversation) is not embedded: it
    # cannot win, and embedding every sentence of a wide pool is most of the time of an answer.
    # It is kept (similarity 0) when the sentence next to it shares words: it may complete that
    # one ("... parked in Yelnya." / "(Maxar Technologies/Reuters)"). A question of stopwords
    # only has no words to share: then every sentence is scored.
    texts = [articles[p.article_id][s:e] for p, s, e in rows]
    arounds = [window(articles[p.article_id], s, e) for p, s, e in rows]
    shares = [overlap(text, near) for text, near in zip(texts, arounds, strict=True)]
    # A sentence that says nothing the question does not (a quiz page restating it) answers
    # nothing, however relevant it looks.
    keep = [
        i for i, (_, near) in enumerate(shares)
        if (near > 0 or not weights) and not term_set(texts[i]) <= said
    ]  # fmt: skip
    if not keep:
        return []
    rows, texts, arounds, shares = (
        [rows[i] for i in keep],
        [texts[i] for i in keep],
        [arounds[i] for i in keep],
        [shares[i] for i in keep],
    )
    embed = [i for i, (own, _) in enumerate(shares) if own > 0 or not weights]
    if len(embed) > cheap.embedded:  # the rest would need the similarity to win, and lack words
        kept = sorted(embed, key=lambda i: (-shares[i][0], rows[i][0].rank))[: cheap.embedded]
        embed = sorted(kept)
    sims = _similarities([rows[i] for i in embed], [texts[i] for i in embed], vectors,
                         query_vector, None if query == question else question)  # fmt: skip
    sims = _scatter(sims, embed, len(rows))
    lexical = [with_near for _, with_near in shares]
    best_rank = min(p.rank for p in passages)
    out: list[Sentence] = []
    for (p, s, e), text, near, sim, lex in zip(rows, texts, arounds, sims, lexical, strict=True):
        typed = expect.match(text, near)
        prior = 1.0 / math.sqrt(p.rank - best_rank + 1)
        score = (cheap.similarity * float(sim) + cheap.overlap * lex + cheap.typed * typed
                 + cheap.rank * prior)  # fmt: skip
        out.append(Sentence(p.article_id, s, e, text, p, float(sim), lex, typed, score, near))
    return distinct(sorted(out, key=lambda x: -x.score))


def distinct(evidence: list[Sentence]) -> list[Sentence]:
    """``evidence`` with each text (up to whitespace) kept once, where it ranks best, and
    quoted from the copy with the shortest article id: one page saved under two addresses
    ("…/story?utm_source=feed" and "…/story") is cited by its plain one, whichever retrieval
    happened to rank first."""
    copies: dict[str, list[Sentence]] = {}
    for sentence in evidence:
        copies.setdefault(" ".join(sentence.text.split()), []).append(sentence)
    kept: list[Sentence] = []
    for same in copies.values():  # in the order of each text's best-ranked copy
        plain = min(same, key=lambda s: (len(s.article_id), s.article_id))
        kept.append(plain if plain is same[0] else replace(plain, score=same[0].score))
    return kept


# A photo caption: a scene in the present tense dated at its end ("The crew's capsule lifts off
# from the launch pad on Wednesday, October 5.", "Paul Pelosi, right, follows his wife as she
# arrives for her news conference on Capitol Hill in Washington on March 17, 2022.")
_DATED_AT_END = re.compile(
    rf"\bon (?:{WEEKDAY},? )?{MONTH}\.? \d{{1,2}}(?:, \d{{4}})?\.?\s*$", re.I
)
_TOLD = re.compile(r"\b(?:said|says|told|will|would|could|has|have|had|was|were)\b", re.I)
_ABOUT_A_PICTURE = re.compile(r"\b(?:photo\w*|pictur\w*|image\w*|shown|video\w*|sketch\w*)\b", re.I)


def caption(text: str) -> bool:
    """Whether a sentence reads as a photo's caption: a scene told in the present tense, with
    the day it was taken at its end, and no past form, attribution or modal. The form is
    general to news pages; a past form the tense test misreads ("left-wing") only makes a
    caption pass for prose."""
    return (
        bool(_DATED_AT_END.search(text)) and not PAST_FORM.search(text) and not _TOLD.search(text)
    )


def about_a_picture(question: str) -> bool:
    """Whether ``question`` asks about a photo, an image or a video ("Who is shown in the
    photo?"): then a caption is what answers it."""
    return bool(_ABOUT_A_PICTURE.search(question))


def of_the_week(evidence: list[Sentence], since: str) -> list[Sentence]:
    """For a question about "this week": the evidence from articles published ``since`` that
    day (ISO) or undated (they may be of any day), and none from earlier ones. A recall of 1
    million pickups years before does not answer "which automaker recalled 200,000 pickups
    this week", and the cross-encoder, which reads no dates, may prefer it to this
    week's story: the recency weight in ``qa.relevance.rerank`` is a few logits, which it can
    outweigh. When the week's sentences are off the question's topic, or there are none, the
    answer is a refusal, not last year's story."""
    return [s for s in evidence if not s.passage.published or s.passage.published >= since]


def from_articles(evidence: list[Sentence], keep: Callable[[str], bool]) -> list[Sentence]:
    """The evidence from the articles ``keep`` accepts (asked once per article id), in its
    order; all of it when ``keep`` accepts none (the question is then answered, or refused, as
    if unfiltered)."""
    kept = {a for a in {s.article_id for s in evidence} if keep(a)}
    return [s for s in evidence if s.article_id in kept] or evidence
