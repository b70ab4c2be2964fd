"""The OpenAI-compatible path, against a small chat-completions server on loopback started here."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from netguard import free_port

from qa import Assistant, InputError, Settings

pytestmark = pytest.mark.slow

PASSAGE = re.compile(r"^\[(\d+)\] \([^)]*\) (.*)$", re.M)


class ChatServer:
    """Answers /v1/chat/completions by streaming passage [1] back with its marker (the way a
    well-behaved model would), after ``delay`` seconds; records every request body."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.requests: list[dict[str, Any]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append({"path": self.path, "body": body,
                                        "auth": self.headers.get("Authorization")})  # fmt: skip
                time.sleep(server.delay)
                found = dict(PASSAGE.findall(body["messages"][-1]["content"]))
                reply = f"{found.get('1', 'NOT IN ARTICLES')} [1]"
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream")
                    self.end_headers()
                    for i in range(0, len(reply), 9):
                        self._event({"content": reply[i : i + 9]}, None)
                    self._event({}, "stop")
                    self.wfile.write(b"data: [DONE]\n\n")
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (the timeout test)

            def _event(self, delta: dict[str, str], finish: str | None) -> None:
                chunk = {"id": "c1", "object": "chat.completion.chunk", "created": 0,
                         "model": "test-model",
                         "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}  # fmt: skip
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.flush()

            def log_message(self, *args: Any) -> None:
                pass

        self.port = free_port()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.url = f"http://127.0.0.1:{self.port}/v1"

    def __enter__(self) -> ChatServer:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[ChatServer]:
    with ChatServer() as s:
        yield s


def settings(home: Path, url: str, **extra: Any) -> Settings:
    return Settings(home=home, generator="openai", llm_url=url, llm_model="test-model",
                    llm_api_key="secret-key", **extra)  # fmt: skip


def test_answer_is_worded_by_the_server_and_verified(seed_home: Path, server: ChatServer) -> None:
    with Assistant.open(settings(seed_home, server.url)) as assistant:
        pieces = list(assistant.stream("Where did Blinken meet Lavrov?"))
    answer = pieces[-1]
    assert len(pieces) > 2 and all(isinstance(p, str) for p in pieces[:-1])
    assert answer.generator == "openai:test-model" and not answer.refused
    assert "Stockholm" in answer.text and answer.citations
    for c in answer.citations:
        assert f"[{c.marker}]" in answer.text
    request = server.requests[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["body"]["model"] == "test-model" and request["body"]["stream"] is True
    assert request["auth"] == "Bearer secret-key"
    assert "Where did Blinken meet Lavrov?" in request["body"]["messages"][-1]["content"]


def test_unreachable_server_falls_back_in_one_line(seed_home: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    with Assistant.open(settings(seed_home, url)) as assistant:
        answer = assistant.ask("Where did Blinken meet Lavrov?")
    assert not answer.refused and answer.generator == "extractive"
    note = next(n for n in answer.notes if url in n)
    assert "\n" not in note and "extractive answer" in note


def test_slow_server_times_out_and_falls_back(seed_home: Path) -> None:
    with (
        ChatServer(delay=60) as slow,
        Assistant.open(settings(seed_home, slow.url, llm_timeout=1)) as assistant,
    ):
        t0 = time.perf_counter()
        answer = assistant.ask("Where did Blinken meet Lavrov?")
        assert time.perf_counter() - t0 < 45  # the server would take 60 s
    assert answer.generator == "extractive" and not answer.refused
    assert any("extractive answer" in n for n in answer.notes)


def test_openai_generator_needs_url_and_model(seed_home: Path) -> None:
    with pytest.raises(InputError, match="QA_LLM_URL"):
        Assistant.open(Settings(home=seed_home, generator="openai"))
