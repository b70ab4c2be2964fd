"""The web chat against a hostile user: a bad question is one log line (no traceback per
request), and password guessing behind QA_AUTH is throttled per client."""

from __future__ import annotations

import logging
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import Message
from pathlib import Path

import pytest
from fakes import HashEmbedder, OverlapCrossEncoder
from gradio_client import Client
from ui_helpers import free_port

from index.indexer import IndexConfig, Indexer
from index.store import MemoryStore
from qa import Assistant, Settings
from ui.app import LAUNCH_OPTIONS, create_app
from ui.login import FAILURE_WINDOW_S, LOCKOUT_S, MAX_FAILURES, LoginLimiter, login_options

ARTICLE = (
    "Harbour bridge closed\n\nThe harbour bridge closed on Monday after engineers found cracks."
)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@contextmanager
def fake_app(tmp_path: Path, auth: tuple[str, str] | None = None) -> Iterator[str]:
    """The real app over a fake assistant (hash embedder, memory store), on loopback."""
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "bridge.txt").write_text(ARTICLE)
    embedder, store = HashEmbedder(), MemoryStore()
    Indexer(store, embedder, IndexConfig(embedder.model_id)).index([tmp_path / "news"], False)
    assistant = Assistant(store, embedder, Settings(home=tmp_path / "home"),
                          cross_encoder=OverlapCrossEncoder())  # fmt: skip
    app = create_app(assistant)
    try:
        _, url, _ = app.launch(prevent_thread_lock=True, server_name="127.0.0.1",
                               server_port=free_port(), quiet=True, **login_options(auth),
                               **LAUNCH_OPTIONS)  # fmt: skip
        yield url
    finally:
        app.close()
        assistant.close()


def login(url: str, user: str, password: str) -> tuple[int, Message]:
    """POST the login form as the page does: (status, headers)."""
    data = urllib.parse.urlencode({"username": user, "password": password}).encode()
    try:
        with urllib.request.urlopen(urllib.parse.urljoin(url, "login"), data, timeout=30) as r:
            return r.status, r.headers
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers


# --- input errors ----------------------------------------------------------------------------------


def test_an_input_error_is_one_log_line_not_a_traceback(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    with fake_app(tmp_path) as url:
        capfd.readouterr()
        with caplog.at_level(logging.INFO, logger="ui.app"):
            for _ in range(2):
                with pytest.raises(Exception, match="the question is empty"):
                    Client(url, verbose=False).predict("   ", api_name="/ask")
        _, err = capfd.readouterr()
    assert "Traceback" not in err, err
    lines = [r.getMessage() for r in caplog.records if "question is empty" in r.getMessage()]
    assert len(lines) == 2 and all("\n" not in line for line in lines)
    assert all(r.exc_info is None for r in caplog.records)


# --- failed logins ---------------------------------------------------------------------------------


def test_limiter_locks_a_client_out_after_repeated_failures_within_the_window() -> None:
    clock = Clock()
    limiter = LoginLimiter(clock=clock)
    for _ in range(MAX_FAILURES - 1):
        limiter.record("10.0.0.1", ok=False)
        clock.now += 1
    assert limiter.retry_after("10.0.0.1") == 0
    limiter.record("10.0.0.1", ok=False)
    assert limiter.retry_after("10.0.0.1") == LOCKOUT_S
    assert limiter.retry_after("10.0.0.2") == 0  # another client is not affected
    limiter.record("10.0.0.1", ok=True)  # a lucky guess during the lockout changes nothing
    clock.now += LOCKOUT_S - 1
    assert limiter.retry_after("10.0.0.1") == pytest.approx(1)
    clock.now += 1
    assert limiter.retry_after("10.0.0.1") == 0  # served its time: may try again


def test_limiter_counts_only_failures_within_the_window() -> None:
    clock = Clock()
    limiter = LoginLimiter(clock=clock)
    for _ in range(3 * MAX_FAILURES):  # a user mistyping now and then is never locked out
        limiter.record("10.0.0.1", ok=False)
        clock.now += FAILURE_WINDOW_S / (MAX_FAILURES - 1) + 0.1
        assert limiter.retry_after("10.0.0.1") == 0


def test_limiter_forgets_failures_after_a_successful_login() -> None:
    clock = Clock()
    limiter = LoginLimiter(clock=clock)
    for _ in range(MAX_FAILURES - 1):
        limiter.record("10.0.0.1", ok=False)
    limiter.record("10.0.0.1", ok=True)
    limiter.record("10.0.0.1", ok=False)
    assert limiter.retry_after("10.0.0.1") == 0


def test_limiter_memory_stays_bounded_under_many_clients() -> None:
    clock = Clock()
    limiter = LoginLimiter(clock=clock, max_clients=100)
    for i in range(1000):
        limiter.record(f"10.0.{i // 256}.{i % 256}", ok=False)
        clock.now += FAILURE_WINDOW_S / 50
    assert limiter.tracked() <= 100


def test_the_app_refuses_logins_from_a_client_that_keeps_failing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with fake_app(tmp_path, auth=("reader", "s3cret")) as url, caplog.at_level(logging.WARNING):
        assert login(url, "reader", "s3cret")[0] == 200
        for _ in range(MAX_FAILURES):
            assert login(url, "reader", "guess")[0] == 400
        status, headers = login(url, "reader", "s3cret")  # even the right password, for now
        assert status == 429
        assert 0 < int(headers["Retry-After"]) <= LOCKOUT_S
    said = [r.getMessage() for r in caplog.records if "login" in r.getMessage()]
    assert len(said) == 1, said  # one line when the client is locked out, not one per attempt
    assert "127.0.0.1" in said[0] and "\n" not in said[0]
