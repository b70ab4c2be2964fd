"""Hybrid retrieval: dense search in the store plus BM25 keyword search, fused by reciprocal rank.

The BM25 index is derived from the store's chunks when the retriever opens (so it is always in step
with the vectors) and cached on disk under a digest of the chunk ids. Results are diversified (at
most ``per_article`` passages an article) and can be filtered by date range, outlet and article.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import shutil
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from index.embedding import Embedder
from index.store import Filter, Store, StoredChunk, date_number, matches
from qa.answer import Passage
from qa.text import terms


@dataclass(frozen=True)
class Query:
    text: str
    k: int
    flt: Filter = field(default_factory=Filter)
    as_of: date | None = None
    boost_articles: tuple[str, ...] = ()  # e.g. the previous answer's articles, for follow-ups


Terms = dict[str, tuple[list[str], list[str]]]  # a chunk's terms (title and text; text), by id


class KeywordIndex:
    """BM25 (bm25s) over the chunks' title + text."""

    _IDF = "idf.json"

    def __init__(self, chunks: list[StoredChunk], cache: Path | None,
                 known: Terms | None = None) -> None:  # fmt: skip
        """``known``: the terms of chunks an earlier index already read (by chunk id, which
        is a hash of its content), so that taking in a few changed articles reads only them.
        With a ``cache`` folder, BM25 and the terms' rarity are kept there for this set of
        chunks: reading every chunk's terms again took about 2 s of each opening of the
        949-article index."""
        import bm25s

        self.chunks = chunks
        self._bm25: Any = None
        self._published: NDArray[np.int64] | None = None
        self.position: dict[str, int] = {}
        self._known = known or {}
        self._terms: Terms | None = None
        self.idf: dict[str, float] = {}
        if not chunks:
            return
        # a chunk's id covers its text, not its article's title, which BM25 also reads
        keys = sorted(f"{c.id}\t{c.title}" for c in chunks)
        digest = hashlib.sha256("\n".join(keys).encode()).hexdigest()[:16]
        folder = cache / f"bm25-{digest}" if cache else None
        self.chunks.sort(key=lambda c: c.id)
        self.position = {c.id: i for i, c in enumerate(self.chunks)}
        if folder and (folder / "params.index.json").exists() and (folder / self._IDF).exists():
            try:
                self._bm25 = bm25s.BM25.load(str(folder))
                self.idf = json.loads((folder / self._IDF).read_text(encoding="utf-8"))
                return
            except Exception:  # a damaged cache is rebuilt, never fatal
                self._bm25, self.idf = None, {}
        self.idf = self._idf([self.terms[c.id][1] for c in chunks])
        corpus = [self.terms[c.id][0] for c in chunks]
        self._bm25 = bm25s.BM25()
        self._bm25.index(corpus, show_progress=False)
        if folder:
            with contextlib.suppress(OSError):
                self._bm25.save(str(folder))
                (folder / self._IDF).write_text(json.dumps(self.idf), encoding="utf-8")
                for old in folder.parent.glob("bm25-*"):  # earlier chunk sets: never read again
                    if old != folder:
                        shutil.rmtree(old, ignore_errors=True)

    @property
    def terms(self) -> Terms:
        """Each chunk's terms, read when first needed (with the cache, only when the index
        changes and the next one takes them as ``known``)."""
        if self._terms is None:
            self._terms = {
                c.id: self._known.get(c.id) or (terms(f"{c.title}\n{c.text}"), terms(c.text))
                for c in self.chunks
            }
            self._known = {}  # the earlier index's terms, removed chunks' too: not kept alive
        return self._terms

    @staticmethod
    def _idf(texts: list[list[str]]) -> dict[str, float]:
        df: dict[str, int] = {}
        for words in texts:
            for t in set(words):
                df[t] = df.get(t, 0) + 1
        n = len(texts)
        return {t: math.log((n - d + 0.5) / (d + 0.5) + 1.0) for t, d in df.items()}

    def search(self, text: str, flt: Filter | None = None) -> tuple[NDArray[np.intp], NDArray[Any]]:
        """The chunks (indexes into ``chunks``) that share a term with the query and pass the
        filter, best first, and every chunk's score. Vectorised: BM25 ranks every chunk."""
        query = terms(text)
        if self._bm25 is None or not query:
            return np.zeros(0, dtype=np.intp), np.zeros(len(self.chunks))
        scores = np.asarray(self._bm25.get_scores(query), dtype=np.float64)
        if flt:
            scores = np.where(self._passes(flt), scores, 0.0)
        hits = np.flatnonzero(scores > 0)
        return hits[np.argsort(-scores[hits], kind="stable")], scores

    def _passes(self, flt: Filter) -> NDArray[np.bool_]:
        """``matches`` for every chunk at once (dates compared as numbers)."""
        if self._published is None:
            self._published = np.array([date_number(c.published) for c in self.chunks])
        ok = np.ones(len(self.chunks), dtype=bool)
        dated = self._published > 0
        if flt.published_from:
            ok &= ~dated | (self._published >= date_number(flt.published_from))
        if flt.published_to:
            ok &= ~dated | (self._published <= date_number(flt.published_to))
        if flt.sources or flt.article_ids:
            ok &= np.array([matches(c, replace(flt, published_from=None, published_to=None))
                            for c in self.chunks])  # fmt: skip
        return ok


