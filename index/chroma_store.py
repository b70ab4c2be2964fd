"""The Store contract on Chroma: embedded on disk (default) or a Chroma server.

Two collections per index, both named with the settings fingerprint so that vectors of different
models or chunkings never mix: ``chunks-<fp>`` (vectors, chunk text, span) and ``articles-<fp>``
(whole article text and what incremental indexing needs; a constant 1-d vector, since Chroma wants
one). An on-disk index is owned by one process at a time (Chroma's PersistentClient is not safe
across processes): ``open_chroma`` takes a lock file and says who holds it. Many readers and writers
should share a Chroma server instead (``QA_CHROMA_URL``).
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import shutil
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse

import numpy as np
from filelock import FileLock, Timeout

from index.embedding import Vectors
from index.errors import (
    IndexDamagedError,
    IndexEmptyError,
    IndexLockedError,
    IndexMismatchError,
    InputError,
    QAError,
    StoreUnavailableError,
)
from index.offline import stay_offline
from index.store import (
    ArticleRecord,
    Filter,
    Hit,
    StoredChunk,
    article_from,
    article_metadata,
    chunk_from,
    chunk_metadata,
    date_number,
    matches,
)

stay_offline()

T = TypeVar("T")
_PAGE = 2000
_WIDEN = 4  # a filtered query first looks at 4k unfiltered neighbours
SEARCH_BREADTH = 400  # HNSW ef_construction and ef_search (Chroma's default: 100); see open_chroma


def _where(flt: Filter | None) -> dict[str, Any] | None:
    """Chroma's where-clause for a Filter; undated chunks (published_int 0) pass date bounds."""
    if not flt:
        return None
    clauses: list[dict[str, Any]] = []
    if flt.published_from:
        lo = date_number(flt.published_from)
        clauses.append({"$or": [{"published_int": {"$gte": lo}}, {"published_int": 0}]})
    if flt.published_to:
        clauses.append({"published_int": {"$lte": date_number(flt.published_to)}})
    if flt.sources:
        clauses.append({"source": {"$in": list(flt.sources)}})
    if flt.article_ids:
        clauses.append({"article_id": {"$in": list(flt.article_ids)}})
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _guarded(method: Callable[..., T]) -> Callable[..., T]:
    """Chroma's failures as ours: collections dropped and made again under an open store (``qa
    index --rebuild`` by another process) are found again; a server gone, or a disk full, is one
    ``StoreUnavailableError`` line (the next call works again once the server is back)."""

    @functools.wraps(method)
    def run(self: ChromaStore, *args: Any, **kwargs: Any) -> T:
        from chromadb.errors import NotFoundError

        try:
            try:
                return method(self, *args, **kwargs)
            except NotFoundError:
                self._attach()
                return method(self, *args, **kwargs)
        except NotFoundError as exc:
            raise IndexEmptyError(
                f'the index at {self.where} was removed (is it being rebuilt?): run "qa index"'
                " and ask again"
            ) from exc
        except Exception as exc:
            if error := _unavailable(exc, self.where):
                raise error from exc
            raise

    return run


def _unavailable(exc: Exception, where: str) -> QAError | None:
    import httpx

    if isinstance(exc, httpx.TransportError):
        return StoreUnavailableError(
            f"cannot reach the Chroma server at {where}: is `chroma run` up? ({exc})"
        )
    full = isinstance(exc, OSError) and exc.errno == errno.ENOSPC
    if full or "database or disk is full" in str(exc):
        return StoreUnavailableError(f"the disk holding {where} is full: free space and run again")
    return None


