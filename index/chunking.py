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


def _cut_piece(
    text: str, tokens: list[tuple[int, int]], tokenizer: Tokenizer, s: int, cut: int,
    max_tokens: int,
) -> tuple[int, int, int]:  # fmt: skip
    """(end, token count, cut) of the piece from ``s`` up to token ``cut``, shrunk until it fits
    when tokenised on its own (word pieces of part of a word differ from those of the word)."""
    while True:
        # End the piece where the next one starts (less whitespace), not where its last token
        # ends: characters the tokenizer drops (control characters) must stay in some chunk.
        end = tokens[cut][0]
        while end > s and text[end - 1].isspace():
            end -= 1
        n = len(tokenizer.token_spans(text[s:end]))
        if n <= max_tokens or tokens[cut - 1][0] <= s:
            return end, max(1, n), cut
        cut -= 1


def _pieces(text: str, tokenizer: Tokenizer, max_tokens: int) -> list[tuple[int, int, int]]:
    """Sentences as (start, end, token count), long ones cut into pieces of at most max_tokens."""
    tokens = tokenizer.token_spans(text)
    starts = [s for s, _ in tokens]
    pieces: list[tuple[int, int, int]] = []
    for s, e in sentence_spans(text):
        first, last = bisect_left(starts, s), bisect_left(starts, e)
        while True:
            n = last - first
            if first > 0 and s == tokens[first - 1][1] and n <= max_tokens:
                n = len(tokenizer.token_spans(text[s:e]))  # starts inside a word: count it alone
            if n <= max_tokens or last - first <= 1:
                break
            cut = min(first + max_tokens, last - 1)
            # Prefer a cut where a new word starts, so that re-tokenising the piece gives the same
            # pieces; fall back to any token boundary for text without spaces.
            for j in range(cut, first + max_tokens // 2, -1):
                if tokens[j][0] > tokens[j - 1][1]:
                    cut = j
                    break
            if tokens[cut][0] <= s:
                break
            end, count, cut = _cut_piece(text, tokens, tokenizer, s, cut, max_tokens)
            pieces.append((s, end, count))
            s = tokens[cut][0]
            first = bisect_left(starts, s)
        pieces.append((s, e, max(1, n)))
    return pieces


def chunk_text(
    article_id: str, text: str, tokenizer: Tokenizer, max_tokens: int, overlap: int
) -> list[Chunk]:
    """Chunks of ``text`` of at most ``max_tokens`` word pieces, sharing up to ``overlap``."""
    if max_tokens < 8 or not 0 <= overlap < max_tokens // 2 + 1:
        raise ValueError(f"need max_tokens >= 8 and 0 <= overlap <= max_tokens/2 ({max_tokens=})")
    pieces = _pieces(text, tokenizer, max_tokens)
    chunks: list[Chunk] = []
    i = 0
    while i < len(pieces):
        j, total = i, 0
        while j < len(pieces) and total + pieces[j][2] <= max_tokens:
            total += pieces[j][2]
            j += 1
        j = max(j, i + 1)
        # Pieces cut inside a word join back into that word, whose word pieces may differ from
        # the parts': count such a chunk as the model will see it.
        while j - 1 > i and any(pieces[k][1] == pieces[k + 1][0] for k in range(i, j - 1)):
            if len(tokenizer.token_spans(text[pieces[i][0] : pieces[j - 1][1]])) <= max_tokens:
                break
            j -= 1
        start, end = pieces[i][0], pieces[j - 1][1]
        chunks.append(Chunk(chunk_id(article_id, start, end, text[start:end]), article_id,
                            start, end, text[start:end]))  # fmt: skip
        if j >= len(pieces):
            break
        # Share whole sentences, but only as many as still leave room for the next new piece:
        # otherwise the next chunk would add nothing to this one.
        back, shared, budget = j, 0, min(overlap, max_tokens - pieces[j][2])
        while back - 1 > i and shared + pieces[back - 1][2] <= budget:
            back -= 1
            shared += pieces[back][2]
        i = back
    return chunks
