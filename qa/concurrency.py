"""Many answers at once, one change of the index at a time.

Answering only reads what the assistant holds (article texts, metadata, the keyword index) and
its models and stores are safe to share between threads, so answers run side by side. Taking in a
change of the index (new, updated or removed articles) or closing it replaces what answers read:
it waits for the answers in progress, and answers arriving meanwhile wait for it.

    gate = ReadWriteGate()
    with gate.reading(): ...   # any number at once
    with gate.writing(): ...   # alone
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class ReadWriteGate:
    """A readers-writer lock that lets a waiting writer in before new readers (so a change is
    never starved by a stream of questions). Not re-entrant: a reader must not write."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False
        self._waiting = 0

    @contextmanager
    def reading(self) -> Iterator[None]:
        with self._cond:
            self._cond.wait_for(lambda: not self._writer and not self._waiting)
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self._cond:
            self._waiting += 1
            self._cond.wait_for(lambda: not self._writer and not self._readers)
            self._waiting -= 1
            self._writer = True
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._cond.notify_all()
