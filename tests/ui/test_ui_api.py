"""The app's ``ask`` API endpoint, as ``gradio_client`` users call it, alone and ten at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from gradio_client import Client
from ui_helpers import RunningApp

pytestmark = pytest.mark.slow

# Ten seed questions, each with a string only its own correct answer is sure to quote.
QUESTIONS = {
    "How many Russian troops did Ukraine's defense minister Oleksii Reznikov say had been"
    " amassed at the border?": "94,000",
    "Who is the Kremlin spokesman?": "Peskov",
    "Where did Blinken meet Lavrov?": "Stockholm",
    "How many Ukrainian troops did the Kremlin spokesman say had been deployed to the conflict"
    " zone?": "120,000",
    "How many US troops has the Pentagon placed on high alert for possible deployment to Eastern"
    " Europe?": "8,500",
    "According to the Ukrainian Defense Ministry, how many soldiers are in Russia's land group"
    " facing Ukraine, not counting naval and air components?": "106 thousand",
    "Over what period did the Pentagon say Russia had rapidly ramped up its military presence on"
    " the Ukrainian border before the Biden-Zelensky call?": "24 hours",
    "How long at most would Russia need to move all its pieces into position for an invasion,"
    " according to Janes?": "two weeks",
    "Which US deputy secretary of state said it was unclear whether Moscow intended to use the"
    " talks as a pretext?": "Wendy Sherman",
    "Which German foreign minister said there was no understandable reason for the Russian"
    " buildup?": "Annalena Baerbock",
}


def client(app: RunningApp) -> Client:
    return Client(app.url, verbose=False, download_files=False)


def check_answer(answer: dict[str, Any], question: str, expected: str, app: RunningApp) -> None:
    assert answer["question"] == question
    assert answer["refused"] is False
    assert answer["citations"], answer["text"]
    assert any(expected in c["quote"] for c in answer["citations"]), (question, answer["text"])
    for c in answer["citations"]:
        assert f"[{c['marker']}]" in answer["text"]
        assert app.assistant.article(c["article_id"]).text[c["start"] : c["end"]] == c["quote"]


def test_ask_endpoint_returns_the_answer_dict(seed_app: RunningApp) -> None:
    answer = client(seed_app).predict("Where did Blinken meet Lavrov?", api_name="/ask")
    assert set(answer) >= {"question", "text", "refused", "citations", "passages", "fingerprint"}
    check_answer(answer, "Where did Blinken meet Lavrov?", "Stockholm", seed_app)
    assert answer["passages"] and answer["passages"][0]["rank"] == 1


def test_ask_endpoint_says_what_was_wrong_in_one_line(seed_app: RunningApp) -> None:
    with pytest.raises(Exception, match="the question is empty") as info:
        client(seed_app).predict("   ", api_name="/ask")
    assert "Traceback" not in str(info.value)


def test_ten_concurrent_clients_each_get_their_own_answer(seed_app: RunningApp) -> None:
    def one(question: str) -> dict[str, Any]:
        result: dict[str, Any] = client(seed_app).predict(question, api_name="/ask")
        return result

    with ThreadPoolExecutor(max_workers=len(QUESTIONS)) as pool:
        answers = list(pool.map(one, QUESTIONS))
    for (question, expected), answer in zip(QUESTIONS.items(), answers, strict=True):
        check_answer(answer, question, expected, seed_app)
