"""Builds the index-side parts (embedder, store, indexer) from Settings."""

from __future__ import annotations

from index.chroma_store import open_chroma
from index.embedding import Embedder, SentenceTransformerEmbedder
from index.indexer import IndexConfig, Indexer
from index.store import Store
from qa.settings import Settings


def make_embedder(settings: Settings) -> Embedder:
    return SentenceTransformerEmbedder(settings.embedding_model, bf16=settings.embedding_bf16)


def open_store(
    settings: Settings, embedder: Embedder, *, create: bool = False, rebuild: bool = False
) -> Store:
    config = settings.index_config(embedder.model_id)
    return open_chroma(
        settings.home, settings.chroma_url, config.fingerprint, config.describe(),
        create=create, rebuild=rebuild,
    )  # fmt: skip


def make_indexer(settings: Settings, store: Store, embedder: Embedder) -> Indexer:
    return Indexer(store, embedder, settings.index_config(embedder.model_id))


__all__ = ["IndexConfig", "make_embedder", "make_indexer", "open_store"]
