"""Where chunks, their vectors and the articles live.

``Store`` is the narrow interface (chunks: ``add``, ``query``, ``get``, ``delete``, ``count``;
articles: ``put_articles``, ``articles``, ``article``, ``delete_article``). ``ChromaStore`` is the
product's implementation (embedded on disk, or a Chroma server); ``MemoryStore`` is the same contract
in plain Python for fast tests. One contract suite (tests/index/test_store_contract.py) runs against
both and against a real ``chroma run`` server.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import numpy as np

from index.articles import Article
from index.chunking import Chunk
from index.embedding import Vectors


@dataclass(frozen=True)
class Filter:
    """Which chunks a search may return. Dates are ISO strings; both bounds are inclusive."""

    published_from: str | None = None
    published_to: str | None = None
    sources: tuple[str, ...] = ()
    article_ids: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return any((self.published_from, self.published_to, self.sources, self.article_ids))


@dataclass(frozen=True)
class StoredChunk:
    """A chunk as stored: its span in the article, and what search results need of the article."""

    id: str
    article_id: str
    start: int
    end: int
    text: str
    title: str = ""
    published: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class ArticleRecord:
    """An article as stored: the whole text and what incremental indexing needs (hash, root)."""

    article: Article
    content_hash: str
    root: str
    chunk_count: int


@dataclass
class Hit:
    chunk: StoredChunk
    score: float  # cosine similarity


def date_number(iso: str | None) -> int:
    """Chroma range filters need numbers: 2022-01-19 -> 20220119, unknown -> 0."""
    return int(iso.replace("-", "")) if iso else 0


def stored(chunk: Chunk, article: Article) -> StoredChunk:
    return StoredChunk(
        chunk.id, article.id, chunk.start, chunk.end, chunk.text,
        article.title, article.published, article.source,
    )  # fmt: skip


def matches(chunk: StoredChunk, flt: Filter | None) -> bool:
    """The reference meaning of a Filter (Chroma's translation must agree; the contract tests it).
    Undated articles pass date bounds: nothing says they are out of range."""
    if not flt:
        return True
    published = date_number(chunk.published)
    if flt.published_from and published and published < date_number(flt.published_from):
        return False
    if flt.published_to and published and published > date_number(flt.published_to):
        return False
    if flt.sources and (chunk.source or "") not in flt.sources:
        return False
    return not flt.article_ids or chunk.article_id in flt.article_ids


class Store(Protocol):
    """What the indexer and the retriever need of a vector store."""

    def add(self, chunks: Sequence[StoredChunk], vectors: Vectors) -> None: ...

    def query(self, vector: Vectors, k: int, flt: Filter | None = None) -> list[Hit]: ...

    def get(self, article_id: str | None = None) -> list[StoredChunk]: ...

    def delete(self, ids: Sequence[str]) -> None: ...

    def count(self) -> int: ...

    def put_articles(self, records: Sequence[ArticleRecord]) -> None: ...

    def article(self, article_id: str) -> ArticleRecord | None: ...

    def articles(self) -> dict[str, ArticleRecord]: ...

    def delete_article(self, article_id: str) -> None: ...

    def generation(self) -> str:
        """Changes whenever articles are written or removed (by any process): a reader compares
        it to know that its copy of the articles is stale."""
        ...

    def close(self) -> None: ...


@dataclass
class MemoryStore:
    """The Store contract in plain Python (exact cosine search): for tests and tiny corpora."""

    chunks: dict[str, StoredChunk] = field(default_factory=dict)
    vectors: dict[str, Vectors] = field(default_factory=dict)
    records: dict[str, ArticleRecord] = field(default_factory=dict)
    version: int = 0  # bumped by every write of articles: the generation

    def add(self, chunks: Sequence[StoredChunk], vectors: Vectors) -> None:
        for chunk, vector in zip(chunks, vectors, strict=True):
            self.chunks[chunk.id] = chunk
            self.vectors[chunk.id] = np.asarray(vector, dtype=np.float32)

    def query(self, vector: Vectors, k: int, flt: Filter | None = None) -> list[Hit]:
        hits = [
            Hit(c, float(np.dot(self.vectors[c.id], vector)))
            for c in self.chunks.values()
            if matches(c, flt)
        ]
        return sorted(hits, key=lambda h: -h.score)[:k]

    def get(self, article_id: str | None = None) -> list[StoredChunk]:
        return [c for c in self.chunks.values() if article_id in (None, c.article_id)]

    def delete(self, ids: Sequence[str]) -> None:
        for i in ids:
            self.chunks.pop(i, None)
            self.vectors.pop(i, None)

    def count(self) -> int:
        return len(self.chunks)

    def put_articles(self, records: Sequence[ArticleRecord]) -> None:
        for record in records:
            self.records[record.article.id] = record
        self.version += 1

    def article(self, article_id: str) -> ArticleRecord | None:
        return self.records.get(article_id)

    def articles(self) -> dict[str, ArticleRecord]:
        return dict(self.records)

    def delete_article(self, article_id: str) -> None:
        self.records.pop(article_id, None)
        self.version += 1

    def generation(self) -> str:
        return str(self.version)

    def close(self) -> None:
        pass


def chunk_metadata(chunk: StoredChunk) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "article_id": chunk.article_id,
        "start": chunk.start,
        "end": chunk.end,
        "title": chunk.title,
        "published_int": date_number(chunk.published),
        "source": chunk.source or "",
    }
    if chunk.published:
        meta["published"] = chunk.published
    return meta


def chunk_from(chunk_id: str, text: str, meta: dict[str, Any]) -> StoredChunk:
    return StoredChunk(
        chunk_id, str(meta["article_id"]), int(meta["start"]), int(meta["end"]), text,
        str(meta.get("title") or ""), meta.get("published") or None, meta.get("source") or None,
    )  # fmt: skip


def article_metadata(record: ArticleRecord) -> dict[str, Any]:
    a = record.article
    meta = {k: v for k, v in asdict(a).items() if k != "text" and v not in (None, "", ())}
    meta["authors"] = "\x1f".join(a.authors)
    meta.update(content_hash=record.content_hash, root=record.root, chunk_count=record.chunk_count)
    meta["published_int"] = date_number(a.published)
    return meta


def article_from(text: str, meta: dict[str, Any]) -> ArticleRecord:
    authors = str(meta.get("authors") or "")
    article = Article(
        id=str(meta["id"]),
        title=str(meta.get("title") or ""),
        text=text,
        published=meta.get("published") or None,
        source=meta.get("source") or None,
        url=meta.get("url") or None,
        authors=tuple(authors.split("\x1f")) if authors else (),
        origin=str(meta.get("origin") or ""),
    )
    return ArticleRecord(
        article, str(meta["content_hash"]), str(meta["root"]), int(meta["chunk_count"])
    )
