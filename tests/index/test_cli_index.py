"""`qa index` as users run it: a real process, the real model, Chroma on disk under QA_HOME.

Idempotent re-runs, one-line errors, a run killed with SIGKILL and re-run equals a clean run,
a second writer is turned away with a clear message, and nothing reaches the network.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from index.chroma_store import ChromaStore, open_chroma
from index.embedding import SentenceTransformerEmbedder

REPO = Path(__file__).resolve().parents[2]
QA = REPO / ".venv" / "bin" / "qa"
CORPUS = Path(__file__).resolve().parents[3] / "shared/bench/realtimeqa/corpus.jsonl"
KEYS = {"added", "updated", "unchanged", "removed", "chunks"}


def env_for(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    env.update(QA_HOME=str(home), **extra)
    return env


def qa_index(home: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(QA), "index", *args], env=env_for(home, **extra), cwd=REPO,
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def summary(result: subprocess.CompletedProcess[str]) -> dict[str, int]:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    counts = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(counts) == KEYS
    return counts


def open_index(home: Path) -> ChromaStore:
    """The index `qa index` built under ``home``, with the product's default settings."""
    from qa.settings import Settings

    config = Settings(home=home).index_config(SentenceTransformerEmbedder().model_id)
    return open_chroma(home, None, config.fingerprint, config.describe(), create=False)


@dataclass
class Snapshot:
    chunk_ids: list[str]
    articles: dict[str, tuple[str, int]]  # id -> (content hash, chunk count)
    count: int


def snapshot(home: Path, *, complete: bool = True) -> Snapshot:
    """What is in the index; a ``complete`` one has a recorded article for every chunk (a killed
    run may leave chunks whose article it did not get to record: the re-run redoes those)."""
    store = open_index(home)
    try:
        chunks = store.get()
        records = store.articles()
        for chunk in chunks:
            if complete or chunk.article_id in records:
                text = records[chunk.article_id].article.text
                assert chunk.text == text[chunk.start : chunk.end]
        return Snapshot(
            sorted(c.id for c in chunks),
            {k: (r.content_hash, r.chunk_count) for k, r in records.items()},
            store.count(),
        )
    finally:
        store.close()


# --- errors, in process (fast) ---------------------------------------------------------------------


def test_missing_path_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from qa.cli import main

    monkeypatch.setenv("QA_HOME", str(tmp_path / "home"))
    assert main(["index", str(tmp_path / "nowhere"), "--json"]) != 0
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("error: ") and "nowhere" in err and "no such file" in err
    assert not (tmp_path / "home").exists()  # nothing was created for a bad command


# --- the real command ------------------------------------------------------------------------------


@pytest.mark.slow
def test_missing_path_in_a_real_process(tmp_path: Path) -> None:
    result = qa_index(tmp_path / "home", str(tmp_path / "missing"), "--json")
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.slow
def test_bad_names_and_records_are_warnings_and_the_rest_is_indexed(tmp_path: Path) -> None:
    """`qa index` over a folder holding a file name that is not UTF-8 and a JSONL record with a
    lone surrogate: one warning line each, the good articles indexed, the same on a re-run."""
    news = tmp_path / "news"
    news.mkdir()
    (news / "good.txt").write_text("Good story\nThe council met on Tuesday.\n")
    (news / os.fsdecode(b"bad\xff.txt")).write_text("Bad name\nIts body.\n")
    (news / "feed.jsonl").write_text('{"id": "broken", "text": "Bad \\udcff."}\n'
                                     '{"id": "ok", "text": "The council met on Tuesday."}\n')  # fmt: skip
    for _ in range(2):
        result = qa_index(tmp_path / "home", str(news), "--json")
        counts = summary(result)
        assert counts["added"] + counts["unchanged"] == 2
        warnings = result.stderr.strip().splitlines()
        assert len(warnings) == 2, result.stderr
        assert all(w.startswith("warning: ") for w in warnings)
        assert any("bad\\xff.txt" in w for w in warnings)
        assert any(f"{news / 'feed.jsonl'}:1: " in w for w in warnings)


@pytest.mark.slow
def test_a_page_with_nothing_to_quote_is_indexed_with_a_warning(tmp_path: Path) -> None:
    """`qa index` names a scraped page that holds only an ad's feedback form, once; the page
    is indexed like any other."""
    news = tmp_path / "news"
    news.mkdir()
    (news / "good.txt").write_text("Good story\nThe council approved the budget on Tuesday.\n")
    (news / "form.txt").write_text(
        "1. How relevant is this ad to you?\n\nVideo player was slow to load content Video"
        " content never loaded Ad froze or did not finish loading Other issues"
    )
    first = qa_index(tmp_path / "home", str(news), "--json")
    assert summary(first)["added"] == 2
    warnings = first.stderr.strip().splitlines()
    assert len(warnings) == 1, first.stderr
    assert warnings[0].startswith("warning: ") and "'form'" in warnings[0]
    assert "no sentence an answer can quote" in warnings[0]
    second = qa_index(tmp_path / "home", str(news), "--json")
    assert summary(second)["unchanged"] == 2 and second.stderr.strip() == ""


