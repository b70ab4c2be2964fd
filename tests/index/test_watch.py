"""`qa index --watch`: what the watcher sees, when it indexes, what it logs, how it stops.

Fast tests drive the pure parts (snapshots, the Tracker) with hand-made times, and the Watcher
over real files with HashEmbedder + MemoryStore and a clock the test moves; the slow one runs the
real command as a subprocess and stops it with SIGTERM.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import threading
import time
from collections.abc import Collection
from datetime import datetime
from pathlib import Path

import pytest
from fakes import HashEmbedder

from index.articles import load
from index.errors import IndexLockedError
from index.indexer import IndexConfig, Indexer, IndexReport
from index.store import MemoryStore
from index.watch import FileState, StopSignals, Tracker, Watcher, changed, snapshot

CONFIG = IndexConfig("hash-embedder", chunk_tokens=40, chunk_overlap=8)
WHEN = datetime(2026, 12, 2, 6, 10, 3)


def record(article_id: str, text: str | None = None) -> str:
    return json.dumps({"id": article_id, "text": text or f"Story {article_id} happened today."})


# --- snapshots ------------------------------------------------------------------------------------


def test_snapshot_holds_the_files_load_reads_and_sees_every_kind_of_change(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / ".git").mkdir()
    for name in ("a.txt", "feed.jsonl", "sub/c.md", ".hidden.txt", "notes.csv", ".git/x.txt"):
        (tmp_path / name).write_text("Some text.\n")
    snap = snapshot([tmp_path])
    wanted = {str((tmp_path / n).resolve()) for n in ("a.txt", "feed.jsonl", "sub/c.md")}
    assert set(snap) == wanted
    assert changed(snap, snapshot([tmp_path])) == set()

    feed = str((tmp_path / "feed.jsonl").resolve())
    with open(feed, "a") as f:
        f.write(record("x") + "\n")
    grown = snapshot([tmp_path])
    assert changed(snap, grown) == {feed}

    # replaced by a rename with the same size and time: the inode tells
    a = tmp_path / "a.txt"
    other = tmp_path / "a.tmp"
    other.write_text("Some TEXT.\n")
    st = a.stat()
    os.utime(other, ns=(st.st_atime_ns, st.st_mtime_ns))
    other.replace(a)
    (tmp_path / "sub/c.md").unlink()
    (tmp_path / "new.html").write_text("<p>Hi</p>")
    after = snapshot([tmp_path])
    assert changed(grown, after) == {str(a.resolve()), str((tmp_path / "sub/c.md").resolve()),
                                     str((tmp_path / "new.html").resolve())}  # fmt: skip


def test_snapshot_of_a_single_file_and_of_a_missing_root(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text(record("a") + "\n")
    assert set(snapshot([feed])) == {str(feed.resolve())}
    assert snapshot([tmp_path / "gone"]) == {}


# --- the Tracker: when a batch is due ---------------------------------------------------------------


def state(n: int) -> FileState:
    return FileState(n, n, 1)


def tracker() -> Tracker:
    return Tracker(settle=2, max_wait=30, tail_grace=20, retry=30)


def test_first_batch_at_once_then_only_after_a_change_has_settled() -> None:
    t = tracker()
    s0 = {"/n/a.txt": state(1)}
    t.observe(s0, 0)
    assert t.due(0) and t.dirty(0) is None  # what arrived while nobody watched: everything
    t.done(s0, 0)
    t.observe(s0, 2)
    assert not t.due(2)

    s1 = {**s0, "/n/b.txt": state(5)}
    t.observe(s1, 4)
    assert not t.due(4)  # just changed: it may still be being copied
    s2 = {**s0, "/n/b.txt": state(9)}
    t.observe(s2, 6)
    assert not t.due(6)  # still growing
    t.observe(s2, 8)
    assert t.due(8)
    assert t.dirty(8) == {"/n/b.txt"}
    t.done(s2, 8)
    t.observe(s2, 10)
    assert not t.due(10) and t.dirty(10) == set()

    t.observe(s0, 12)  # b.txt deleted
    t.observe(s0, 14)
    assert t.due(14) and t.dirty(14) == {"/n/b.txt"}


def test_changes_that_keep_coming_still_get_a_batch_every_max_wait() -> None:
    t = tracker()
    t.observe({}, 0)
    t.done({}, 0)
    due_at = []
    for now in range(2, 70, 2):
        t.observe({"/n/feed.jsonl": state(now)}, now)  # a feed appended every look
        if t.due(now):
            due_at.append(now)
            t.done(t.seen, now)
    assert due_at == [32, 64]  # 30 s after the first change not indexed


def test_growing_jsonl_files_and_their_unfinished_lines_are_read_again_later() -> None:
    t = tracker()
    s0 = {"/n/feed.jsonl": state(1), "/n/a.txt": state(1)}
    t.observe(s0, 0)
    assert t.growing(0) == {"/n/feed.jsonl"}  # at the first look nobody saw it finished
    t.done(s0, 0)
    assert t.growing(20) == set()

    s1 = {**s0, "/n/feed.jsonl": state(2), "/n/a.txt": state(2)}
    t.observe(s1, 30)
    t.observe(s1, 32)
    assert t.due(32) and t.growing(32) == {"/n/feed.jsonl"}  # changed 2 s ago; a.txt: not jsonl
    t.done(s1, 32, open_tails=["/n/feed.jsonl"])  # its last line was not finished
    t.observe(s1, 40)
    assert not t.due(49)
    assert t.due(50)  # unchanged for tail_grace since it last changed (at 30): read it as it is
    assert t.dirty(50) == {"/n/feed.jsonl"} and t.growing(50) == set()
    t.done(s1, 50)
    assert not t.due(80)


def test_a_failed_batch_is_tried_again_after_retry_seconds() -> None:
    t = tracker()
    t.observe({"/n/a.txt": state(1)}, 0)
    t.failed(0)
    assert not t.due(29)
    assert t.due(30) and t.dirty(30) is None


# --- the loader, told a file is growing --------------------------------------------------------------


def test_a_growing_jsonl_file_leaves_its_unfinished_last_line_without_a_warning(
    tmp_path: Path,
) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_bytes((record("a") + "\n" + '{"id": "b", "te').encode())
    plain = load(tmp_path)
    assert [a.id for a in plain.articles] == ["a"]
    assert len(plain.warnings) == 1 and f"{feed}:2:" in plain.warnings[0]  # qa index: stale

    growing = load(tmp_path, growing={str(feed)})
    assert [a.id for a in growing.articles] == ["a"]
    assert growing.warnings == []
    assert growing.open_tails == [str(feed)]
    assert str(feed) in growing.failed_files  # not read whole: what came from it is kept

    # a character cut in two by the writer: still just an unfinished line
    feed.write_bytes((record("a") + "\n" + record("b", "Café")).encode()[:-5])
    cut = load(tmp_path, growing={str(feed)})
    assert ([a.id for a in cut.articles], cut.warnings) == (["a"], [])

    # a last line without its newline that is complete JSON is read
    feed.write_text(record("a") + "\n" + record("b"))
    done = load(tmp_path, growing={str(feed)})
    assert [a.id for a in done.articles] == ["a", "b"]
    assert (done.warnings, done.open_tails) == ([], [])

    feed.write_text("")  # created, nothing written yet
    empty = load(tmp_path, growing={str(feed)})
    assert (empty.warnings, empty.open_tails) == ([], [str(feed)])
    assert len(load(tmp_path).warnings) == 1  # qa index still says it is empty


def test_a_feed_being_rewritten_keeps_its_articles_until_it_is_finished(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(record(i) + "\n" for i in "abc"))
    store = MemoryStore()
    indexer = Indexer(store, HashEmbedder(), CONFIG)
    assert indexer.index([tmp_path], False).added == 3

    feed.write_text(record("a") + "\n" + '{"id": "b", "te')  # rewritten from the start
    report = indexer.index([tmp_path], False, growing={str(feed.resolve())})
    assert (report.removed, report.warnings, report.open_tails) == (0, [], [str(feed.resolve())])
    assert set(store.articles()) == {"a", "b", "c"}

    feed.write_text(record("a") + "\n" + record("b") + "\n")  # finished, without c
    report = indexer.index([tmp_path], False, growing={str(feed.resolve())})
    assert (report.removed, report.open_tails) == (1, [])
    assert set(store.articles()) == {"a", "b"}


# --- the Watcher, over real files with a clock the test moves ---------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Rig:
    """A watcher of ``news`` (interval 1 s) indexing into a MemoryStore; what it logs."""

    def __init__(self, news: Path) -> None:
        self.news = news
        self.store = MemoryStore()
        self.indexer = Indexer(self.store, HashEmbedder(), CONFIG)
        self.clock = Clock()
        self.lines: list[str] = []
        self.warnings: list[str] = []
        self.watcher = Watcher([news], self.index, log=self.lines.append,
                               warn=self.warnings.append, interval=1.0, clock=self.clock,
                               wall=lambda: WHEN)  # fmt: skip

    def index(self, roots: list[Path], growing: Collection[str]) -> IndexReport:
        return self.indexer.index(roots, False, growing=growing)

    def tick(self, seconds: float = 1.0) -> IndexReport | None:
        self.clock.now += seconds
        return self.watcher.poll()

    def settle(self) -> IndexReport:
        """Looks until a batch runs (at most 5)."""
        for _ in range(5):
            if (report := self.tick()) is not None:
                return report
        raise AssertionError("no batch ran")


@pytest.fixture
def rig(tmp_path: Path) -> Rig:
    news = tmp_path / "news"
    news.mkdir()
    (news / "one.txt").write_text("First story\nThe council met on Tuesday.\n")
    (news / "feed.jsonl").write_text(record("feed-1") + "\n")
    rig = Rig(news)
    first = rig.watcher.poll()
    assert first is not None and first.added == 2
    assert rig.lines == [f"2026-12-02T06:10:03 watch: 2 added, 0 updated, 0 removed;"
                         f" {rig.store.count()} chunks in the index"]  # fmt: skip
    rig.lines.clear()
    return rig


def test_watcher_indexes_what_arrives_with_one_line_per_batch(rig: Rig) -> None:
    assert rig.tick() is None  # nothing changed: no batch, no line
    (rig.news / "two.txt").write_text("Second story\nThe mayor resigned.\n")
    assert rig.tick() is None  # just arrived: wait one look
    report = rig.tick()
    assert report is not None and (report.added, report.updated, report.removed) == (1, 0, 0)

    with open(rig.news / "feed.jsonl", "a") as f:
        f.write(record("feed-2") + "\n")
    assert rig.settle().added == 1

    (rig.news / "two.txt").write_text("Second story\nThe mayor resigned on Friday.\n")
    assert rig.settle().updated == 1
    (rig.news / "one.txt").unlink()
    assert rig.settle().removed == 1

    assert set(rig.store.articles()) == {"two", "feed-1", "feed-2"}
    chunks = rig.store.count()
    assert [line.split(" watch: ")[1].split(";")[0] for line in rig.lines] == [
        "1 added, 0 updated, 0 removed", "1 added, 0 updated, 0 removed",
        "0 added, 1 updated, 0 removed", "0 added, 0 updated, 1 removed",
    ]  # fmt: skip
    assert rig.lines[-1].endswith(f"; {chunks} chunks in the index")
    assert rig.warnings == []


def test_watcher_waits_until_a_file_being_written_is_still(rig: Rig) -> None:
    story = rig.news / "long.txt"
    with open(story, "w") as f:
        f.write("Long story\n")
        for n in range(4):  # a line a second: never still for a whole look
            f.write(f"Paragraph {n} of the long story.\n")
            f.flush()
            assert rig.tick() is None
    report = rig.settle()
    assert report.added == 1
    assert rig.store.articles()["long"].article.text == story.read_text()


def test_an_unfinished_jsonl_line_is_left_until_finished_or_stale(rig: Rig) -> None:
    feed = rig.news / "feed.jsonl"
    with open(feed, "a") as f:
        f.write('{"id": "feed-2", "text": "Half')
    report = rig.settle()
    assert (report.added, report.warnings) == (0, [])
    with open(feed, "a") as f:
        f.write(' a line, now finished."}\n')
    assert rig.settle().added == 1
    assert rig.store.articles()["feed-2"].article.text == "Half a line, now finished."
    assert rig.warnings == []

    with open(feed, "a") as f:
        f.write('{"id": "feed-3", "te')  # and the writer never comes back
    assert rig.settle().warnings == []
    batches = [rig.tick() for _ in range(40)]  # tail_grace is 30 s at a 1 s interval
    done = [b for b in batches if b is not None]
    assert len(done) == 1 and len(rig.warnings) == 1
    assert rig.warnings[0].startswith("warning: ") and f"{feed.resolve()}:3:" in rig.warnings[0]
    assert set(rig.store.articles()) == {"one", "feed-1", "feed-2"}


def test_a_malformed_file_is_one_warning_once_and_the_rest_is_indexed(rig: Rig) -> None:
    (rig.news / "bad.json").write_text('{"id": "bad", "text": ')
    (rig.news / "good.txt").write_text("Good story\nThe bridge opened.\n")
    report = rig.settle()
    assert report.added == 1
    assert len(rig.warnings) == 1
    assert rig.warnings[0].startswith("warning: ") and "bad.json" in rig.warnings[0]
    assert "\n" not in rig.warnings[0]
    assert (
        rig.lines[-1].split(" watch: ")[1].startswith("1 added, 0 updated, 0 removed (1 warning);")
    )

    (rig.news / "more.txt").write_text("More\nAnother story.\n")
    assert rig.settle().added == 1
    assert len(rig.warnings) == 1  # not repeated by every later batch
    assert "warning" not in rig.lines[-1]

    (rig.news / "bad.json").write_text(record("bad") + "\n")
    assert rig.settle().added == 1
    assert set(rig.store.articles()) == {"one", "feed-1", "good", "more", "bad"}
    (rig.news / "bad.json").write_text("[1, ")  # broken again: said again
    rig.settle()
    assert len(rig.warnings) == 2


def test_an_index_error_is_one_line_and_the_batch_is_tried_again(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A story\nIt happened.\n")
    calls: list[list[Path]] = []

    def index(roots: list[Path], growing: Collection[str]) -> IndexReport:
        calls.append(roots)
        if len(calls) == 1:
            raise IndexLockedError("the index is in use by pid 7")
        return IndexReport(added=1, chunks=1)

    clock, lines, warnings = Clock(), list[str](), list[str]()
    watcher = Watcher([tmp_path], index, log=lines.append, warn=warnings.append, interval=1.0,
                      clock=clock, wall=lambda: WHEN)  # fmt: skip
    assert watcher.poll() is None
    assert warnings == ["error: the index is in use by pid 7 (trying again in 30 s)"]
    clock.now += 29
    assert watcher.poll() is None and len(calls) == 1
    clock.now += 1
    assert watcher.poll() is not None and len(calls) == 2
    assert lines == ["2026-12-02T06:10:03 watch: 1 added, 0 updated, 0 removed; 1 chunks in the"
                     " index"]  # fmt: skip


def test_a_batch_reads_only_the_roots_that_changed(tmp_path: Path) -> None:
    news, feed = tmp_path / "news", tmp_path / "feed.jsonl"
    news.mkdir()
    (news / "a.txt").write_text("A story\nIt happened.\n")
    feed.write_text(record("f1") + "\n")
    calls: list[list[Path]] = []

    def index(roots: list[Path], growing: Collection[str]) -> IndexReport:
        calls.append(roots)
        return IndexReport()

    clock = Clock()
    watcher = Watcher([news, feed], index, log=list[str]().append, warn=list[str]().append,
                      interval=1.0, clock=clock, wall=lambda: WHEN)  # fmt: skip
    watcher.poll()
    assert calls == [[news.resolve()], [feed.resolve()]]  # at the start: all of them
    with open(feed, "a") as f:
        f.write(record("f2") + "\n")
    for _ in range(2):
        clock.now += 1
        watcher.poll()
    assert calls[2:] == [[feed.resolve()]]


def test_a_stop_during_a_batch_finishes_it_then_logs_a_last_line(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A story\nIt happened.\n")
    store = MemoryStore()
    indexer = Indexer(store, HashEmbedder(), CONFIG)
    stopped: list[bool] = []

    def index(roots: list[Path], growing: Collection[str]) -> IndexReport:
        stopped.append(True)  # SIGTERM arrives while the batch runs
        return indexer.index(roots, False, growing=growing)

    clock, lines = Clock(), list[str]()

    def sleep(seconds: float) -> None:
        clock.now += seconds

    watcher = Watcher([tmp_path], index, log=lines.append, warn=lines.append, interval=1.0,
                      clock=clock, wall=lambda: WHEN)  # fmt: skip
    assert watcher.run(stop=lambda: bool(stopped), sleep=sleep) == 1
    assert set(store.articles()) == {"a"}  # the batch in flight was finished
    assert len(lines) == 3
    assert "watch: watching" in lines[0] and "SIGTERM" in lines[0]
    assert "watch: 1 added" in lines[1]
    assert lines[2] == "2026-12-02T06:10:03 watch: stopped after 1 batch"


def test_stop_signals_set_a_flag_then_a_second_one_interrupts() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with StopSignals() as stop:
        assert not stop()
        os.kill(os.getpid(), signal.SIGTERM)
        deadline = time.monotonic() + 5
        while not stop() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert stop() and stop.received == "SIGTERM"  # and the process is still here
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)
    assert signal.getsignal(signal.SIGTERM) == before


# --- the command -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "says"),
    [(["--watch", "--json"], "--json and --watch"), (["--watch", "--interval", "0"], "--interval"),
     (["--watch", "--interval", "nan"], "--interval")],
)  # fmt: skip
def test_watch_bad_options_are_one_line_errors(
    args: list[str], says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    from qa.cli import main

    monkeypatch.setenv("QA_HOME", str(tmp_path / "home"))
    assert main(["index", str(tmp_path), *args]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert err.startswith("error: ") and says in err
    assert not (tmp_path / "home").exists()  # refused before anything was opened


REPO = Path(__file__).resolve().parents[2]
QA = REPO / ".venv" / "bin" / "qa"


class Lines:
    """A stream of a running process, read line by line in a thread."""

    def __init__(self, stream: object) -> None:
        self.queue: queue.Queue[str] = queue.Queue()
        self.all: list[str] = []
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream: object) -> None:
        for line in stream:  # type: ignore[attr-defined]
            self.queue.put(line.rstrip("\n"))

    def next_matching(self, text: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.queue.get(timeout=left)
            except queue.Empty:
                break
            self.all.append(line)
            if text in line:
                return line
        raise AssertionError(f"no line with {text!r} within {timeout} s; got {self.all}")

    def rest(self) -> list[str]:
        while True:
            try:
                self.all.append(self.queue.get(timeout=1))
            except queue.Empty:
                return self.all


def _du(path: Path) -> int:
    total = 0
    for p in path.rglob("*"):
        with contextlib.suppress(OSError):  # files come and go while we look
            total += p.stat().st_size if p.is_file() else 0
    return total


@pytest.mark.slow
def test_qa_index_watch_follows_a_folder_and_stops_cleanly_on_sigterm(
    tmp_path: Path, seeds_dir: Path
) -> None:
    """The real command, model and Chroma: a file dropped in, a record appended (first half,
    then the rest), a malformed file, then a big drop and SIGTERM while it is being indexed:
    exit 0, and the index holds exactly what was dropped, every article whole."""
    news, home = tmp_path / "news", tmp_path / "home"
    news.mkdir()
    seeds = sorted(seeds_dir.glob("*.txt"))[:2]
    for seed in seeds:
        (news / seed.name).write_bytes(seed.read_bytes())
    feed = news / "feed.jsonl"
    feed.write_text(record("feed-1", "The council approved the new bridge on Monday.") + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    proc = subprocess.Popen(
        [str(QA), "index", "--watch", str(news), "--interval", "0.5"],
        env={**env, "QA_HOME": str(home)}, cwd=REPO, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        out, err = Lines(proc.stdout), Lines(proc.stderr)
        out.next_matching("watch: 3 added, 0 updated, 0 removed;", 180)

        (news / "dropped.txt").write_text("Dropped story\nThe harbour reopened on Sunday.\n")
        out.next_matching("watch: 1 added, 0 updated, 0 removed;", 30)

        with open(feed, "a") as f:
            f.write(record("feed-2", "The mayor opened the bridge on Friday.") + "\n")
            f.flush()
            out.next_matching("watch: 1 added, 0 updated, 0 removed;", 30)
            f.write('{"id": "feed-3", "text": "Trains ')  # a writer half way through a line
            f.flush()
            out.next_matching("watch: 0 added, 0 updated, 0 removed;", 30)  # silently left
            f.write('ran again on Saturday."}\n')
        out.next_matching("watch: 1 added, 0 updated, 0 removed;", 30)

        (news / "bad.json").write_text('{"id": "bad", "text": "cut')
        out.next_matching("watch: 0 added, 0 updated, 0 removed (1 warning);", 30)
        warning = err.next_matching("bad.json", 10)
        assert warning.startswith("warning: ") and str(news / "bad.json") in warning

        # a big drop (four indexer groups), and SIGTERM once its first writes have landed
        big = [record(f"big-{n}", f"Big story {n}. " + "The storm closed roads. " * 40)
               for n in range(128)]  # fmt: skip
        chroma = home / "chroma"
        before = _du(chroma)
        (news / "big.jsonl").write_text("\n".join(big) + "\n")
        deadline = time.monotonic() + 120
        while _du(chroma) == before:
            assert time.monotonic() < deadline and proc.poll() is None, "no batch began"
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=120) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    lines, errors = out.rest(), err.rest()
    assert lines[-1].endswith(" batches") and "watch: stopped after" in lines[-1], lines
    assert any("watch: 128 added" in line for line in lines), lines  # the batch in flight ended
    assert errors == [warning], errors  # one warning in all, no traceback

    from qa import Assistant, Settings

    with Assistant.open(Settings(home=home, rerank_candidates=0)) as assistant:
        ids = {a.id for a in assistant.articles()}
        summary = assistant.summary()
        passages = assistant.passages()
    expected = {s.stem for s in seeds} | {"dropped", "feed-1", "feed-2", "feed-3"}
    assert ids == expected | {f"big-{n}" for n in range(128)}
    assert summary.chunks == len(passages)  # no chunk without its article
    assert {p.article_id for p in passages} == ids  # no article without its chunks
