"""The int8 ONNX MiniLM: close to the fp32 vectors, made once and cached safely, and a clear
fallback to torch when ONNX Runtime cannot be used."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from index import onnx_minilm
from index.embedding import SentenceTransformerEmbedder, model_path
from index.errors import InputError
from index.onnx_minilm import (
    ExportError,
    OnnxMiniLM,
    cached_model_path,
    ensure_onnx_model,
    load_onnx_minilm,
)

pytestmark = pytest.mark.slow

FOLDER = model_path("all-MiniLM-L6-v2")
TEXTS = [
    "Russia has amassed more than 94,000 troops at the border of Ukraine.",
    "short",
    "Kremlin spokesman Dmitry Peskov said Russia cannot de-escalate. " * 30,  # truncated at 256
    "é ü 中文 — “quotes” and emoji 🙂",
    "The Federal Reserve raised its benchmark rate by 0.75 percentage points on Wednesday.",
    "Heavy rain flooded parts of Pakistan, where more than 1,000 people have died since June.",
]
# Measured (7-bit weights, each text alone): mean cosine to fp32 0.992 on 83 corpus and seed
# texts, worst 0.985, on an AVX-512 VNNI Xeon and under an emulated AVX2-only CPU alike.
MIN_COSINE, MIN_MEAN_COSINE = 0.98, 0.99


@pytest.fixture(scope="module")
def made() -> Path:
    """The real exported model, in the user's cache as the product makes it (made once)."""
    return ensure_onnx_model(FOLDER, onnx_minilm.onnx_cache_dir())


@pytest.fixture
def copying_export(made: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Path]]:
    """Replace the slow export with a copy of the real made file; record each call."""
    calls: list[Path] = []

    def export(model_folder: Path, work: Path) -> Path:
        calls.append(work)
        shutil.copyfile(made, work / "int8.onnx")
        return work / "int8.onnx"

    monkeypatch.setattr(onnx_minilm, "_export", export)
    yield calls


def fp32(texts: list[str]) -> np.ndarray:
    return SentenceTransformerEmbedder(backend="torch", bf16=False).embed_documents(texts)


def test_int8_vectors_stay_close_to_fp32(made: Path) -> None:
    vectors = OnnxMiniLM(made, FOLDER).encode(TEXTS)
    cosine = np.sum(vectors * fp32(TEXTS), axis=1)
    assert cosine.min() > MIN_COSINE and cosine.mean() > MIN_MEAN_COSINE, cosine
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_default_embedder_is_int8_onnx_and_ranks_like_fp32(made: Path) -> None:
    embedder = SentenceTransformerEmbedder()
    assert embedder.backend == "onnx-int8"
    assert (
        embedder.model_id
        == f"all-MiniLM-L6-v2@{onnx_minilm.SCHEME}"
        == "all-MiniLM-L6-v2@onnx-int8-v4"
    )
    docs = embedder.embed_documents(TEXTS)
    query = embedder.embed_query("How many troops are at the border?")
    assert int(np.argmax(docs @ query)) == 0
    # a text's vector does not depend on the texts embedded with it, nor on their order
    alone = np.stack([embedder.embed_documents([t])[0] for t in TEXTS])
    reordered = embedder.embed_documents(TEXTS[::-1])[::-1]
    assert np.array_equal(docs, alone) and np.array_equal(docs, reordered)
    assert np.array_equal(
        query, embedder.embed_documents(["How many troops are at the border?"])[0]
    )


def test_backends_have_their_own_model_ids() -> None:
    ids = {
        SentenceTransformerEmbedder(backend="torch").model_id,
        SentenceTransformerEmbedder(backend="torch", bf16=False).model_id,
        SentenceTransformerEmbedder(backend="onnx-int8").model_id,
    }
    assert ids == {"all-MiniLM-L6-v2@bf16", "all-MiniLM-L6-v2", "all-MiniLM-L6-v2@onnx-int8-v4"}
    with pytest.raises(InputError, match="backend must be one of"):
        SentenceTransformerEmbedder(backend="gpu")


def test_export_happens_once_then_the_cache_is_reused(
    tmp_path: Path, copying_export: list[Path]
) -> None:
    first = ensure_onnx_model(FOLDER, tmp_path)
    second = ensure_onnx_model(FOLDER, tmp_path)
    assert first == second == cached_model_path(FOLDER, tmp_path) and first.is_file()
    assert len(copying_export) == 1
    assert [p.name for p in tmp_path.iterdir()] == [first.name]  # no work files left behind


