"""Sentence-aware chunking with exact character offsets.

A chunk is a run of whole sentences whose word-piece count fits the embedding model, so that nothing
is silently truncated; a sentence longer than that is cut at word boundaries. Consecutive chunks
share up to ``overlap`` tokens of whole sentences. Invariant: ``chunk.text == text[chunk.start:
chunk.end]`` and every non-blank character of the article lies in at least one chunk.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_left
from dataclasses import dataclass
from typing import Protocol


class Tokenizer(Protocol):
    """What chunking needs of the embedding model's tokenizer."""

    def token_spans(self, text: str) -> list[tuple[int, int]]:
        """Character spans of the word pieces of ``text``, without special tokens."""
        ...


@dataclass(frozen=True)
class Chunk:
    id: str
    article_id: str
    start: int
    end: int
    text: str


_ABBREVIATIONS = {
    "u.s", "u.k", "u.n", "e.u", "gen", "sen", "rep", "gov", "lt", "col", "sgt", "capt", "maj",
    "mr", "mrs", "ms", "dr", "st", "jr", "sr", "prof", "no", "vs", "etc", "inc", "corp", "co",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "a.m",
    "p.m", "d.c", "pres", "ft", "mt", "approx", "dept", "est",
}  # fmt: skip
_SENTENCE_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s)|\n")


def _is_abbreviation(text: str, dot: int) -> bool:
    """True when the period at ``dot`` ends an abbreviation or an initial, not a sentence."""
    if text[dot] != ".":
        return False
    word = re.search(r"([A-Za-z][A-Za-z.]*)$", text[max(0, dot - 12) : dot])
    if not word:
        return False
    w = word[1].lower()
    return w in _ABBREVIATIONS or len(w) == 1 or bool(re.fullmatch(r"(?:[a-z]\.)+[a-z]", w))


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans of the sentences in ``text[start:end]``, trimmed of surrounding whitespace.

    Lines are always boundaries (news text puts one paragraph on a line); inside a line a sentence
    ends at . ! or ? (and closing quotes) followed by a space, unless the period ends an
    abbreviation such as "U.S." or "Gen.".
    """
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    cursor = start
    for m in _SENTENCE_END.finditer(text, start, end):
        if m[0] != "\n" and _is_abbreviation(text, m.start()):
            continue
        _add_trimmed(text, cursor, m.end(), spans)
        cursor = m.end()
    _add_trimmed(text, cursor, end, spans)
    return spans


def _add_trimmed(text: str, s: int, e: int, spans: list[tuple[int, int]]) -> None:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    if s < e:
        spans.append((s, e))


def chunk_id(article_id: str, start: int, end: int, text: str) -> str:
    """A content hash: the same chunk always gets the same id, so writes are idempotent."""
    return hashlib.sha256(f"{article_id}\x1f{start}\x1f{end}\x1f{text}".encode()).hexdigest()[:32]


def _pieces(
    text: str, tokens: list[tuple[int, int]], max_tokens: int
) -> list[tuple[int, int, int]]:
    """Sentences as (start, end, token count), long ones cut into pieces of at most max_tokens."""
    starts = [s for s, _ in tokens]
    pieces: list[tuple[int, int, int]] = []
    for s, e in sentence_spans(text):
        first, last = bisect_left(starts, s), bisect_left(starts, e)
        while last - first > max_tokens:
            cut = first + max_tokens
            # Prefer a cut where a new word starts, so that re-tokenising the piece gives the same
            # pieces; fall back to any token boundary for text without spaces.
            for j in range(cut, first + max_tokens // 2, -1):
                if tokens[j][0] > tokens[j - 1][1]:
                    cut = j
                    break
            pieces.append((s, tokens[cut - 1][1], cut - first))
            s = tokens[cut][0]
            first = cut
        pieces.append((s, e, max(1, last - first)))
    return pieces


def chunk_text(
    article_id: str, text: str, tokenizer: Tokenizer, max_tokens: int, overlap: int
) -> list[Chunk]:
    """Chunks of ``text`` of at most ``max_tokens`` word pieces, sharing up to ``overlap``."""
    if max_tokens < 8 or not 0 <= overlap < max_tokens // 2 + 1:
        raise ValueError(f"need max_tokens >= 8 and 0 <= overlap <= max_tokens/2 ({max_tokens=})")
    pieces = _pieces(text, tokenizer.token_spans(text), max_tokens)
    chunks: list[Chunk] = []
    i = 0
    while i < len(pieces):
        j, total = i, 0
        while j < len(pieces) and total + pieces[j][2] <= max_tokens:
            total += pieces[j][2]
            j += 1
        j = max(j, i + 1)
        start, end = pieces[i][0], pieces[j - 1][1]
        chunks.append(Chunk(chunk_id(article_id, start, end, text[start:end]), article_id,
                            start, end, text[start:end]))  # fmt: skip
        if j >= len(pieces):
            break
        back, shared = j, 0
        while back - 1 > i and shared + pieces[back - 1][2] <= overlap:
            back -= 1
            shared += pieces[back][2]
        i = back
    return chunks
