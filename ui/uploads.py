"""Articles added from the page: uploaded files and pasted text, kept under ``QA_HOME/uploads/``
and indexed through the open ``Assistant`` one file at a time, so that each is answerable at once
and questions from other users can be answered between two files.

One folder, flat: an article's id is its file name without the extension (or, for json and
jsonl, each record's ``id``), and the folder is indexed again when the chat starts, so that a
restart or an ``qa index --rebuild`` keeps what was added. A file that adds nothing (binary, empty,
malformed, an id already indexed from another file) is removed again, and an earlier upload of
the same name comes back: one bad file costs nothing but a line saying why.

    >>> safe_name("../../My story (final).TXT")
    'My-story-final.txt'
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from qa import Assistant, IndexReport, InputError, QAError

FOLDER = "uploads"
SUFFIXES = (".txt", ".md", ".html", ".htm", ".json", ".jsonl")
# Indexing reads about 25 KB of text a second on two cores, and answers wait while a file is
# indexed: 1 MB (some 200 articles of jsonl) keeps that wait under a minute a file.
MAX_FILE_BYTES = 1_000_000
MAX_FILES = 20
MAX_TITLE_CHARS = 300
MAX_OUTLET_CHARS = 100
MAX_PASTE_CHARS = 100_000
LIMITS = (
    f"Up to {MAX_FILES} files at a time, each up to {MAX_FILE_BYTES // 1_000_000} MB:"
    " .txt or .md (the first line is the title), .html, .json or .jsonl (records with"
    " `id` and `text`, optionally `title`, `published`, `source`)."
)

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_ABSOLUTE = re.compile(r"(?<![\w.])/(?:[^\s/:,'\"]+/)*([^\s/:,'\"]+)")


def safe_name(name: str) -> str:
    """A file name that is safe to create in the uploads folder: no folder part, ASCII letters,
    digits, ``.``, ``_`` and ``-`` only, not hidden (the indexer skips hidden files), its
    extension in lower case, at most 100 characters."""
    base = re.split(r"[\\/]", name)[-1]
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = _UNSAFE.sub("-", stem).strip(".-_")[:100] or "article"
    suffix = _UNSAFE.sub("", suffix).lower()
    return f"{stem}.{suffix}" if suffix else stem


@dataclass(frozen=True)
class Added:
    """What became of one uploaded file or pasted article."""

    name: str  # as the user gave it
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.added + self.updated + self.unchanged > 0

    def line(self) -> str:
        """One line for the page (plain text: escape it where shown)."""
        if not self.ok:
            problem = self.problems[0] if self.problems else "nothing to index in it"
            return f"{self.name}: not added: {_without_name(problem, self.name)}"
        counts = [(self.added, "added"), (self.updated, "updated"), (self.unchanged, "unchanged")]
        total = self.added + self.updated + self.unchanged
        noun = "1 article" if total == 1 else f"{total} articles"
        parts = [f"{n} {word}" for n, word in counts if n]
        said = (
            f"{noun} {parts[0].split(' ', 1)[1]}"
            if len(parts) == 1
            else f"{noun}: {', '.join(parts)}"
        )
        extra = ""
        if self.problems:
            more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
            extra = f"; note: {_without_name(self.problems[0], self.name)}{more}"
        return f"{self.name}: {said}{extra}"


def _without_name(problem: str, name: str) -> str:
    """A problem without the file name it starts with (the line names the file already)."""
    return problem[len(name) :].lstrip(": ") if problem.startswith(name) else problem


class Uploads:
    """The uploads folder of an assistant's ``QA_HOME``, and adding to it."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.folder = Path(assistant.settings.home) / FOLDER
        self._lock = threading.Lock()  # one upload at a time: backups name files by name

    def restore(self) -> IndexReport | None:
        """Index the uploads folder (on start: a rebuilt index gets its uploads back; a file
        deleted from the folder leaves the index). None when there is no folder."""
        if not self.folder.is_dir():
            return None
        return self.assistant.index([self.folder])

    def check_count(self, count: int) -> None:
        if count > MAX_FILES:
            raise InputError(
                f"{count} files at once: the limit is {MAX_FILES}; add them in smaller batches"
            )

    def add_file(self, name: str, path: Path) -> Added:
        """Save one uploaded file (``name``: what the user called it) and index it."""
        suffix = Path(safe_name(name)).suffix
        if suffix not in SUFFIXES:
            return Added(name, problems=(f"{name}: not a .txt, .md, .html, .json or .jsonl file",))
        try:
            size = path.stat().st_size
            data = path.read_bytes() if size <= MAX_FILE_BYTES else b""
        except OSError as exc:
            return Added(name, problems=(f"{name}: cannot be read ({exc.strerror or exc})",))
        if size > MAX_FILE_BYTES:
            mb = f"{size / 1_000_000:.1f} MB"
            limit = f"{MAX_FILE_BYTES // 1_000_000} MB"
            return Added(name, problems=(f"{name}: {mb}, over the {limit} limit",))
        return self._save_and_index(name, safe_name(name), data)

    def add_text(self, title: str, text: str, published: str = "", source: str = "") -> Added:
        """Save a pasted article as a json record (its id made from the title and a hash of
        it, so that pasting it again changes nothing) and index it."""
        record = pasted_record(title, text, published, source)
        data = json.dumps(record, ensure_ascii=False, indent=1).encode("utf-8")
        return self._save_and_index(record["title"], f"{record['id']}.json", data)

    def _save_and_index(self, name: str, file_name: str, data: bytes) -> Added:
        with self._lock:
            self.folder.mkdir(parents=True, exist_ok=True)
            target = self.folder / file_name
            backup = target.read_bytes() if target.exists() else None
            _write(target, data)
            try:
                report = self.assistant.index([target])
            except QAError as exc:
                report = IndexReport(warnings=[str(exc)])
            result = Added(name, report.added, report.updated, report.unchanged,
                           tuple(self._shown(w, target, name) for w in report.warnings))  # fmt: skip
            if not result.ok:  # keep nothing of a file that added nothing
                if backup is None:
                    target.unlink(missing_ok=True)
                else:
                    _write(target, backup)
            return result

    def _shown(self, warning: str, target: Path, name: str) -> str:
        """A warning as the user may read it: their file's name, no server path."""
        line = warning.replace(str(target.resolve()), name).replace(str(target), name)
        line = _ABSOLUTE.sub(lambda m: m[1], line)
        line = re.sub(rf"^{re.escape(name)}:(\d+):", lambda m: f"{name}: line {m[1]}:", line)
        return " ".join(line.split())


