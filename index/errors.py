"""The project's error tree. Every error a user can cause is a `QAError` with a one-line message
that says what was wrong and what to do; library errors are translated at the boundary with
``raise ... from exc``. Anything else escaping is a bug.

    QAError
    ├── InputError          bad question, bad path, bad file, bad gold line
    ├── IndexMismatchError  the index was built with other settings (model, chunking)
    ├── IndexLockedError    another process holds the on-disk index
    ├── IndexEmptyError     nothing has been indexed yet
    ├── StoreUnavailableError  the Chroma server cannot be reached, or the disk is full
    └── IndexDamagedError   the on-disk index cannot be read ("qa index --rebuild" recovers)
"""

from __future__ import annotations


class QAError(Exception):
    """Root of every error this project raises on purpose."""


class InputError(QAError):
    """The user gave something we cannot use (empty question, missing path, unreadable file)."""


class IndexMismatchError(QAError):
    """The stored index was built with settings that change the vectors."""


class IndexLockedError(QAError):
    """Another process owns the on-disk index."""


class IndexEmptyError(QAError):
    """There is no indexed article to answer from."""


class StoreUnavailableError(QAError):
    """The vector store (a Chroma server) cannot be reached, or cannot be written."""


class IndexDamagedError(QAError):
    """The on-disk index is corrupt or truncated."""