@pytest.mark.slow
def test_index_prints_counts_and_is_idempotent(tmp_path: Path, seeds_dir: Path) -> None:
    news = tmp_path / "news"
    shutil.copytree(seeds_dir, news)
    (news / "scan.txt").write_bytes(b"\x00\x01 not text")
    home = tmp_path / "home"

    first = qa_index(home, str(news), "--json")
    counts = summary(first)
    assert {k: counts[k] for k in ("added", "updated", "unchanged", "removed")} == {
        "added": 5, "updated": 0, "unchanged": 0, "removed": 0,
    }  # fmt: skip
    assert counts["chunks"] >= 5
    assert "5 added, 0 updated, 0 unchanged, 0 removed" in first.stdout
    warnings = [line for line in first.stderr.splitlines() if line.strip()]
    assert len(warnings) == 1, first.stderr  # the binary file, and no progress-bar noise
    assert warnings[0].startswith("warning: ") and "scan.txt" in warnings[0]

    second = summary(qa_index(home, str(news), "--json"))
    assert second == {"added": 0, "updated": 0, "unchanged": 5, "removed": 0,
                      "chunks": counts["chunks"]}  # fmt: skip

    (news / "003_69509773b3ea4668.txt").unlink()
    third = summary(qa_index(home, str(news), "--json"))
    assert (third["unchanged"], third["removed"]) == (4, 1)
    snap = snapshot(home)
    assert third["chunks"] == snap.count == len(snap.chunk_ids)
    assert snap.count == sum(n for _, n in snap.articles.values())
    assert "003_69509773b3ea4668" not in snap.articles

    # other chunking settings: a one-line error that says how to rebuild, and the index is kept
    other = qa_index(home, str(news), "--json", QA_CHUNK_TOKENS="100")
    assert other.returncode != 0
    lines = other.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), other.stderr
    assert "qa index --rebuild" in lines[0]
    assert snapshot(home) == snap
    rebuilt = summary(qa_index(home, str(news), "--json", "--rebuild", QA_CHUNK_TOKENS="100"))
    assert (rebuilt["added"], rebuilt["unchanged"]) == (4, 0)
    assert rebuilt["chunks"] > snap.count  # smaller chunks, more of them


SITECUSTOMIZE = '''
"""Test guard: outbound connections and name look-ups fail and are recorded."""
import ipaddress, os, socket

_LOG = os.environ["QA_TEST_NET_LOG"]
with open(_LOG + ".active", "a") as f:
    f.write(f"{os.getpid()}\\n")


def _local(family, address):
    if family == getattr(socket, "AF_UNIX", None):
        return True
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, bytes):
        host = host.decode()
    if not isinstance(host, str):
        return False
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _blocked(what):
    with open(_LOG, "a") as f:
        f.write(f"{os.getpid()} {what!r}\\n")
    return OSError(101, f"network blocked by the test: {what!r}")


_connect, _connect_ex, _getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo


def connect(self, address):
    if not _local(self.family, address):
        raise _blocked(address)
    return _connect(self, address)


def connect_ex(self, address):
    if not _local(self.family, address):
        raise _blocked(address)
    return _connect_ex(self, address)


def getaddrinfo(host, *args, **kwargs):
    if host is not None and not _local(socket.AF_INET, (host if isinstance(host, str) else host.decode(), 0)):
        raise _blocked(("getaddrinfo", host))
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = connect, connect_ex, getaddrinfo
'''


@pytest.mark.slow
def test_index_works_with_the_network_blocked(tmp_path: Path, seeds_dir: Path) -> None:
    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(SITECUSTOMIZE)
    log = tmp_path / "net.log"
    pythonpath = os.pathsep.join(p for p in (str(guard), os.environ.get("PYTHONPATH")) if p)
    # `qa index` with no path indexes seeds/ (the command runs in the repository)
    result = qa_index(tmp_path / "home", "--json", PYTHONPATH=pythonpath, QA_TEST_NET_LOG=str(log))
    assert Path(f"{log}.active").exists(), "the guard was not loaded"
    assert summary(result)["added"] == len(list(seeds_dir.glob("*.txt"))) == 5
    attempts = log.read_text() if log.exists() else ""
    assert attempts == "", f"outbound connection attempts:\n{attempts}"


# --- a bigger corpus: a killed run, and two writers at once ---------------------------------------

N_ARTICLES = 48  # two embedding batches of the indexer (32 articles each)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Real news articles in one jsonl (generated text when the benchmark corpus is absent)."""
    folder = tmp_path_factory.mktemp("corpus")
    path = folder / "news.jsonl"
    if CORPUS.exists():  # articles of a few chunks each, to keep the runs short
        lines = CORPUS.read_text(encoding="utf-8").splitlines()
        fit = [line for line in lines if 1500 <= len(json.loads(line)["text"]) <= 3000]
        path.write_text("\n".join(fit[:N_ARTICLES]) + "\n", encoding="utf-8")
    else:
        records = [
            {"id": f"gen-{i}", "title": f"Story {i}",
             "text": " ".join(f"Sentence {j} of story {i} says something about topic {j % 7}."
                              for j in range(120))}
            for i in range(N_ARTICLES)
        ]  # fmt: skip
        path.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    return path


