"""Evidence selection: the sentences of the retrieved passages that answer the question.

Each candidate sentence (an exact span of its article) is scored on semantic similarity to the
question (the embedding model), keyword overlap weighted by rarity, and whether it holds something of
the expected answer type that the question does not already contain (a number for "how many", a
person for "who", a place for "where", a date for "when").
"""

from __future__ import annotations

import math
import re
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from index.chunking import sentence_spans
from index.embedding import Embedder, Vectors
from qa.answer import Passage
from qa.question import AnswerType
from qa.retrieval import terms

_NUMBER = re.compile(
    r"\b\d[\d,.]*\b(?:\s*(?:thousand|million|billion|percent|%))?"
    r"|\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozen|dozens|hundreds?|"
    r"thousands?|millions?)\b",
    re.I,
)
_DATE = re.compile(
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|yesterday|tonight|"
    r"tomorrow|last (?:week|month|year)|this (?:week|month|year)|next (?:week|month|year)|"
    r"(?:early|mid|late)[- ](?:january|february|march|april|may|june|july|august|september|"
    r"october|november|december)|january|february|march|april|june|july|august|september|"
    r"october|november|december|jan\.|feb\.|aug\.|sept?\.|oct\.|nov\.|dec\.|(?:19|20)\d\d)\b",
    re.I,
)
_DATE_MARKER = re.compile(r"date[:\s]+\d{4}-\d{2}-\d{2}\s+", re.I)
_NAME = re.compile(r"\b[A-Z][a-z'’-]+(?:\s+[A-Z]\.)?(?:\s+[A-Z][a-z'’-]+)+\b")
_TITLE_WORDS = re.compile(
    r"\b(?:president|minister|secretary|spokes(?:man|woman|person)|gen\.|general|chairman|"
    r"chancellor|official|ambassador|leader|senator|rep\.)\b",
    re.I,
)
_PLACE = re.compile(
    r"\b(?:in|at|near|from|to|into|across|along|toward|towards|inside|outside)\s+"
    r"(?:the\s+)?([A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*)"
)
_ORG = re.compile(
    r"\b(?:[A-Z]{2,}|[A-Z][a-z]+ (?:Ministry|Department|Council|Agency|Service|Forces|Union)|"
    r"Pentagon|Kremlin|White House|Reuters|Associated Press|Congress|Senate)\b"
)


def entities(text: str, kind: AnswerType) -> set[str]:
    """The spans in ``text`` that could answer a question of ``kind``, lower-cased."""
    if kind is AnswerType.NUMBER:
        found = [m.group(0) for m in _NUMBER.finditer(text)]
    elif kind is AnswerType.DATE:
        found = [m.group(0) for m in _DATE.finditer(text)]
    elif kind is AnswerType.PERSON:
        found = [m.group(0) for m in _NAME.finditer(text)]
        found += [m.group(0) for m in _TITLE_WORDS.finditer(text)] if not found else []
    elif kind is AnswerType.PLACE:
        found = [m.group(1) for m in _PLACE.finditer(text)]
    elif kind is AnswerType.ORGANISATION:
        found = [m.group(0) for m in _ORG.finditer(text)]
    else:
        return set()
    return {f.lower().strip(" .,") for f in found}


_COUNTED = re.compile(
    r"\b(?i:how many)\s+(?:(?:[A-Z][\w-]*|more|of\s+(?:those|them|these))\s+)*([a-z]+)"
)
_ROLE = re.compile(
    r"\b(minister|spokes(?:man|woman|person)|president|secretary|general|ambassador|chairman|"
    r"chancellor|analyst|correspondent|director|envoy|premier|governor|mayor|chief)\b",
    re.I,
)


def singular(word: str) -> str:
    """'casualties' -> 'casualty', 'troops' -> 'troop' (enough for counted nouns)."""
    word = word.lower()
    return word[:-3] + "y" if word.endswith("ies") else word.rstrip("s")


# What a figure counts: 100,000 soldiers and 94,000 troops are one quantity, 14,000 casualties
# another (used to attach numbers to "how many X" and to tell disagreements from other figures).
UNITS = {
    "troop": "troops", "soldier": "troops", "force": "troops", "servicemen": "troops",
    "personnel": "troops", "service": "troops", "fighter": "troops", "sailor": "troops",
    "casualty": "casualties", "people": "casualties", "death": "casualties", "dead": "casualties",
    "killed": "casualties", "live": "casualties", "victim": "casualties", "person": "casualties",
    "civilian": "casualties",
}  # fmt: skip


