"""Our plain-torch MiniLM against sentence-transformers on the same weights."""

from __future__ import annotations

import numpy as np
import pytest

from index.embedding import SentenceTransformerEmbedder, model_path

pytestmark = pytest.mark.slow

TEXTS = [
    "Russia has amassed more than 94,000 troops at the border of Ukraine.",
    "short",
    "Kremlin spokesman Dmitry Peskov said Russia cannot de-escalate. " * 30,  # truncated at 256
    "é ü 中文 — “quotes” and emoji 🙂",
]


def test_matches_sentence_transformers() -> None:
    from sentence_transformers import SentenceTransformer

    reference = SentenceTransformer(str(model_path("all-MiniLM-L6-v2")), device="cpu").encode(
        TEXTS, normalize_embeddings=True
    )
    fp32 = SentenceTransformerEmbedder(backend="torch", bf16=False).embed_documents(TEXTS)
    bf16 = SentenceTransformerEmbedder(backend="torch", bf16=True).embed_documents(TEXTS)
    assert np.min(np.sum(fp32 * reference, axis=1)) > 0.99999
    assert np.min(np.sum(bf16 * reference, axis=1)) > 0.999
    assert np.allclose(np.linalg.norm(bf16, axis=1), 1.0, atol=1e-5)


def test_batching_does_not_change_vectors() -> None:
    embedder = SentenceTransformerEmbedder(backend="torch", bf16=False)
    together = embedder.embed_documents(TEXTS)
    alone = np.stack([embedder.embed_documents([t])[0] for t in TEXTS])
    assert np.min(np.sum(together * alone, axis=1)) > 0.99999