def recency(as_of: date | None, published: str | None) -> float:
    """How recent an article was on the day asked about: 1 that day, about 0.5 a week before,
    0 for an undated article or no day asked about (later articles are filtered out)."""
    if as_of is None or not published:
        return 0.0
    return math.exp(-max((as_of - date.fromisoformat(published)).days, 0) / 10.0)


class HybridRetriever:
    """Dense + BM25, fused by reciprocal rank, diversified by article."""

    def __init__(self, store: Store, embedder: Embedder, *, candidates: int = 40,
                 per_article: int = 3, rrf_k: int = 60, cache: Path | None = None,
                 previous: HybridRetriever | None = None, recency_weight: float = 0.3) -> None:  # fmt: skip
        """``previous``: the retriever this one replaces (after the index changed): the terms of
        the chunks it read are not read again."""
        self.store = store
        self.embedder = embedder
        self.candidates = candidates
        self.per_article = per_article
        self.rrf_k = rrf_k
        self.recency_weight = recency_weight
        known: dict[str, tuple[list[str], list[str]]] | None = None
        if previous is not None:
            known = previous.keyword.terms
        self.keyword: KeywordIndex = KeywordIndex(store.get(), cache, known)

    def retrieve(self, query: Query) -> list[Passage]:
        return self._diversify(self._rank(query), query.k, self.per_article)

    def retrieve_with_pool(
        self, query: Query, pool_k: int, pool_per_article: int, since: str | None = None
    ) -> tuple[list[Passage], list[Passage]]:
        """The ranked passages, and a wider pool from the same ranking (more passages, more of
        them from one article) in which to look for evidence sentences: a long article may hold
        the answer in its third-best passage. With ``since`` (an ISO day: a question about this
        week), the pool also holds the best passages published since then, ranked among
        themselves (their ranks are that ranking's): that week's story may rank below older
        ones on everything but its date."""
        ranked = self._rank(query)
        passages = self._diversify(ranked, query.k, self.per_article)
        pool = self._diversify(ranked, pool_k, pool_per_article)
        if since is not None and (query.flt.published_from or "") < since:
            week = replace(query, flt=replace(query.flt, published_from=since))
            known = {(p.article_id, p.start) for p in pool}
            pool += [
                p for p in self._diversify(self._rank(week), pool_k, pool_per_article)
                if (p.article_id, p.start) not in known
            ]  # fmt: skip
        return passages, pool

    def _rank(self, query: Query) -> list[dict[str, Any]]:
        flt = query.flt
        if query.as_of:
            bound = query.as_of.isoformat()
            if not flt.published_to or flt.published_to > bound:
                flt = replace(flt, published_to=bound)
        vector = self.embedder.embed_query(query.text)
        dense = self.store.query(vector, self.candidates, flt)
        order, scores = self.keyword.search(query.text, flt)
        # Reciprocal rank fusion. BM25 ranks every chunk, so a dense hit beyond the keyword top
        # still gets its true keyword rank (plain RRF over two top-k lists gives it nothing and
        # sinks an excellent dense hit below mediocre hits that happen to be in both lists).
        fused: dict[str, dict[str, Any]] = {}
        for rank, hit in enumerate(dense):
            row = fused.setdefault(hit.chunk.id, {"chunk": hit.chunk, "score": 0.0})
            row["score"] += 1.0 / (self.rrf_k + rank + 1)
            row["dense"] = hit.score
        keyword = self.keyword
        ranks = np.full(len(keyword.chunks), -1, dtype=np.intp)
        ranks[order] = np.arange(len(order))
        wanted = [int(i) for i in order[: self.candidates]]
        wanted += [keyword.position[cid] for cid in fused if cid in keyword.position]
        for i in dict.fromkeys(wanted):
            rank = int(ranks[i])
            if rank < 0:  # a dense hit that holds no word of the query (or is filtered out)
                continue
            chunk = keyword.chunks[i]
            row = fused.setdefault(chunk.id, {"chunk": chunk, "score": 0.0})
            row["score"] += 1.0 / (self.rrf_k + rank + 1)
            row["keyword"] = float(scores[i])
        for row in fused.values():
            row["score"] *= self._prior(row["chunk"], query)
        return sorted(fused.values(), key=lambda r: -r["score"])

    def _prior(self, chunk: StoredChunk, query: Query) -> float:
        """Small multiplicative preferences: recent articles when asked as of a date, and the
        articles a conversation is already about."""
        weight = 1.0 + self.recency_weight * recency(query.as_of, chunk.published)
        if chunk.article_id in query.boost_articles:
            weight *= 1.3
        return weight

    @staticmethod
    def _diversify(ranked: list[dict[str, Any]], k: int, per_article: int) -> list[Passage]:
        taken: dict[str, int] = {}
        out: list[Passage] = []
        for row in ranked:
            c: StoredChunk = row["chunk"]
            if taken.get(c.article_id, 0) >= per_article:
                continue
            taken[c.article_id] = taken.get(c.article_id, 0) + 1
            out.append(Passage(
                len(out) + 1, c.article_id, c.title, c.published, c.source, c.start, c.end,
                c.text, row["score"], row.get("dense"), row.get("keyword"),
            ))  # fmt: skip
            if len(out) == k:
                break
        return out