def _write(path: Path, data: bytes) -> None:
    """Write whole or not at all (a crash never leaves half a file to index)."""
    temp = path.with_name(f".{path.name}.part")
    temp.write_bytes(data)
    os.replace(temp, path)


def pasted_record(title: str, text: str, published: str = "", source: str = "") -> dict[str, str]:
    """A pasted article as a json record; an InputError (one line) for a missing title or
    text, a malformed date or anything over its limit."""
    title = " ".join((title or "").split())
    source = " ".join((source or "").split())
    text = (text or "").strip()
    if not title:
        raise InputError("the article needs a title")
    if not text:
        raise InputError("the article needs its text")
    for what, value, limit in (("title", title, MAX_TITLE_CHARS), ("outlet", source,
                               MAX_OUTLET_CHARS), ("text", text, MAX_PASTE_CHARS)):  # fmt: skip
        if len(value) > limit:
            raise InputError(
                f"the {what} is {len(value):,} characters long; the limit is {limit:,}"
            )
    record = {"id": pasted_id(title, text), "title": title, "text": text}
    if (published or "").strip():
        try:
            record["published"] = date.fromisoformat(published.strip()).isoformat()
        except ValueError:
            raise InputError(
                f"the date must look like 2024-05-31 (got {published[:40]!r})"
            ) from None
    if source:
        record["source"] = source
    return record


def pasted_id(title: str, text: str) -> str:
    """``pasted-<words of the title>-<hash>``: readable, and the same for the same article."""
    words = _UNSAFE.sub("-", title.lower()).strip("-._")[:60].rstrip("-._") or "article"
    digest = hashlib.sha256(f"{title}\n{text}".encode()).hexdigest()[:8]
    return f"pasted-{words}-{digest}"
