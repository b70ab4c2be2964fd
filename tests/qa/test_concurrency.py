"""Several users at once: answers run side by side and equal the answers asked one by one; a
language model's answer in progress holds back neither other answers' retrieval nor the
sources panel; a change of the index waits for the answers in progress."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from fakes import HashEmbedder, OverlapCrossEncoder
from qa_helpers import write

from index.indexer import IndexConfig, Indexer
from index.store import MemoryStore
from qa import Assistant, Settings
from qa.concurrency import ReadWriteGate

ARTICLES = {
    f"a{n}.txt": f"Town {n} news\n\nThe town of Vale{n} opened {n + 2},000 new homes on Monday."
    f" Mayor Ann Lee{n} said the homes cost {n + 1} million dollars. The river in Vale{n}"
    f" flooded {n + 3} streets last spring."
    for n in range(8)
}
QUESTIONS = [
    q
    for n in range(8)
    for q in (f"How many homes did Vale{n} open?", f"Who is the mayor of Vale{n}?")
]


def build(tmp_path: Path, llm: object = None) -> Assistant:
    embedder, store = HashEmbedder(), MemoryStore()
    folder = write(tmp_path / "news", ARTICLES)
    Indexer(store, embedder, IndexConfig(embedder.model_id)).index([folder], progress=False)
    return Assistant(store, embedder, Settings(home=tmp_path), llm=llm,  # type: ignore[arg-type]
                     cross_encoder=OverlapCrossEncoder())  # fmt: skip


def shape(answer: object) -> tuple[object, ...]:
    return (answer.text, [(c.article_id, c.start, c.end) for c in answer.citations])  # type: ignore[attr-defined]


def test_answers_side_by_side_equal_answers_one_by_one(tmp_path: Path) -> None:
    assistant = build(tmp_path)
    alone = {q: shape(assistant.ask(q)) for q in QUESTIONS}
    with ThreadPoolExecutor(8) as pool:
        together = dict(
            zip(
                QUESTIONS * 3,
                pool.map(lambda q: shape(assistant.ask(q)), QUESTIONS * 3),
                strict=True,
            )
        )
    assert together == alone


class BlockedLLM:
    """Starts a reply, then waits until released."""

    name = "blocked"

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()

    def stream(self, messages: list[dict[str, str]], max_tokens: int) -> Iterator[str]:
        self.started.set()
        yield "The town"
        assert self.release.wait(30)
        yield " opened homes [1]."


def test_a_model_answer_in_progress_does_not_hold_back_extractive_work(tmp_path: Path) -> None:
    llm = BlockedLLM()
    assistant = build(tmp_path, llm)
    worded = threading.Thread(target=assistant.ask, args=("How many homes did Vale1 open?",))
    worded.start()
    try:
        assert llm.started.wait(30)
        t0 = time.monotonic()
        passages = assistant.retrieve("homes in Vale2", k=3)  # the sources panel
        summary = assistant.summary()
        article = assistant.article("a3")
        assert time.monotonic() - t0 < 5 and passages and summary.articles == 8 and article
    finally:
        llm.release.set()
        worded.join(30)
    assert not worded.is_alive()


def test_a_change_waits_for_readers_and_new_readers_wait_for_it() -> None:
    gate, events = ReadWriteGate(), []
    reading, writer_waiting = threading.Event(), threading.Event()

    def reader(name: str, hold: float) -> None:
        with gate.reading():
            events.append(f"{name} in")
            reading.set()
            time.sleep(hold)
            events.append(f"{name} out")

    def writer() -> None:
        writer_waiting.set()
        with gate.writing():
            events.append("write")

    first = threading.Thread(target=reader, args=("r1", 0.3))
    first.start()
    reading.wait(5)
    w = threading.Thread(target=writer)
    w.start()
    writer_waiting.wait(5)
    time.sleep(0.05)
    late = threading.Thread(target=reader, args=("r2", 0.0))
    late.start()
    for t in (first, w, late):
        t.join(5)
    assert events == ["r1 in", "r1 out", "write", "r2 in", "r2 out"]
