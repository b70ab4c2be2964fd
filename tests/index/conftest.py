"""Fixtures for the write side."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def lock_folder(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Path], None]]:
    """Makes a folder unlistable: chmod 000, or, for root (who lists it anyway), a directory
    listing that raises PermissionError for it, as the kernel would for anyone else."""
    locked: list[Path] = []
    real_scandir = os.scandir

    def scandir(path: Any = ".") -> Any:
        if isinstance(path, str | bytes | os.PathLike):
            here = Path(os.fsdecode(path)).resolve()
            if any(here == folder for folder in locked):
                raise PermissionError(13, "Permission denied", os.fsdecode(path))
        return real_scandir(path)

    def lock(folder: Path) -> None:
        folder = folder.resolve()
        locked.append(folder)
        if os.geteuid() != 0:
            folder.chmod(0)
        else:
            monkeypatch.setattr(os, "scandir", scandir)

    yield lock
    for folder in locked:
        folder.chmod(0o755)  # so that tmp_path can be cleaned up