def focus_noun(question: str, kind: AnswerType) -> str | None:
    """What the answer must be about: the counted noun of "how many troops", or the role of
    "who is the foreign minister" (the sentence naming someone must name that role)."""
    if kind is AnswerType.NUMBER and (m := _COUNTED.search(question)):
        noun = singular(m[1])
        return (
            None
            if noun in {"are", "is", "were", "was", "did", "do", "doe", "have", "ha", "had"}
            else noun
        )
    if kind is AnswerType.PERSON and (m := _ROLE.search(question)):
        return singular(m[1])
    return None


def type_match(text: str, kind: AnswerType, asked: set[str], focus: str | None) -> float:
    """1 when the sentence holds a new thing of the expected type (attached to the focus noun, if
    the question has one), less when it is vaguer or unattached, negative when it has none."""
    if kind is AnswerType.OTHER:
        return 0.0
    found = entities(text, kind) - asked
    if not found:
        return -0.5
    if kind is AnswerType.NUMBER:
        if not any(c.isdigit() for f in found for c in f):
            return 0.3  # "tens of thousands" answers "how many" worse than "94,000"
        if focus:
            after = re.findall(r"\d[\d,.]*\s*(?:thousand|million)?((?:\s+[\w\[\]-]+){1,4})", text)
            nouns = {singular(w) for a in after for w in re.findall(r"[a-z]+", a.lower())}
            unit = UNITS.get(focus)
            if focus not in nouns and not (unit and unit in {UNITS.get(n) for n in nouns}):
                return 0.0
    if kind is AnswerType.PERSON and focus and focus not in map(singular, re.findall(r"\w+", text)):
        return 0.0
    return 1.0


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
    score: float


class SentenceVectors:
    """Embeddings of sentences, cached by span: repeated evidence costs nothing the second time."""

    def __init__(self, embedder: Embedder, size: int = 50_000) -> None:
        self.embedder = embedder
        self.size = size
        self._cache: OrderedDict[tuple[str, int, int], Vectors] = OrderedDict()

    def get(self, keys: list[tuple[str, int, int]], texts: list[str]) -> Vectors:
        missing = [i for i, k in enumerate(keys) if k not in self._cache]
        if missing:
            vectors = self.embedder.embed_documents([texts[i] for i in missing])
            for i, v in zip(missing, vectors, strict=True):
                self._cache[keys[i]] = v
        for k in keys:
            self._cache.move_to_end(k)
        while len(self._cache) > self.size:
            self._cache.popitem(last=False)
        if not keys:
            return np.zeros((0, 1), dtype=np.float32)
        return np.stack([self._cache[k] for k in keys])


def candidates(
    passages: list[Passage], articles: dict[str, str], keep_dates: bool = False
) -> list[tuple[Passage, int, int]]:
    """Every sentence of every passage, once, as (passage, start, end) in article offsets. The
    loader's leading "date YYYY-MM-DD" marker is left out unless the question asks when."""
    seen: set[tuple[str, int]] = set()
    out: list[tuple[Passage, int, int]] = []
    for p in passages:
        text = articles[p.article_id]
        for s, e in sentence_spans(text, p.start, p.end):
            if not keep_dates and (
                m := _DATE_MARKER.match(text, s, e)
            ):  # the loader's "date YYYY-MM-DD" marker
                s = m.end()
            if (p.article_id, s) in seen or len(terms(text[s:e])) < 3:
                continue
            seen.add((p.article_id, s))
            out.append((p, s, e))
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
) -> list[Sentence]:
    """Candidate sentences, best first."""
    rows = candidates(passages, articles, keep_dates=kind is AnswerType.DATE)
    if not rows:
        return []
    own = list(dict.fromkeys(terms(question)))
    weights = {t: idf.get(t, max(idf.values(), default=1.0)) for t in own}
    weights.update({t: 0.5 * idf.get(t, 1.0) for t in context_terms if t not in weights})
    total = sum(weights.values()) or 1.0
    asked = entities(question, kind)
    focus = focus_noun(question, kind)
    keys = [(p.article_id, s, e) for p, s, e in rows]
    texts = [articles[p.article_id][s:e] for p, s, e in rows]
    sims = vectors.get(keys, texts) @ query_vector
    best_rank = min(p.rank for p in passages)
    out: list[Sentence] = []
    for (p, s, e), text, sim in zip(rows, texts, sims, strict=True):
        have = set(terms(text))
        lexical = sum(w for t, w in weights.items() if t in have) / total
        typed = type_match(text, kind, asked, focus)
        prior = 1.0 / math.sqrt(p.rank - best_rank + 1)
        score = 0.4 * float(sim) + 0.4 * lexical + 0.15 * typed + 0.05 * prior
        out.append(Sentence(p.article_id, s, e, text, p, float(sim), lexical, typed, score))
    return sorted(out, key=lambda x: -x.score)
