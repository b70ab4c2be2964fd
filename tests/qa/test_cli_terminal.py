"""What `qa ask` prints to a terminal, in process over the fast fake assistant: article text is
shown, never obeyed (no escape sequence reaches the terminal), and a question that is not
UTF-8 is one plain error line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from qa_helpers import fake_assistant, write

from qa import Assistant
from qa.cli import main, terminal_safe

# Clear screen, a window title (OSC ... BEL), red text, a C1 CSI, a backspace and a bell.
HOSTILE = {
    "hostile.txt": "Harbour \x1b]0;pwned\x07bridge \x1b[2Jclosed\n\nThe harbour bridge closed"
    " on Monday after engineers found \x1b[31mcracks\x1b[0m in two\x08 cables\x07. Mayor Anna"
    " Berg said repairs would take \x9b2Jweeks.",
    "other.txt": "Library gets new wing\n\nThe city library opened a new wing for children.",
}
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@pytest.fixture
def hostile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Assistant:
    assistant = fake_assistant(write(tmp_path / "news", HOSTILE), tmp_path / "home")
    monkeypatch.setattr(Assistant, "open", classmethod(lambda cls, settings=None: assistant))
    monkeypatch.setenv("QA_HOME", str(tmp_path / "home"))
    return assistant


def test_terminal_safe_strips_escape_sequences_and_control_characters() -> None:
    assert (
        terminal_safe("a\x1b[2Jb\x1b]0;pwned\x07c\x1b]8;;http://x\x1b\\d\x1bPq#0\x1b\\e") == "abcde"
    )
    assert terminal_safe("tab\tand\nnewline kept, \r\x00\x08\x7f\x85\x9b31m gone") == (
        "tab\tand\nnewline kept,  gone"
    )
    assert terminal_safe("“quotes”, café, 94,000 — fine") == "“quotes”, café, 94,000 — fine"
    assert terminal_safe("trailing \x1b") == "trailing "


def test_ask_prints_no_escape_sequence_from_an_article(
    hostile: Assistant, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ask", "Why did the harbour bridge close?"]) == 0
    out, err = capsys.readouterr()
    assert "engineers found cracks in two cables" in out  # the text is there, cleaned
    assert "Sources:" in out and "Harbour bridge closed" in out  # the title too
    assert not CONTROL.search(out + err), repr(out + err)
    assert "pwned" not in out  # an OSC's payload is part of the sequence, not text


def test_ask_json_keeps_the_article_text_exact(
    hostile: Assistant, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ask", "Why did the harbour bridge close?", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["citations"]
    for c in data["citations"]:
        article = hostile.article(c["article_id"])
        assert article is not None
        assert c["quote"] == article.text[c["start"] : c["end"]]
    assert any("\x1b[31m" in c["quote"] for c in data["citations"])


def test_error_lines_carry_no_escape_sequence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QA_HOME", str(tmp_path / "home"))
    assert main(["index", str(tmp_path / "\x1b[2Jnowhere\x07")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1
    assert "nowhere" in err and not CONTROL.search(err), repr(err)


@pytest.mark.parametrize("question", ["\udcff troops?", "caf\udce9 prices", "\ud800"])
def test_a_question_that_is_not_utf8_is_one_error_line(
    question: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """A shell passes bytes that are not UTF-8 (`qa ask $'\\xff troops?'`, a Latin-1 terminal)
    to Python as lone surrogates: say so and how to fix it, before loading anything."""
    monkeypatch.setenv("QA_HOME", str(tmp_path / "home"))
    assert main(["ask", question]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert "UTF-8" in err
    err.encode("utf-8")  # the message itself is printable
    assert not (tmp_path / "home").exists()
