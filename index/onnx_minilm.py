"""The bundled all-MiniLM-L6-v2 as an int8 ONNX Runtime model: the fast path for ingestion.

Why: the MiniLM forward pass is most of an ingestion. ONNX Runtime runs the BERT graph with fused
attention/LayerNorm/GELU kernels, and dynamic int8 quantization of every dense layer, the fused
attention's Q, K and V projections included (weights per output channel, activations per run).

One recipe for every CPU these machines have. The weights are quantized to 7 bits
(``reduce_range``): without VNNI (AVX2 only, or AVX-512 before Cascade Lake) ONNX Runtime sums pairs
of u8 x s8 products in 16 bits, which saturates with 8-bit weights, and the vectors drifted there
(cosine to fp32 down to 0.976). With 7 bits nothing saturates, so both kinds of CPU compute the
same integer products: measured on 12 news sentences, mean cosine to fp32 0.9919 on an AVX-512 VNNI
Xeon and 0.9919 under an emulated AVX2-only EPYC (8-bit weights: 0.9923 and 0.9910), and the two
machines' vectors agree to cosine 0.997 (8-bit: 0.984). It costs no speed (the same kernels).
Each text is run on its own (see ``OnnxMiniLM.encode``), so a vector never depends on its batch.
Speed, on a 2-core AVX-512 VNNI Xeon: about 95 chunks/s of ~200 word pieces, quiet machine.

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

log = logging.getLogger(__name__)

# Bump both when the export recipe changes: cached files of older recipes are then ignored, and
# SCHEME is part of the embedder's model_id, so indexes made with the old vectors ask for a rebuild.
RECIPE = "bert-fused-int8-per-channel-7bit-v4"
SCHEME = "onnx-int8-v4"
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


# The instruction-set extensions that decide which int8 kernels ONNX Runtime runs: with VNNI a
# u8 x s8 product is summed in 32 bits; without it (AVX2, AVX-512 before Cascade Lake) pairs of
# products are summed in 16 bits first, and saturate unless the weights use 7 bits.
CPU_FLAGS = ("avx2", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_int8")


def cpu_flags() -> dict[str, bool]:
    """Which of ``CPU_FLAGS`` this CPU has (from /proc/cpuinfo; all False where it is missing)."""
    try:
        text = Path("/proc/cpuinfo").read_text(errors="replace")
    except OSError:
        text = ""
    line = next((ln for ln in text.splitlines() if ln.startswith("flags")), "")
    have = set(line.partition(":")[2].split())
    return {flag: flag in have for flag in CPU_FLAGS}


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
        _version("transformers"),
        _version("onnx"),
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
        # half of the run time (measured on an AVX-512 VNNI Xeon: 65.8 against 45.7 chunks/s).
        # The quantizer logs a tip through the root logger, which would also configure logging
        # for the whole process: a handler of our own keeps both from happening.
        root, quiet = logging.getLogger(), logging.NullHandler()
        root.addHandler(quiet)
        logging.disable(logging.WARNING)
        try:
            quantize_dynamic(
                str(fused), str(int8), weight_type=QuantType.QInt8, per_channel=True,
                reduce_range=True, extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
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

    def encode(self, texts: list[str]) -> NDArray[np.float32]:
        """Unit vectors for ``texts``, each text run on its own.

        Why not batches: the int8 graph quantizes its activations with one scale over the whole
        input tensor, so a text's vector would depend on the texts (and the padding) it shares a
        batch with: cosine down to 0.975 between two batchings on AVX-512 machines, lower on
        AVX2 ones. Run alone, a text always gets the same vector, in a query or an ingestion,
        clean or incremental. A chunk of ~200 word pieces is a large enough matrix on its own
        that batching bought no measurable speed (``qa bench ingest``), and there is no padding.
        """
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, encoding in enumerate(self.tokenizer.encode_batch(texts)):
            ids = np.asarray([encoding.ids], dtype=np.int64)
            mask = np.ones_like(ids)
            out[i] = self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0][0]
        return out


def load_onnx_minilm(model_folder: Path, cache_dir: Path) -> OnnxMiniLM:
    """The int8 model, made if needed; a cached file that does not load is made again once."""
    import onnxruntime  # noqa: F401  (an ImportError here is "no ONNX Runtime", not a bad file)

    path = ensure_onnx_model(model_folder, cache_dir)
    _log_choice_once()
    try:
        return OnnxMiniLM(path, model_folder)
    except Exception:  # a corrupt or foreign file under our name: replace it
        path.unlink(missing_ok=True)
    path = ensure_onnx_model(model_folder, cache_dir)
    try:
        return OnnxMiniLM(path, model_folder)
    except Exception as exc:
        raise ExportError(f"the made ONNX model does not load: {exc}".splitlines()[0]) from exc


_logged: list[bool] = []


def _log_choice_once() -> None:
    """One log line per process: which recipe runs, on what CPU (the same vectors either way)."""
    if not _logged:
        _logged.append(True)
        flags = [f for f, have in cpu_flags().items() if have]
        log.info("embedder: int8 ONNX Runtime, %s (7-bit weights); CPU flags: %s",
                 SCHEME, " ".join(flags) or "none of " + " ".join(CPU_FLAGS))  # fmt: skip
