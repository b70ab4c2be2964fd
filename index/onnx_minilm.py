"""The bundled all-MiniLM-L6-v2 as an int8 ONNX Runtime model: the fast path for ingestion.

Why: the MiniLM forward pass is most of an ingestion. ONNX Runtime runs the BERT graph with fused
attention/LayerNorm/GELU kernels, and dynamic int8 quantization of every dense layer, the fused
attention's Q, K and V projections included (weights per output channel, activations per batch),
uses the CPU's VNNI instructions: about 1.4 times the throughput of our bf16 torch path here
(52-56 against 37-42 chunks/s on 354 corpus chunks).
The vectors stay close to the fp32 ones (cosine 0.994 on average, 0.98 at worst on 821 chunks);
tests/index/test_onnx_minilm.py holds that bound and retrieval quality is checked by the eval
floors.

The model package ships only safetensors, so the ONNX file is made once from those weights on this
machine (torch exporter, ONNX Runtime's BERT fusions, then quantization, about 20 s) and cached:

    cache = onnx_cache_dir()
    path = ensure_onnx_model(model_folder, cache)   # exports on first call only
    vectors = OnnxMiniLM(path, model_folder).encode(["some text"])

The cached file's name carries a key of the weights and of the tool versions, so a new model or
a new exporter makes a new file. It is written to a temporary name and renamed into place, so a
killed export never leaves a half file; a file that fails to load is deleted and made again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sys
import tempfile
import time
import warnings
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

# Bump both when the export recipe changes: cached files of older recipes are then ignored, and
# SCHEME is part of the embedder's model_id, so indexes made with the old vectors ask for a rebuild.
RECIPE = "bert-fused-int8-per-channel-v3"
SCHEME = "onnx-int8-v3"
# An export is accepted only if its vectors agree with the fp32 model this well on probe texts.
MIN_PROBE_COSINE = 0.97
PROBES = [
    "Russia has amassed more than 94,000 troops near its border with Ukraine, officials said.",
    "The central bank raised interest rates by half a percentage point on Wednesday.",
    "short",
    "Kremlin spokesman Dmitry Peskov said Moscow would not de-escalate. " * 20,
]


class ExportError(Exception):
    """The ONNX model could not be made (a missing tool, or vectors that do not match)."""


def onnx_cache_dir() -> Path:
    """Where made models live: ``$XDG_CACHE_HOME/news-qa/models`` (default ``~/.cache``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "news-qa" / "models"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "none"


def cache_key(model_folder: Path) -> str:
    """What the made file depends on: the weights, the recipe and the tools' versions. Cheap
    (file sizes and times, no hashing of the weights): it runs on every start-up."""
    weights = model_folder / "model.safetensors"
    stat = weights.stat()
    parts = [
        RECIPE,
        str(weights.resolve()),
        str(stat.st_size),
        str(stat.st_mtime_ns),
        (model_folder / "config.json").read_text(),
        _version("torch"),
        _version("onnxruntime"),
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def cached_model_path(model_folder: Path, cache_dir: Path) -> Path:
    return cache_dir / f"all-MiniLM-L6-v2-{SCHEME}-{cache_key(model_folder)}.onnx"


def ensure_onnx_model(model_folder: Path, cache_dir: Path) -> Path:
    """The cached int8 ONNX model, made first if missing. Raises ExportError if it cannot be."""
    target = cached_model_path(model_folder, cache_dir)
    if target.is_file():
        return target
    if sys.stderr.isatty():
        print(f"preparing the int8 embedding model once (cached in {cache_dir}) ...",
              file=sys.stderr, flush=True)  # fmt: skip
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        _remove_stale_work(cache_dir)
        with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".export-") as work:
            made = _export(model_folder, Path(work))
            _check_against_fp32(made, model_folder)
            os.replace(made, target)  # atomic: readers see no file or a whole one
    except ExportError:
        raise
    except Exception as exc:  # any failure of the third-party tools becomes one clear reason
        raise ExportError(f"{type(exc).__name__}: {exc}".splitlines()[0][:300]) from exc
    return target


def _remove_stale_work(cache_dir: Path) -> None:
    """Work folders of exports killed mid-way (never read, only tidied after an hour)."""
    for work in cache_dir.glob(".export-*"):
        try:
            if time.time() - work.stat().st_mtime > 3600:
                shutil.rmtree(work, ignore_errors=True)
        except OSError:
            pass


def _export(model_folder: Path, work: Path) -> Path:
    """torch -> ONNX (fp32) -> fused BERT graph -> dynamic int8; returns the final file."""
    try:
        import onnx
        import torch
        from onnxruntime.quantization import QuantType, quantize_dynamic
        from onnxruntime.transformers import optimizer
        from transformers import BertModel
    except ImportError as exc:
        raise ExportError(f"{exc.name or exc} is not installed") from exc

    config = json.loads((model_folder / "config.json").read_text())
    bert = BertModel.from_pretrained(str(model_folder), attn_implementation="eager").eval()

    class Encoder(torch.nn.Module):
        """BERT + mean pooling + L2 normalisation, as sentence-transformers computes them."""

        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask)[0]
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=-1)

    fp32, fused, int8 = work / "fp32.onnx", work / "fused.onnx", work / "int8.onnx"
    example = torch.ones(2, 16, dtype=torch.long)
    axes = {0: "batch", 1: "tokens"}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Encoder().eval(), (example, example), str(fp32), dynamo=False, opset_version=17,
            input_names=["input_ids", "attention_mask"], output_names=["embedding"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "embedding": {0: "batch"}},
        )  # fmt: skip
        graph = optimizer.optimize_model(
            str(fp32), model_type="bert", num_heads=int(config["num_attention_heads"]),
            hidden_size=int(config["hidden_size"]), opt_level=1,
        )  # fmt: skip
        graph.save_model_to_file(str(fused))
        # The fused attention blocks are quantized too (QAttention): with them in fp32 they took
        # half of the run time, and int8 makes a whole ingestion about 40% faster (measured on
        # 354 corpus chunks: 65.8 against 45.7 chunks/s) for a small move of the vectors (mean
        # cosine to fp32 0.994 against 0.995, worst 0.980 against 0.985).
        # The quantizer logs a tip through the root logger, which would also configure logging
        # for the whole process: a handler of our own keeps both from happening.
        root, quiet = logging.getLogger(), logging.NullHandler()
        root.addHandler(quiet)
        logging.disable(logging.WARNING)
        try:
            quantize_dynamic(
                str(fused), str(int8), weight_type=QuantType.QInt8, per_channel=True,
                extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
            )  # fmt: skip
        finally:
            logging.disable(logging.NOTSET)
            root.removeHandler(quiet)
    return int8


