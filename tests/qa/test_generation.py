"""A language model words the answer; the assistant checks it (scripted model, real index)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from qa import Answer, Assistant, Settings
from qa.llm import LLMUnavailable

pytestmark = pytest.mark.slow

QUESTION = "Where did Blinken meet Lavrov?"
PASSAGE = re.compile(r"^\[(\d+)\] \([^)]*\) (.*)$", re.M)


def passages(messages: list[dict[str, str]]) -> dict[int, str]:
    return {int(n): text for n, text in PASSAGE.findall(messages[-1]["content"])}


class ScriptedLLM:
    """Replies with what ``script`` makes of the numbered passages, a few characters at a time."""

    name = "scripted"

    def __init__(self, script: Callable[[dict[int, str]], str]) -> None:
        self.script = script
        self.calls: list[list[dict[str, str]]] = []

    def stream(self, messages: list[dict[str, str]], max_tokens: int) -> Iterator[str]:
        self.calls.append(messages)
        reply = self.script(passages(messages))
        for i in range(0, len(reply), 7):
            yield reply[i : i + 7]


class BrokenLLM:
    name = "broken"

    def stream(self, messages: list[dict[str, str]], max_tokens: int) -> Iterator[str]:
        raise LLMUnavailable("the model server at http://127.0.0.1:9 failed: connection refused")
        yield ""  # pragma: no cover


def open_with(seed_home: Path, llm: object) -> Assistant:
    return Assistant.open(Settings(home=seed_home), llm=llm)  # type: ignore[arg-type]


def assert_verified(assistant: Assistant, answer: Answer) -> None:
    assert {int(m) for m in re.findall(r"\[(\d+)\]", answer.text)} == {
        c.marker for c in answer.citations
    }
    for c in answer.citations:
        assert assistant.article(c.article_id).text[c.start : c.end] == c.quote


def test_stream_yields_the_model_text_then_the_verified_answer(seed_home: Path) -> None:
    llm = ScriptedLLM(lambda p: f"{p[1]} [1]")
    with open_with(seed_home, llm) as assistant:
        items = list(assistant.stream(QUESTION))
        pieces, answer = items[:-1], items[-1]
        assert pieces and all(isinstance(x, str) for x in pieces)
        assert isinstance(answer, Answer) and not answer.refused
        assert answer.generator == "scripted"
        assert "Stockholm" in answer.text and answer.citations
        assert_verified(assistant, answer)
        assert answer.timings_ms["first_token"] <= answer.timings_ms["total"]
        prompt = llm.calls[0][-1]["content"]
        assert QUESTION in prompt and "[1]" in prompt


def test_invented_marker_is_never_shown(seed_home: Path) -> None:
    llm = ScriptedLLM(lambda p: f"{p[1]} [42]")
    with open_with(seed_home, llm) as assistant:
        answer = assistant.ask(QUESTION)
        assert "[42]" not in answer.text and answer.citations
        assert_verified(assistant, answer)


def test_invented_number_is_dropped(seed_home: Path) -> None:
    def script(p: dict[int, str]) -> str:
        return f"{p[1]} [1] Russia has amassed 385,000 troops at the border with Ukraine [1]."

    with open_with(seed_home, ScriptedLLM(script)) as assistant:
        answer = assistant.ask(QUESTION)
        assert "385,000" not in answer.text and not answer.refused
        assert any("left out" in n for n in answer.notes)
        assert_verified(assistant, answer)


def test_nothing_supported_falls_back_to_the_extractive_answer(seed_home: Path) -> None:
    llm = ScriptedLLM(lambda p: "Ukraine joined the European Union in 2019 after a vote [1].")
    with open_with(seed_home, llm) as assistant:
        answer = assistant.ask(QUESTION)
        assert "European Union" not in answer.text and "2019" not in answer.text
        assert not answer.refused and "Stockholm" in answer.text
        assert answer.generator == "extractive" and "European Union" in (answer.model_reply or "")
        assert any("not supported" in n for n in answer.notes)
        assert_verified(assistant, answer)


def test_answer_not_resting_on_the_best_evidence_falls_back(seed_home: Path) -> None:
    """A supported sentence from a side passage (the last one) does not answer the question: the
    passages the extractive answer quotes do."""
    llm = ScriptedLLM(lambda p: f"{p[max(p)]} [{max(p)}]")
    with open_with(seed_home, llm) as assistant:
        answer = assistant.ask(QUESTION)
        assert answer.generator == "extractive" and "Stockholm" in answer.text
        assert any("left out the best evidence" in n for n in answer.notes)
        assert_verified(assistant, answer)


def test_answer_naming_none_of_the_asked_things_falls_back(seed_home: Path) -> None:
    """Supported, resting on the best evidence, and yet no answer to "where": the place the
    evidence gives (Stockholm) is not in it."""
    llm = ScriptedLLM(lambda p: "Blinken met with Russian Foreign Minister Sergey Lavrov [1].")
    with open_with(seed_home, llm) as assistant:
        answer = assistant.ask(QUESTION)
        assert answer.generator == "extractive" and "Stockholm" in answer.text
        assert any("names none of the things" in n for n in answer.notes)
        assert_verified(assistant, answer)
    llm = ScriptedLLM(lambda p: "Blinken met with Lavrov in Stockholm [1].")
    with open_with(seed_home, llm) as assistant:
        assert assistant.ask(QUESTION).generator == "scripted"


def test_model_declining_keeps_the_extractive_answer(seed_home: Path) -> None:
    with open_with(seed_home, ScriptedLLM(lambda p: "NOT IN ARTICLES")) as assistant:
        answer = assistant.ask(QUESTION)
        assert not answer.refused and "Stockholm" in answer.text
        assert answer.generator == "extractive" and answer.model_reply == "NOT IN ARTICLES"
        assert any("found no answer" in n for n in answer.notes)
        assert_verified(assistant, answer)


def test_refused_questions_never_reach_the_model(seed_home: Path) -> None:
    llm = ScriptedLLM(lambda p: "anything [1]")
    with open_with(seed_home, llm) as assistant:
        answer = assistant.ask("What is the recipe for a classic French onion soup?")
        assert answer.refused and llm.calls == []


def test_unavailable_model_falls_back_to_the_extractive_answer(seed_home: Path) -> None:
    with open_with(seed_home, BrokenLLM()) as assistant:
        answer = assistant.ask(QUESTION)
        assert not answer.refused and answer.generator == "extractive"
        assert any("connection refused" in n and "extractive" in n for n in answer.notes)
        assert_verified(assistant, answer)


def test_follow_up_sends_the_conversation(seed_home: Path) -> None:
    llm = ScriptedLLM(lambda p: f"{p[1]} [1]")
    history = [
        {"role": "user", "content": "Who is Ukraine's defense minister?"},
        {"role": "assistant", "content": "Oleksii Reznikov [1]"},
    ]
    with open_with(seed_home, llm) as assistant:
        assistant.ask("What did he say about the troops?", history)
        roles = [m["role"] for m in llm.calls[0]]
        assert roles == ["system", "user", "assistant", "user"]
        assert "Oleksii Reznikov" in llm.calls[0][2]["content"]
