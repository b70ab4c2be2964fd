"""Following folders as articles arrive (``qa index --watch``): poll, wait for quiet, index.

Every ``interval`` seconds the watcher looks at the files ``load`` would read under its roots: the
size, modification time and inode of each (``snapshot``; polling needs no dependency and works
on any file system, network mounts too). When something changed (``changed``) and nothing has
changed since for one more look, a batch runs: so a file being copied is read whole. Changes
that keep coming (a feed appended every second) still get a batch every ``max_wait`` seconds.

A batch is one ``Indexer.index`` of the roots that changed, so it inherits the indexer's
guarantees: unchanged articles are skipped by content hash (a JSONL file that grew costs only
its new records), a deleted file's articles leave the index, a malformed file is one warning and
the rest is indexed, and an article's record is written after its chunks, so a batch cut short
at any point, even by SIGKILL, leaves no half-indexed article and the next batch finishes it.
Each batch logs one line; a warning is shown in the batch where it first appears, not again by
later batches while it stands (every batch re-reads its roots, and would repeat it).

JSONL files that changed less than ``tail_grace`` seconds ago are passed as ``growing``: a last
line not finished yet is left for a later batch instead of being warned about; a file that then
stays unchanged for ``tail_grace`` seconds is read as it is (a malformed last line is a warning).

``Tracker`` decides, from what it is shown and the time it is told, when a batch is due: pure, so
tests drive it without sleeping. ``Watcher`` adds the looking, the indexing and the log lines;
``StopSignals`` turns SIGTERM and SIGINT into a flag read between batches.
"""

from __future__ import annotations

import math
import signal
import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import Any, NamedTuple

from index.articles import article_files
from index.errors import InputError, QAError
from index.indexer import IndexReport

MAX_INTERVAL = 3600.0


class FileState(NamedTuple):
    size: int
    mtime_ns: int
    inode: int  # a file replaced by a rename can keep its size and time


Snapshot = dict[str, FileState]  # absolute path -> state
# Indexes these roots, told which files may still be being written: Indexer.index, wrapped.
IndexBatch = Callable[[list[Path], Collection[str]], IndexReport]


def snapshot(roots: Iterable[Path]) -> Snapshot:
    """The state of every file ``load`` would read under ``roots`` (resolved paths)."""
    states: Snapshot = {}
    for root in roots:
        for path in article_files(root):
            try:
                st = path.stat()
            except OSError:  # gone between listing and looking: as if never there
                continue
            states[str(path)] = FileState(st.st_size, st.st_mtime_ns, st.st_ino)
    return states


def changed(old: Snapshot, new: Snapshot) -> set[str]:
    """Paths added, removed or modified between two snapshots."""
    return {path for path in old.keys() | new.keys() if old.get(path) != new.get(path)}


def roots_holding(paths: Iterable[str], roots: list[Path]) -> list[Path]:
    """The roots that hold any of ``paths`` (a root that is a file holds itself)."""
    files = [Path(p) for p in paths]
    return [root for root in roots if any(f.is_relative_to(root) for f in files)]


def check_interval(interval: float) -> float:
    if not (math.isfinite(interval) and 0 < interval <= MAX_INTERVAL):
        raise InputError(
            f"--interval must be > 0 and <= {MAX_INTERVAL:g} seconds (got {interval:g})"
        )
    return interval


@dataclass
class Tracker:
    """When a batch is due, from the snapshots it is shown and the times it is told.

    ``observe`` each look; when ``due``, index the ``dirty`` files (and pass ``growing``), then
    say ``done`` with the snapshot the batch read, or ``failed`` to try again ``retry`` seconds
    later. Nothing indexed yet: the first batch is due at once (what arrived while nobody was
    watching)."""

    settle: float  # seconds without change before a batch
    max_wait: float  # seconds a change may wait while others keep coming
    tail_grace: float  # seconds a JSONL file's unfinished last line may stay so
    retry: float  # seconds after a failed batch before the next try
    seen: Snapshot = field(default_factory=dict)  # the last look
    indexed: Snapshot | None = None  # what the last batch read
    last_change: float = -math.inf
    pending_since: float | None = None  # first look that saw a change not indexed yet
    changed_at: dict[str, float] = field(default_factory=dict)  # per file, its last change
    open_tails: dict[str, float] = field(default_factory=dict)  # file -> when to read it again
    retry_at: float | None = None

    def observe(self, snap: Snapshot, now: float) -> None:
        if snap != self.seen:
            for path in changed(self.seen, snap):
                if path in snap:
                    self.changed_at[path] = now
                else:
                    self.changed_at.pop(path, None)
            self.seen, self.last_change = snap, now
        if self.pending_since is None and self.indexed is not None and self._unindexed():
            self.pending_since = now

    def _unindexed(self) -> set[str]:
        return changed(self.indexed or {}, self.seen)

    def due(self, now: float) -> bool:
        if self.retry_at is not None:
            return now >= self.retry_at
        if self.indexed is None:
            return True
        if self._unindexed():
            waited = now - (self.pending_since if self.pending_since is not None else now)
            return now - self.last_change >= self.settle or waited >= self.max_wait
        return any(now >= when for when in self.open_tails.values())

    def dirty(self, now: float) -> set[str] | None:
        """The files a batch due now must read (None: everything, as at the start)."""
        if self.indexed is None or self.retry_at is not None:
            return None
        return self._unindexed() | {p for p, when in self.open_tails.items() if now >= when}

    def growing(self, now: float) -> set[str]:
        """JSONL files that changed less than ``tail_grace`` seconds ago (all of them at the
        first look: nobody saw them finished)."""
        return {path for path, when in self.changed_at.items()
                if path.endswith(".jsonl") and now - when < self.tail_grace}  # fmt: skip

    def done(self, read: Snapshot, now: float, open_tails: Iterable[str] = ()) -> None:
        """A batch read ``read`` (the look before it) and left these files' last lines."""
        self.indexed, self.pending_since, self.retry_at = read, None, None
        self.open_tails = {p: self.changed_at.get(p, now) + self.tail_grace for p in open_tails}

    def failed(self, now: float) -> None:
        self.retry_at = now + self.retry


