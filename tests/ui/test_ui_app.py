"""The app's plain helpers: login parsing, loopback detection, the history a follow-up sends."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa import Answer, Citation, InputError, Settings
from ui.app import is_loopback, parse_auth, serve
from ui.chat import history_of


def test_auth_is_user_colon_password() -> None:
    assert parse_auth(None) is None and parse_auth("") is None
    assert parse_auth("ann:s3cret:with:colons") == ("ann", "s3cret:with:colons")
    for bad in ("ann", "ann:", ":pw"):
        with pytest.raises(InputError, match='"user:password"'):
            parse_auth(bad)


def test_bad_auth_stops_serve_before_anything_opens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QA_AUTH", "nopassword")
    with pytest.raises(InputError):
        serve(Settings(home=tmp_path / "never-created"))
    assert not (tmp_path / "never-created").exists()


def test_loopback_hosts() -> None:
    assert all(is_loopback(h) for h in ("127.0.0.1", "localhost", "::1", "127.0.0.2"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "192.168.1.5", "example.org", "::"))


def test_history_carries_each_turn_and_its_citations() -> None:
    cite = Citation(1, "a1", "Title", None, None, 0, 5, "Peter")
    answers = [
        Answer("Who?", "Peter. [1]", refused=False, citations=[cite]),
        Answer("And where?", "The indexed articles don't answer this.", refused=True),
    ]
    assert history_of(answers) == [
        {"role": "user", "content": "Who?"},
        {
            "role": "assistant",
            "content": "Peter. [1]",
            "citations": [
                {
                    "marker": 1,
                    "article_id": "a1",
                    "title": "Title",
                    "published": None,
                    "source": None,
                    "start": 0,
                    "end": 5,
                    "quote": "Peter",
                }
            ],
        },
        {"role": "user", "content": "And where?"},
        {
            "role": "assistant",
            "content": "The indexed articles don't answer this.",
            "citations": [],
        },
    ]