def _check_against_fp32(path: Path, model_folder: Path) -> None:
    from index.minilm import MiniLM

    made = OnnxMiniLM(path, model_folder).encode(PROBES)
    reference = MiniLM(model_folder).encode(PROBES, bf16=False)
    worst = float(np.min(np.sum(made * reference, axis=1)))
    if not worst >= MIN_PROBE_COSINE:
        raise ExportError(f"exported model disagrees with the fp32 model (cosine {worst:.4f})")


class OnnxMiniLM:
    """An ONNX Runtime session over the made model; same ``encode`` as ``index.minilm.MiniLM``."""

    def __init__(self, path: Path, model_folder: Path, max_tokens: int = 256) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads = len(os.sched_getaffinity(0))
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # errors only: no notes about unused initialisers
        self.session: Any = ort.InferenceSession(
            str(path), options, providers=["CPUExecutionProvider"]
        )
        self.dim = int(self.session.get_outputs()[0].shape[-1])
        self.tokenizer: Any = Tokenizer.from_file(str(model_folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=max_tokens)
        self.tokenizer.no_padding()

    def encode(self, texts: list[str], batch_size: int = 32) -> NDArray[np.float32]:
        """Unit vectors for ``texts``; batches are formed by length so padding costs little."""
        encodings = self.tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            batch = order[start : start + batch_size]
            length = max(len(encodings[i].ids) for i in batch)
            ids = np.zeros((len(batch), length), dtype=np.int64)
            mask = np.zeros((len(batch), length), dtype=np.int64)
            for row, i in enumerate(batch):
                tokens = encodings[i].ids
                ids[row, : len(tokens)] = tokens
                mask[row, : len(tokens)] = 1
            out[batch] = self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        return out


def load_onnx_minilm(model_folder: Path, cache_dir: Path) -> OnnxMiniLM:
    """The int8 model, made if needed; a cached file that does not load is made again once."""
    import onnxruntime  # noqa: F401  (an ImportError here is "no ONNX Runtime", not a bad file)

    path = ensure_onnx_model(model_folder, cache_dir)
    try:
        return OnnxMiniLM(path, model_folder)
    except Exception:  # a corrupt or foreign file under our name: replace it
        path.unlink(missing_ok=True)
    path = ensure_onnx_model(model_folder, cache_dir)
    try:
        return OnnxMiniLM(path, model_folder)
    except Exception as exc:
        raise ExportError(f"the made ONNX model does not load: {exc}".splitlines()[0]) from exc