def merged(total: IndexReport, part: IndexReport) -> IndexReport:
    """The counts of two reports added up (chunks: the later one's), warnings left out."""
    return IndexReport(
        added=total.added + part.added, updated=total.updated + part.updated,
        unchanged=total.unchanged + part.unchanged, removed=total.removed + part.removed,
        chunks=part.chunks, warnings=total.warnings, open_tails=total.open_tails + part.open_tails,
    )  # fmt: skip


def stamp(when: datetime) -> str:
    return when.isoformat(timespec="seconds")


def batch_line(report: IndexReport, when: datetime) -> str:
    """The one log line of a batch."""
    c, n = report.counts(), len(report.warnings)
    warned = f" ({n} warning{'s' * (n != 1)})" if n else ""
    return (f"{stamp(when)} watch: {c['added']} added, {c['updated']} updated, {c['removed']}"
            f" removed{warned}; {c['chunks']} chunks in the index")  # fmt: skip


class Watcher:
    """Keeps an index in line with folders and files as they change (see the module).

    watcher = Watcher([Path("news")], lambda roots, growing: indexer.index(
        roots, False, growing=growing), log=print, warn=print)
    watcher.run(stop=lambda: False)   # until stop() is true; or .poll() once
    """

    def __init__(
        self,
        roots: Iterable[Path],
        index: IndexBatch,
        *,
        log: Callable[[str], None],
        warn: Callable[[str], None],
        interval: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], datetime] = datetime.now,
    ) -> None:
        self.roots = [root.resolve() for root in roots]
        self.index = index
        self.log, self.warn = log, warn
        self.interval = check_interval(interval)
        self.clock, self.wall = clock, wall
        self.tracker = Tracker(settle=interval, max_wait=max(30.0, 10 * interval),
                               tail_grace=max(30.0, 5 * interval),
                               retry=max(30.0, interval))  # fmt: skip
        self.batches = 0
        # The warnings each root's last batch gave: a later batch shows only new ones, so a
        # malformed file is one warning when it appears, not one in every batch after.
        self.warned: dict[Path, set[str]] = {root: set() for root in self.roots}

    def poll(self) -> IndexReport | None:
        """Look once; run a batch if one is due. The batch's report, or None."""
        now = self.clock()
        self.tracker.observe(snapshot(self.roots), now)
        if not self.tracker.due(now):
            return None
        read, dirty = self.tracker.seen, self.tracker.dirty(now)
        roots = self.roots if dirty is None else roots_holding(dirty, self.roots)
        try:  # one root at a time, to know which root a warning stands for
            parts = [(root, self.index([root], self.tracker.growing(now))) for root in roots]
        except QAError as exc:
            self.tracker.failed(now)
            self.warn(f"error: {exc} (trying again in {self.tracker.retry:g} s)")
            return None
        report = IndexReport()
        for root, part in parts:
            report = merged(report, part)
            report.warnings += [w for w in part.warnings if w not in self.warned[root]]
            self.warned[root] = set(part.warnings)
        self.tracker.done(read, now, report.open_tails)
        self.batches += 1
        self.log(batch_line(report, self.wall()))
        for warning in report.warnings:
            self.warn(f"warning: {warning}")
        return report

    def run(self, stop: Callable[[], bool], sleep: Callable[[float], None] = time.sleep) -> int:
        """Poll every ``interval`` seconds until ``stop()``, read between batches (a batch in
        flight is finished). The number of batches run."""
        where = ", ".join(str(root) for root in self.roots)
        self.log(f"{stamp(self.wall())} watch: watching {where} every {self.interval:g} s;"
                 " Ctrl-C or SIGTERM stops after the batch in flight")  # fmt: skip
        while not stop():
            self.poll()
            deadline = self.clock() + self.interval
            while not stop() and (left := deadline - self.clock()) > 0:
                sleep(min(left, 0.1))  # short naps: a stop is seen within 0.1 s
        self.log(f"{stamp(self.wall())} watch: stopped after {self.batches} batch"
                 f"{'es' * (self.batches != 1)}")  # fmt: skip
        return self.batches


class StopSignals:
    """SIGTERM and SIGINT as a flag (call the object: True once one came), for the duration of
    a ``with``. A second one raises ``KeyboardInterrupt`` at once: still safe, since an
    article's record is written after its chunks. Main thread only, as signal handlers are."""

    SIGNALS = (signal.SIGTERM, signal.SIGINT)

    def __init__(self) -> None:
        self.received: str | None = None
        self._previous: dict[int, Any] = {}

    def __call__(self) -> bool:
        return self.received is not None

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.received is not None:
            raise KeyboardInterrupt
        self.received = signal.Signals(signum).name

    def __enter__(self) -> StopSignals:
        for sig in self.SIGNALS:
            self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
