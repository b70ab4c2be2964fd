"""Helpers for the web-chat tests: the real app served on loopback, and a fast assistant (hash
embedder, in-memory store) for the tests that need a real Assistant but not its models."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fakes import HashEmbedder, OverlapCrossEncoder

from index.indexer import IndexConfig, Indexer
from index.store import MemoryStore
from qa import Assistant, Settings
from ui.app import LAUNCH_OPTIONS, create_app
from ui.login import login_options


@dataclass
class RunningApp:
    url: str
    assistant: Assistant


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def fake_assistant(home: Path, articles: dict[str, str]) -> Assistant:
    """A real Assistant over a hash embedder and an in-memory store, holding ``articles``
    (file name -> text, written to ``home/../news``); ``home`` is its QA_HOME."""
    folder = home.parent / f"{home.name}-news"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in articles.items():
        (folder / name).write_text(text, encoding="utf-8")
    embedder, store = HashEmbedder(), MemoryStore()
    Indexer(store, embedder, IndexConfig(embedder.model_id)).index([folder], False)
    return Assistant(store, embedder, Settings(home=home), cross_encoder=OverlapCrossEncoder())


@contextmanager
def launched(assistant: Assistant, auth: tuple[str, str] | None = None) -> Iterator[RunningApp]:
    """The real app over ``assistant`` on a free loopback port (behind a login when ``auth``);
    the app and the assistant are closed afterwards."""
    app = create_app(assistant)
    try:
        _, url, _ = app.launch(prevent_thread_lock=True, server_name="127.0.0.1",
                               server_port=free_port(), quiet=True, **login_options(auth),
                               **LAUNCH_OPTIONS)  # fmt: skip
        yield RunningApp(url, assistant)
    finally:
        app.close()
        assistant.close()


@contextmanager
def serving(home: Path, llm: Any = None) -> Iterator[RunningApp]:
    """The real app over the index in ``home`` (answers worded by ``llm``, if given), on a free
    loopback port, closed afterwards."""
    with launched(Assistant.open(Settings(home=home), llm=llm)) as running:
        yield running


# --- driving the page in Chromium ------------------------------------------------------------------


def norm(text: str) -> str:
    return " ".join(text.split())


def open_chat(browser: Any, app: RunningApp) -> Any:
    page = browser.new_page()
    page.goto(app.url)
    page.wait_for_selector("#qa-chat")
    return page


def bots(page: Any) -> Any:
    return page.locator("#qa-chat [data-testid=bot]")


def send(page: Any, question: str, key: bool = False) -> None:
    """Type a question and send it (the Send button, or Enter when ``key``)."""
    users = page.locator("#qa-chat [data-testid=user]")
    asked = users.count()
    page.fill("#qa-input textarea", question)
    for _ in range(5):  # a click landing while the previous event is finishing is ignored
        if key:
            page.focus("#qa-input textarea")
            page.keyboard.press("Enter")
        else:
            page.click("#qa-send")
        try:
            page.wait_for_function(
                "n => document.querySelectorAll('#qa-chat [data-testid=user]').length > n",
                arg=asked,
                timeout=3000,
            )
            return
        except Exception:
            continue


def ask(page: Any, question: str, key: bool = False) -> str:
    """Type a question, send it, wait for the finished answer; return its text as shown."""
    before = bots(page).count()
    send(page, question, key)
    page.wait_for_function(
        """n => { const b = document.querySelectorAll('#qa-chat [data-testid=bot]');
                  return b.length > n && !b[b.length - 1].querySelector('[aria-busy=true]'); }""",
        arg=before,
    )
    time.sleep(0.3)  # the sources panel is updated by the same message; let it paint
    text: str = bots(page).last.inner_text()
    return text


def mark_in_view(page: Any) -> bool:
    """The highlighted span is inside its article's scroll box and inside the window."""
    result: bool = page.evaluate(
        """() => { const m = document.querySelector('#qa-panel mark#cited');
                   if (!m) return false;
                   const b = m.closest('.qa-article-body').getBoundingClientRect();
                   const r = m.getBoundingClientRect();
                   return r.top >= b.top - 1 && r.top < b.bottom - 10
                       && r.top >= 0 && r.bottom <= window.innerHeight; }"""
    )
    return result


def wait_for_mark(page: Any) -> Any:
    """The highlighted span of the citation just opened, once scrolled into its box."""
    mark = page.locator("#qa-panel mark#cited")
    mark.wait_for()
    page.wait_for_function(
        """() => { const m = document.querySelector('#qa-panel mark#cited');
                   const b = m && m.closest('.qa-article-body');
                   if (!b) return false;
                   const r = m.getBoundingClientRect(), br = b.getBoundingClientRect();
                   return r.top >= br.top - 1 && r.top < br.bottom - 10; }""",
        timeout=5000,
    )
    return mark


def open_citation(page: Any, marker: int) -> Any:
    """Open a citation of the answer shown, from the sources panel's choice."""
    page.locator("#qa-picker label", has_text=f"[{marker}]").click()
    return wait_for_mark(page)


def outbound_requests(page: Any, app: RunningApp) -> list[str]:
    """A list that fills with every request the page makes off this machine's app."""
    local = app.url.rstrip("/")
    seen: list[str] = []

    def record(request: Any) -> None:
        remote = request.url.startswith(("http:", "https:", "ws:", "wss:"))
        if remote and not request.url.startswith((local, local.replace("http", "ws", 1))):
            seen.append(request.url)

    page.on("request", record)
    return seen
