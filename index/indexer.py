"""Incremental, idempotent, crash-safe indexing: articles -> chunks -> vectors -> store.

Per group of articles, in this order: embed their new chunks, write them (upsert by content-hash
id), delete their chunks that are no longer current, and only then record the articles with their
content hashes. A run killed at any point leaves either the old record (the article is redone
next time) or a complete new one, so a re-run ends with exactly the chunks of a clean run.
Unchanged articles (same hash) are neither chunked nor embedded.

Nothing leaves the index because it could not be read: an article whose file, or folder, cannot
be read this time keeps its record. Articles with the same text under two ids (one story saved
twice, or syndicated by two outlets) are both indexed, each keeping its own title, date and
outlet, with a warning naming both; answers quote such a text once (``qa.evidence``).
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from index.articles import Article, LoadResult, load
from index.chunking import chunk_text
from index.embedding import Embedder
from index.errors import InputError
from index.store import ArticleRecord, Store, StoredChunk, stored

TITLE_TOKENS = 32  # the title (cut to this many word pieces) is embedded with each chunk
# Articles embedded and written together: Chroma pays about 25 ms per write whatever its size.
GROUP = 32


@dataclass(frozen=True)
class IndexConfig:
    """Everything that changes the stored vectors; its fingerprint names the collections."""

    model_id: str
    chunk_tokens: int = 200
    chunk_overlap: int = 40
    # How chunks are cut and shown to the embedder: bump it whenever chunking.py or
    # embedding_input() change what is stored, so old indexes ask for a rebuild, not mix.
    scheme: str = "sentences-v2+title-prefix-v1"

    def describe(self) -> dict[str, str | int]:
        return {
            "model_id": self.model_id,
            "chunk_tokens": self.chunk_tokens,
            "chunk_overlap": self.chunk_overlap,
            "scheme": self.scheme,
        }

    @property
    def fingerprint(self) -> str:
        blob = json.dumps(self.describe(), sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:12]


@dataclass
class IndexReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    chunks: int = 0
    warnings: list[str] = field(default_factory=list)
    open_tails: list[str] = field(default_factory=list)  # see index.articles.LoadResult

    def counts(self) -> dict[str, int]:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "chunks": self.chunks,
        }


def embedding_input(title: str, text: str, embedder: Embedder) -> str:
    """What the model reads for a chunk: its article's title (cut short), then the chunk."""
    spans = embedder.token_spans(title)
    if len(spans) > TITLE_TOKENS:
        title = title[: spans[TITLE_TOKENS - 1][1]]
    return f"{title}\n{text}" if title else text


def _inside(record: ArticleRecord, root: Path) -> bool:
    """True when the record's article came from ``root`` (a folder or one file)."""
    return Path(record.article.origin).is_relative_to(root)


def _unread(record: ArticleRecord, loaded: LoadResult) -> bool:
    """True when the record's file, or a folder holding it, could not be read this run."""
    origin = record.article.origin
    return origin in loaded.failed_files or any(
        Path(origin).is_relative_to(folder) for folder in loaded.failed_folders
    )


def _text_key(text: str) -> str:
    """Equal for texts that differ only in whitespace (line endings, wrapping)."""
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()


def duplicate_warnings(written: list[Article], others: Iterable[Article]) -> list[str]:
    """One warning for each article to be written whose text another article already has
    (one of ``others``, or one written before it): both are indexed, the user should know."""
    first: dict[str, str] = {}
    for article in others:
        first.setdefault(_text_key(article.text), article.id)
    warnings: list[str] = []
    for article in written:
        other = first.setdefault(_text_key(article.text), article.id)
        if other != article.id:
            warnings.append(
                f"{article.origin}: article '{article.id}' has the same text as '{other}'; both"
                " are indexed, and an answer quotes the text once"
            )
    return warnings