class ChromaStore:
    """The Store contract on one Chroma client (persistent or HTTP)."""

    def __init__(self, client: Any, fingerprint: str, describe: dict[str, Any],
                 lock: FileLock | None = None, where: str = "",
                 search_breadth: int = SEARCH_BREADTH) -> None:  # fmt: skip
        """``search_breadth``: how many candidates the HNSW graph explores, when it is built
        (``ef_construction``) and when it is searched (``ef_search``); see ``open_chroma``."""
        self.client = client
        self.fingerprint = fingerprint
        self.where = where
        self._lock = lock
        self._meta = {"fingerprint": fingerprint, **describe}
        self._breadth = search_breadth
        self._attach(create=True)
        self._batch = min(client.get_max_batch_size(), 1000)

    def _attach(self, create: bool = False) -> None:
        """(Re)open the three collections by name (``create``: make them if missing). A chunks
        collection made with a narrower search (an index built before the breadth was raised)
        is given the breadth now; how it was built cannot change without a rebuild."""
        get = self.client.get_or_create_collection if create else self.client.get_collection
        fp, meta, breadth = self.fingerprint, self._meta, self._breadth
        hnsw = {"space": "cosine", "ef_construction": breadth, "ef_search": breadth}
        self._chunks = get(f"chunks-{fp}", embedding_function=None,
                           **({"configuration": {"hnsw": hnsw}, "metadata": meta}
                              if create else {}))  # fmt: skip
        searched = (self._chunks.configuration or {}).get("hnsw") or {}
        if searched.get("ef_search", breadth) != breadth:
            self._chunks.modify(configuration={"hnsw": {"ef_search": breadth}})
        self._articles = get(
            f"articles-{fp}", embedding_function=None, **({"metadata": meta} if create else {})
        )
        self._generations = self.client.get_or_create_collection(
            f"meta-{fp}", metadata=meta, embedding_function=None
        )

    def _bump(self) -> None:
        self._generations.upsert(
            ids=["generation"], documents=[uuid.uuid4().hex], embeddings=[[1.0]]
        )

    @_guarded
    def generation(self) -> str:
        res = self._generations.get(ids=["generation"], include=["documents"])
        return str(res["documents"][0]) if res["ids"] else ""

    @_guarded
    def add(self, chunks: Sequence[StoredChunk], vectors: Vectors) -> None:
        for i in range(0, len(chunks), self._batch):
            part = chunks[i : i + self._batch]
            self._chunks.upsert(
                ids=[c.id for c in part],
                embeddings=np.asarray(vectors[i : i + self._batch], dtype=np.float32),
                documents=[c.text for c in part],
                metadatas=[chunk_metadata(c) for c in part],
            )

    @_guarded
    def query(self, vector: Vectors, k: int, flt: Filter | None = None) -> list[Hit]:
        """The ``k`` nearest chunks that pass ``flt``. A filtered search costs Chroma about ten
        times an unfiltered one here (37 against 3.5 ms on 10,000 chunks), so a filter is first
        applied to a wider unfiltered search, and Chroma filters only when that keeps too few."""
        total = self.count()
        n = min(k, total)
        if n == 0:
            return []
        if flt:
            wide = self._nearest(vector, min(total, _WIDEN * k), None)
            kept = [h for h in wide if matches(h.chunk, flt)]
            if len(kept) >= n or len(wide) == total:
                return kept[:n]
        return self._nearest(vector, n, flt)

    def _nearest(self, vector: Vectors, n: int, flt: Filter | None) -> list[Hit]:
        res = self._chunks.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32)], n_results=n,
            where=_where(flt), include=["documents", "metadatas", "distances"],
        )  # fmt: skip
        return [
            Hit(chunk_from(i, doc, meta), 1.0 - float(dist))
            for i, doc, meta, dist in zip(
                res["ids"][0],
                res["documents"][0],
                res["metadatas"][0],
                res["distances"][0],
                strict=True,
            )
        ]

    @_guarded
    def get(self, article_id: str | None = None) -> list[StoredChunk]:
        where = {"article_id": article_id} if article_id is not None else None
        out: list[StoredChunk] = []
        offset = 0
        while True:
            res = self._chunks.get(where=where, include=["documents", "metadatas"],
                                   limit=_PAGE, offset=offset)  # fmt: skip
            out += [chunk_from(i, d, m) for i, d, m in
                    zip(res["ids"], res["documents"], res["metadatas"], strict=True)]  # fmt: skip
            if len(res["ids"]) < _PAGE:
                return out
            offset += _PAGE

    @_guarded
    def delete(self, ids: Sequence[str]) -> None:
        for i in range(0, len(ids), self._batch):
            self._chunks.delete(ids=list(ids[i : i + self._batch]))

    @_guarded
    def count(self) -> int:
        return int(self._chunks.count())

    @_guarded
    def put_articles(self, records: Sequence[ArticleRecord]) -> None:
        for i in range(0, len(records), self._batch):
            part = records[i : i + self._batch]
            self._articles.upsert(
                ids=[r.article.id for r in part], embeddings=[[1.0]] * len(part),
                documents=[r.article.text for r in part],
                metadatas=[article_metadata(r) for r in part],
            )  # fmt: skip
        self._bump()

    @_guarded
    def article(self, article_id: str) -> ArticleRecord | None:
        res = self._articles.get(ids=[article_id], include=["documents", "metadatas"])
        if not res["ids"]:
            return None
        return article_from(res["documents"][0], res["metadatas"][0])

    @_guarded
    def articles(self) -> dict[str, ArticleRecord]:
        out: dict[str, ArticleRecord] = {}
        offset = 0
        while True:
            res = self._articles.get(include=["documents", "metadatas"], limit=_PAGE, offset=offset)
            for i, d, m in zip(res["ids"], res["documents"], res["metadatas"], strict=True):
                out[i] = article_from(d, m)
            if len(res["ids"]) < _PAGE:
                return out
            offset += _PAGE

    @_guarded
    def delete_article(self, article_id: str) -> None:
        self._articles.delete(ids=[article_id])
        self._bump()

    def close(self) -> None:
        """Release the client (Chroma stops its system when no other client of this process
        uses it, so the next open reads the index as any other process would) and the lock."""
        client, self.client = self.client, None
        if client is not None:
            with contextlib.suppress(Exception):  # a server that went away has nothing to free
                client.close()
        if self._lock is not None and self._lock.is_locked:
            self._lock.release()
            self._lock = None


