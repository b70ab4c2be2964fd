"""Builds the index-side parts (embedder, store, indexer) from Settings."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from pathlib import Path

from index.chroma_store import open_chroma
from index.embedding import Embedder, SentenceTransformerEmbedder
from index.errors import InputError
from index.indexer import Indexer, IndexReport
from index.store import Store
from qa.crossencoder import CrossEncoder, OnnxCrossEncoder
from qa.evidence import quotable
from qa.llm import LLM, LocalLLM, OpenAICompatibleLLM
from qa.settings import Settings


def make_embedder(settings: Settings) -> Embedder:
    return SentenceTransformerEmbedder(
        settings.embedding_model, bf16=settings.embedding_bf16, backend=settings.embedding_backend
    )


def make_cross_encoder() -> CrossEncoder:
    """The bundled cross-encoder (its model file's hash checked); one pair a run, so a score
    never depends on the sentences scored beside it."""
    return OnnxCrossEncoder(batch_size=1)


def make_llm(settings: Settings) -> LLM | None:
    """The language model ``QA_GENERATOR`` asks for (None for the extractive default). Nothing
    is loaded or contacted here: an unavailable model shows up at the first answer, as a
    fallback note."""
    if settings.generator == "local":
        return LocalLLM(model_dir=settings.llm_model_dir)
    if settings.generator == "openai":
        if not settings.llm_url or not settings.llm_model:
            raise InputError("QA_GENERATOR=openai needs QA_LLM_URL (the API base, e.g."
                             " http://127.0.0.1:11434/v1) and QA_LLM_MODEL")  # fmt: skip
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        return OpenAICompatibleLLM(settings.llm_url, settings.llm_model, key, settings.llm_timeout)
    return None


def open_store(
    settings: Settings, embedder: Embedder, *, create: bool = False, rebuild: bool = False
) -> Store:
    config = settings.index_config(embedder.model_id)
    return open_chroma(
        settings.home, settings.chroma_url, config.fingerprint, config.describe(),
        create=create, rebuild=rebuild, lock_timeout=settings.lock_timeout,
        search_breadth=settings.search_breadth,
    )  # fmt: skip


def make_indexer(settings: Settings, store: Store, embedder: Embedder) -> Indexer:
    return Indexer(store, embedder, settings.index_config(embedder.model_id), quotable)


@contextmanager
def _indexer(settings: Settings, paths: list[Path], rebuild: bool) -> Iterator[Indexer]:
    """An indexer on the index (made if missing), closed after; missing paths are an error
    before anything is opened."""
    for path in paths:
        if not path.exists():
            raise InputError(f"{path}: no such file or folder")
    embedder = make_embedder(settings)
    store = open_store(settings, embedder, create=True, rebuild=rebuild)
    try:
        yield make_indexer(settings, store, embedder)
    finally:
        store.close()


def index_paths(
    settings: Settings, paths: list[Path], *, rebuild: bool = False, progress: bool | None = None
) -> IndexReport:
    """Bring the index in line with these folders/files (idempotent; see index.indexer)."""
    with _indexer(settings, paths, rebuild) as indexer:
        return indexer.index(paths, progress)


def watch_paths(
    settings: Settings, paths: list[Path], *, interval: float, stop: Callable[[], bool],
    log: Callable[[str], None], warn: Callable[[str], None], rebuild: bool = False,
) -> int:  # fmt: skip
    """Keep the index in line with these folders/files until ``stop()`` (see index.watch),
    holding it all along as ``qa chat`` does. The number of batches run."""
    from index.watch import Watcher, check_interval

    check_interval(interval)
    with _indexer(settings, paths, rebuild) as indexer:

        def batch(roots: list[Path], growing: Collection[str]) -> IndexReport:
            return indexer.index(roots, False, growing=growing)

        return Watcher(paths, batch, log=log, warn=warn, interval=interval).run(stop)