@dataclass
class ContendedRun:
    home: Path
    first: subprocess.CompletedProcess[str]
    second: subprocess.CompletedProcess[str]
    second_seconds: float


def _wait_for(predicate: object, proc: subprocess.Popen[str], timeout: float) -> None:
    assert callable(predicate)
    deadline = time.monotonic() + timeout
    while not predicate():
        if proc.poll() is not None:
            pytest.fail(f"qa index ended early ({proc.returncode}): {proc.communicate()}")
        if time.monotonic() > deadline:
            pytest.fail("timed out waiting for qa index")
        time.sleep(0.05)


@pytest.fixture(scope="module")
def contended(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ContendedRun]:
    """A clean `qa index` of the corpus, during which a second `qa index` on the same QA_HOME
    tries to write too. The finished index is the reference for the killed-run test."""
    home = tmp_path_factory.mktemp("clean") / "home"
    first = subprocess.Popen(
        [str(QA), "index", str(corpus), "--json"], env=env_for(home), cwd=REPO,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        owner = home / "index.owner"
        _wait_for(lambda: owner.exists() and owner.read_text().strip() == f"pid {first.pid}",
                  first, 120)  # fmt: skip
        # Paused while it holds the index, the first writer cannot finish before the second one
        # has started up (a second of imports or more): the contention is certain, not a race.
        os.kill(first.pid, signal.SIGSTOP)
        try:
            started = time.monotonic()
            second = qa_index(home, str(corpus), "--json", QA_LOCK_TIMEOUT="1")
            took = time.monotonic() - started
        finally:
            os.kill(first.pid, signal.SIGCONT)
        out, err = first.communicate(timeout=600)
        yield ContendedRun(
            home, subprocess.CompletedProcess(first.args, first.returncode, out, err), second, took
        )
    finally:
        if first.poll() is None:
            os.kill(first.pid, signal.SIGKILL)
            first.wait()


@pytest.mark.slow
def test_second_writer_is_turned_away_with_one_line(contended: ContendedRun) -> None:
    second = contended.second
    assert second.returncode != 0
    lines = second.stderr.strip().splitlines()
    assert len(lines) == 1, second.stderr
    assert lines[0].startswith("error:") and "in use" in lines[0]
    assert "Traceback" not in second.stderr
    assert second.stdout == ""
    assert contended.second_seconds < 60  # it waited about QA_LOCK_TIMEOUT, not for the first


@pytest.mark.slow
def test_first_writer_finishes_with_an_intact_index(contended: ContendedRun) -> None:
    counts = summary(contended.first)
    assert counts["added"] == N_ARTICLES
    snap = snapshot(contended.home)
    assert len(snap.articles) == N_ARTICLES
    assert counts["chunks"] == snap.count == len(snap.chunk_ids) == len(set(snap.chunk_ids))
    assert snap.count == sum(n for _, n in snap.articles.values())


def _du(path: Path) -> int:
    """Bytes under ``path``, tolerating files that come and go while we look."""
    total = 0
    for p in path.rglob("*") if path.exists() else ():
        with contextlib.suppress(OSError):
            total += p.stat().st_size if p.is_file() else 0
    return total


@pytest.mark.slow
def test_killed_run_then_rerun_equals_a_clean_run(
    corpus: Path, contended: ContendedRun, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    proc = subprocess.Popen(
        [str(QA), "index", str(corpus), "--json"], env=env_for(home), cwd=REPO,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        chroma = home / "chroma"
        _wait_for(chroma.exists, proc, 120)
        time.sleep(0.5)
        created = _du(chroma)
        _wait_for(lambda: _du(chroma) > created, proc, 300)  # the first writes are landing
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == -signal.SIGKILL  # killed mid-run, not finished
    partial = snapshot(home, complete=False)
    assert len(partial.articles) < N_ARTICLES

    rerun = summary(qa_index(home, str(corpus), "--json"))
    assert rerun["added"] + rerun["updated"] + rerun["unchanged"] == N_ARTICLES
    assert rerun["unchanged"] == len(partial.articles)
    assert rerun["removed"] == 0

    after, clean = snapshot(home), snapshot(contended.home)
    assert len(after.chunk_ids) == len(set(after.chunk_ids)) == after.count
    assert set(after.chunk_ids) - set(clean.chunk_ids) == set(), "chunks a clean run lacks"
    assert set(clean.chunk_ids) - set(after.chunk_ids) == set(), "chunks missing"
    assert after.articles == clean.articles
    assert rerun["chunks"] == summary(contended.first)["chunks"]