def _client(
    home: Path, url: str | None, lock_timeout: float, rebuild: bool = False
) -> tuple[Any, FileLock | None]:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False)
    if url:
        parsed = urlparse(url if "://" in url else f"http://{url}")
        if not parsed.hostname:
            raise InputError(f"QA_CHROMA_URL '{url}' is not a URL like http://127.0.0.1:8000")
        try:
            client = chromadb.HttpClient(
                host=parsed.hostname, port=parsed.port or 8000,
                ssl=parsed.scheme == "https", settings=settings,
            )  # fmt: skip
            client.heartbeat()
        except Exception as exc:  # chromadb raises plain ValueError/httpx errors for this
            raise StoreUnavailableError(
                f"cannot reach the Chroma server at {url}: is `chroma run` up? ({exc})"
            ) from exc
        return client, None
    home.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(home / "index.lock"))
    try:
        lock.acquire(timeout=lock_timeout)
    except Timeout as exc:
        owner = (
            (home / "index.owner").read_text().strip() if (home / "index.owner").exists() else ""
        )
        raise IndexLockedError(
            f"the index in {home} is in use by another process{f' ({owner})' if owner else ''};"
            " wait for it or stop it, or share one index with a Chroma server (QA_CHROMA_URL)"
        ) from exc
    (home / "index.owner").write_text(f"pid {os.getpid()}\n")
    try:
        return _persistent(home / "chroma", settings, rebuild), lock
    except Exception:
        lock.release()
        raise


def _persistent(folder: Path, settings: Any, rebuild: bool) -> Any:
    """The on-disk client, its database read once to know it is whole. A corrupt or truncated
    one is an ``IndexDamagedError``; ``rebuild`` starts it afresh instead."""
    import chromadb

    try:
        client = chromadb.PersistentClient(path=str(folder), settings=settings)
        client.list_collections()
        return client
    except Exception as exc:
        if error := _unavailable(exc, str(folder)):
            raise error from exc
        if not rebuild:
            raise IndexDamagedError(
                f"the index in {folder} cannot be read ({str(exc).splitlines()[0][:120]}):"
                ' run "qa index --rebuild" to make it again from the articles'
            ) from exc
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient.clear_system_cache()  # forget the damaged database's open system
    shutil.rmtree(folder)
    return chromadb.PersistentClient(path=str(folder), settings=settings)


def open_chroma(
    home: Path, url: str | None, fingerprint: str, describe: dict[str, Any],
    *, create: bool, rebuild: bool = False, lock_timeout: float = 10.0,
    search_breadth: int = SEARCH_BREADTH,
) -> ChromaStore:  # fmt: skip
    """Open (or, with ``create``, make) the index for this fingerprint.

    ``search_breadth`` is the HNSW graph's ``ef_construction`` and ``ef_search``: wide enough
    that a search finds the exact nearest chunks and a rebuild gives the same ones (measured
    in ``qa.settings.Settings.search_breadth``).

    Another fingerprint's index in the same place is an error that says how to rebuild, unless
    ``rebuild`` drops it. Without ``create``, a missing index is an ``IndexEmptyError``, and
    nothing is made on disk: asking before indexing must not leave an empty index folder.
    """
    if url is None and not create and not (home / "chroma").is_dir():
        raise IndexEmptyError(f'no index in {home}: run "qa index" (default: seeds/) first')
    client, lock = _client(home, url, lock_timeout, rebuild)
    try:
        names = [c.name for c in client.list_collections()]
        others = [n for n in names if n.startswith("chunks-") and n != f"chunks-{fingerprint}"]
        if others and rebuild:
            for name in names:
                if name.startswith(("chunks-", "articles-", "meta-")) and not name.endswith(
                    fingerprint
                ):
                    client.delete_collection(name)
        elif others and f"chunks-{fingerprint}" not in names:
            old = client.get_collection(others[0]).metadata or {}
            raise IndexMismatchError(
                f"the index in {url or home} was built with {_describe(old)}; settings ask for"
                f' {_describe(describe)}: run "qa index --rebuild" (or set QA_HOME elsewhere)'
            )
        if rebuild and f"chunks-{fingerprint}" in names:
            client.delete_collection(f"chunks-{fingerprint}")
            client.delete_collection(f"articles-{fingerprint}")
        if not create and f"chunks-{fingerprint}" not in names:
            raise IndexEmptyError(
                f'no index in {url or home}: run "qa index" (default: seeds/) first'
            )
        store = ChromaStore(client, fingerprint, describe, lock, url or str(home), search_breadth)
        if rebuild:
            store._bump()  # an open reader takes in the rebuilt index
        return store
    except Exception:
        if lock is not None:
            lock.release()
        raise


def _describe(meta: dict[str, Any]) -> str:
    return (
        f"{meta.get('model_id', '?')} (chunks of {meta.get('chunk_tokens', '?')} tokens,"
        f" overlap {meta.get('chunk_overlap', '?')})"
    )
