"""Helpers for the read-side tests."""

from __future__ import annotations

from pathlib import Path

from fakes import HashEmbedder, OverlapCrossEncoder

from index.indexer import IndexConfig, Indexer
from index.store import MemoryStore
from qa import Assistant, Settings


def fake_assistant(folder: Path, home: Path, **settings: object) -> Assistant:
    """An Assistant over a MemoryStore and the hash embedder: milliseconds, no model."""
    embedder = HashEmbedder()
    store = MemoryStore()
    Indexer(store, embedder, IndexConfig(embedder.model_id)).index([folder], progress=False)
    return Assistant(
        store,
        embedder,
        Settings(home=home, **settings),  # type: ignore[arg-type]
        cross_encoder=OverlapCrossEncoder(),
    )


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder
