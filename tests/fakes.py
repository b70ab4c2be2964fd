"""Fakes that are real code, not mocks: a deterministic embedder and a counting wrapper.

``HashEmbedder`` implements ``index.embedding.Embedder`` with sha256-seeded unit vectors over a bag
of words, so texts sharing words are similar and the same text always gets the same vector.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

import numpy as np

from index.embedding import Embedder, Vectors

_TOKEN = re.compile(r"\w+|[^\w\s]")
_WORD = re.compile(r"\w+")


@lru_cache(maxsize=65536)
def _word_vector(word: str, dim: int) -> Vectors:
    seed = int.from_bytes(hashlib.sha256(word.encode()).digest()[:8], "big")
    vector = np.random.default_rng(seed).standard_normal(dim).astype(np.float32)
    vector.setflags(write=False)  # shared by the cache
    return vector


class HashEmbedder:
    """Word-bag vectors seeded by sha256: deterministic, fast, similar for similar texts."""

    model_id = "hash-embedder"
    dim = 64
    max_tokens = 254

    def token_spans(self, text: str) -> list[tuple[int, int]]:
        return [m.span() for m in _TOKEN.finditer(text)]

    def _embed(self, text: str) -> Vectors:
        words = [w.lower() for w in _WORD.findall(text)] or [""]
        vector = np.sum([_word_vector(w, self.dim) for w in words], axis=0)
        return (vector / np.linalg.norm(vector)).astype(np.float32)

    def embed_documents(self, texts: list[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._embed(t) for t in texts])

    def embed_query(self, text: str) -> Vectors:
        return self._embed(text)


class CountingEmbedder:
    """Wraps an embedder and records what it was asked to embed."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.dim = inner.dim
        self.max_tokens = inner.max_tokens
        self.calls = 0
        self.texts: list[str] = []

    def token_spans(self, text: str) -> list[tuple[int, int]]:
        return self.inner.token_spans(text)

    def embed_documents(self, texts: list[str]) -> Vectors:
        if texts:
            self.calls += 1
        self.texts += texts
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> Vectors:
        return self.inner.embed_query(text)


class OverlapCrossEncoder:
    """A ``qa.crossencoder.CrossEncoder`` scoring each text by the share of the query's distinct
    words (lower-cased) it contains: deterministic, independent of the other texts, instant."""

    model_id = "word-overlap-cross-encoder"

    def score(self, query: str, texts: list[str]) -> Vectors:
        asked = {w.lower() for w in _WORD.findall(query)}
        scores = [
            len(asked & {w.lower() for w in _WORD.findall(text)}) / max(len(asked), 1)
            for text in texts
        ]
        return np.array(scores, dtype=np.float32)