class Indexer:
    """Brings a store in line with folders and files of articles."""

    def __init__(self, store: Store, embedder: Embedder, config: IndexConfig,
                 quotable: Callable[[str], bool] | None = None) -> None:  # fmt: skip
        """``quotable`` tells whether an article's text holds anything an answer may quote (the
        answer stage knows what page furniture is): an article that holds nothing is indexed
        all the same, with a warning."""
        if config.chunk_tokens + TITLE_TOKENS + 4 > embedder.max_tokens:
            raise InputError(
                f"chunk_tokens must be <= {embedder.max_tokens - TITLE_TOKENS - 4} for"
                f" {embedder.model_id} (got {config.chunk_tokens})"
            )
        self.store = store
        self.embedder = embedder
        self.config = config
        self.quotable = quotable

    def index(self, paths: Iterable[Path], progress: bool | None = None, *,
              growing: Collection[str] = ()) -> IndexReport:  # fmt: skip
        """Bring the store in line with ``paths``; ``growing``: files that may still be being
        written (``index.articles.load``), as ``qa index --watch`` passes."""
        paths = list(paths)
        for path in paths:
            if not path.exists():
                raise InputError(f"{path}: no such file or folder")
        report = IndexReport()
        for path in paths:
            self._index_root(path.resolve(), report, progress, growing)
        report.chunks = self.store.count()
        return report

    def _index_root(self, root: Path, report: IndexReport, progress: bool | None,
                    growing: Collection[str] = ()) -> None:  # fmt: skip
        loaded = load(root, growing)
        report.warnings += loaded.warnings
        report.open_tails += loaded.open_tails
        existing = self.store.articles()
        todo: list[tuple[Article, bool]] = []
        for article in loaded.articles:
            old = existing.get(article.id)
            # What belongs to this run is decided by the file an article came from, not by the
            # path it was indexed through: a file indexed alone and through its folder is one
            # article, and deleting it from the folder removes it.
            if old and old.article.origin != article.origin and not _inside(old, root):
                report.warnings.append(
                    f"{article.origin}: article id '{article.id}' is already indexed from"
                    f" {old.article.origin}, skipped"
                )
            elif (
                old
                and old.content_hash == article.content_hash
                and old.article.origin == article.origin
            ):
                report.unchanged += 1
            else:
                todo.append((article, old is not None))
        if todo:
            rewritten = {a.id for a, _ in todo}
            report.warnings += duplicate_warnings(
                [a for a, _ in todo],
                [r.article for i, r in existing.items() if i not in rewritten],
            )
            if self.quotable is not None:
                report.warnings += [
                    f"{a.origin}: article '{a.id}' holds no sentence an answer can quote (only"
                    " page furniture: ads, navigation, credits); it is indexed, but never cited"
                    for a, _ in todo
                    if not self.quotable(a.text)
                ]
        self._write(todo, str(root), report, progress)
        seen = {a.id for a in loaded.articles}
        for article_id, old in existing.items():
            gone = _inside(old, root) and article_id not in seen
            if gone and not _unread(old, loaded):
                self.remove(article_id)
                report.removed += 1

    def _write(self, todo: list[tuple[Article, bool]], root: str, report: IndexReport,
               progress: bool | None) -> None:  # fmt: skip
        show = sys.stderr.isatty() if progress is None else progress
        from tqdm import tqdm

        bar = tqdm(total=len(todo), unit="article", disable=not show or len(todo) < 20)
        for start in range(0, len(todo), GROUP):
            group = todo[start : start + GROUP]
            self._replace([article for article, _ in group], root)
            for _, was_there in group:
                report.updated += was_there
                report.added += not was_there
            bar.update(len(group))
        bar.close()

    def _replace(self, articles: list[Article], root: str) -> None:
        """Chunks of a group of articles in (one write), their stale chunks out, then their
        records (one write): a kill before the records leaves the group to be redone."""
        rows: list[StoredChunk] = []
        inputs: list[str] = []
        counts: list[int] = []
        for article in articles:
            chunks = chunk_text(article.id, article.text, self.embedder,
                                self.config.chunk_tokens, self.config.chunk_overlap)  # fmt: skip
            rows += [stored(c, article) for c in chunks]
            inputs += [embedding_input(article.title, c.text, self.embedder) for c in chunks]
            counts.append(len(chunks))
        if rows:
            self.store.add(rows, self.embedder.embed_documents(inputs))
        current = {r.id for r in rows}
        stale = [c.id for a in articles for c in self.store.get(a.id) if c.id not in current]
        self.store.delete(stale)
        self.store.put_articles([ArticleRecord(a, a.content_hash, root, n)
                                 for a, n in zip(articles, counts, strict=True)])  # fmt: skip

    def remove(self, article_id: str) -> None:
        """Drop an article and every chunk of it (chunks first: a crash leaves it re-removable)."""
        self.store.delete([c.id for c in self.store.get(article_id)])
        self.store.delete_article(article_id)