def test_new_recipe_or_tools_make_a_new_file(
    tmp_path: Path, copying_export: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    old = ensure_onnx_model(FOLDER, tmp_path)
    monkeypatch.setattr(onnx_minilm, "RECIPE", "some-later-recipe")
    new = ensure_onnx_model(FOLDER, tmp_path)
    assert new != old and len(copying_export) == 2


def test_corrupt_cached_file_is_made_again(tmp_path: Path, copying_export: list[Path]) -> None:
    target = cached_model_path(FOLDER, tmp_path)
    tmp_path.mkdir(exist_ok=True)
    target.write_bytes(b"not an onnx model")
    model = load_onnx_minilm(FOLDER, tmp_path)
    assert len(copying_export) == 1
    assert np.sum(model.encode(TEXTS[:1]) * fp32(TEXTS[:1])) > MIN_COSINE


def test_failed_export_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def half_export(model_folder: Path, work: Path) -> Path:
        (work / "int8.onnx").write_bytes(b"\x08\x07half a model")
        raise RuntimeError("killed half way")

    monkeypatch.setattr(onnx_minilm, "_export", half_export)
    with pytest.raises(ExportError, match="killed half way"):
        ensure_onnx_model(FOLDER, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_export_that_disagrees_with_fp32_is_rejected(
    tmp_path: Path, copying_export: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(onnx_minilm, "MIN_PROBE_COSINE", 1.01)  # no int8 model can pass
    with pytest.raises(ExportError, match="disagrees with the fp32 model"):
        ensure_onnx_model(FOLDER, tmp_path)
    assert list(tmp_path.iterdir()) == []


KILLED_EXPORT = """
import sys, time
from pathlib import Path
from index import onnx_minilm
from index.embedding import model_path

def slow_export(model_folder, work):
    (work / "int8.onnx").write_bytes(b"partial")
    print("writing", flush=True)
    time.sleep(60)

onnx_minilm._export = slow_export
onnx_minilm.ensure_onnx_model(model_path("all-MiniLM-L6-v2"), Path(sys.argv[1]))
"""


def test_export_killed_midway_leaves_no_file(tmp_path: Path, copying_export: list[Path]) -> None:
    cache = tmp_path / "cache"
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_EXPORT, str(cache)], stdout=subprocess.PIPE, text=True,
        cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    try:
        assert proc.stdout is not None and proc.stdout.readline() == "writing\n"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert not cached_model_path(FOLDER, cache).exists()
    model = load_onnx_minilm(FOLDER, cache)  # the next run makes it whole
    assert model.encode(["x"]).shape == (1, 384)
    assert len(copying_export) == 1


def test_stale_work_folders_are_tidied(tmp_path: Path, copying_export: list[Path]) -> None:
    stale, fresh = tmp_path / ".export-stale", tmp_path / ".export-running"
    stale.mkdir()
    fresh.mkdir()
    old = time.time() - 7200
    os.utime(stale, (old, old))
    ensure_onnx_model(FOLDER, tmp_path)
    assert not stale.exists() and fresh.exists()  # another process may still use a fresh one


def test_without_onnxruntime_auto_falls_back_to_torch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import now raises ImportError
    with caplog.at_level(logging.WARNING):
        embedder = SentenceTransformerEmbedder(cache_dir=tmp_path)
    assert (embedder.backend, embedder.model_id) == ("torch", "all-MiniLM-L6-v2@bf16")
    assert "using torch bf16" in caplog.text and "Traceback" not in caplog.text
    vectors = embedder.embed_documents(TEXTS[:2])
    assert np.min(np.sum(vectors * fp32(TEXTS[:2]), axis=1)) > 0.999
    with pytest.raises(InputError, match="int8 ONNX embedding model is unavailable"):
        SentenceTransformerEmbedder(backend="onnx-int8", cache_dir=tmp_path)


def test_failed_export_falls_back_to_torch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def no_exporter(model_folder: Path, work: Path) -> Path:
        raise ExportError("onnx is not installed")

    monkeypatch.setattr(onnx_minilm, "_export", no_exporter)
    with caplog.at_level(logging.WARNING):
        embedder = SentenceTransformerEmbedder(cache_dir=tmp_path)
    assert embedder.model_id == "all-MiniLM-L6-v2@bf16"
    assert "onnx is not installed" in caplog.text


def test_cpu_flags_are_read_and_the_choice_is_logged_once(
    made: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    flags = onnx_minilm.cpu_flags()
    assert set(flags) == set(onnx_minilm.CPU_FLAGS) and all(
        isinstance(v, bool) for v in flags.values()
    )
    monkeypatch.setattr(onnx_minilm, "_logged", [])
    with caplog.at_level(logging.INFO, logger="index.onnx_minilm"):
        load_onnx_minilm(FOLDER, made.parent)
        load_onnx_minilm(FOLDER, made.parent)
    lines = [r.getMessage() for r in caplog.records if r.name == "index.onnx_minilm"]
    assert len(lines) == 1 and onnx_minilm.SCHEME in lines[0] and "CPU flags" in lines[0]
