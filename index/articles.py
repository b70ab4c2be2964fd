"""Loading articles from files: txt, md, html, json and jsonl.

An article's text is kept exactly as loaded (after decoding and, for HTML, main-text extraction), so
that citations can show it whole and ``text[start:end]`` addresses it. Its id is its path relative to
the indexed root without extension, or its record id for json/jsonl. Files that cannot be read give a
warning naming the file (and line), never an exception: one bad file must not lose the others.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

TEXT_SUFFIXES = {".txt", ".md"}
HTML_SUFFIXES = {".html", ".htm"}
JSON_SUFFIXES = {".json", ".jsonl"}
SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES
MAX_FILE_BYTES = 50_000_000

_DATE_MARKER = re.compile(r"\bdate[:\s]+(\d{4}-\d{2}-\d{2})\b", re.IGNORECASE)
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?!\d)")  # also 2022-01-19T10:00Z
_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_DATELINE = re.compile(  # "January 19, 2022", "Jan. 19, 2022", "Sept. 5 2021"
    r"\b(" + "|".join(m.capitalize() for m in _MONTHS) + r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct"
    r"|Nov|Dec)\.?\s+(\d{1,2}),?\s+(\d{4})\b"
)


@dataclass(frozen=True)
class Article:
    """One news article, its text exactly as loaded."""

    id: str
    title: str
    text: str
    published: str | None = None  # ISO date
    source: str | None = None  # outlet
    url: str | None = None
    authors: tuple[str, ...] = ()
    origin: str = ""  # the file it came from (absolute path)

    @property
    def content_hash(self) -> str:
        """Changes whenever anything stored about the article changes."""
        payload = json.dumps(
            [self.title, self.text, self.published, self.source, self.url, list(self.authors)]
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:32]


@dataclass
class LoadResult:
    """Articles found under one root, and one warning line for every file or record skipped."""

    root: Path
    articles: list[Article] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    failed_files: set[str] = field(default_factory=set)


def parse_date(value: object) -> str | None:
    """An ISO date from 'YYYY-MM-DD...' or 'Month D, YYYY', or None."""
    if not isinstance(value, str):
        return None
    if m := _ISO_DATE.search(value):
        try:
            return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
        except ValueError:
            return None
    if m := _DATELINE.search(value):
        try:
            month = [n[:3] for n in _MONTHS].index(m[1][:3].lower()) + 1
            return date(int(m[3]), month, int(m[2])).isoformat()
        except ValueError:
            return None
    return None


def title_of(text: str) -> str:
    """The first non-empty line, without a leading date marker or markdown heading marks."""
    for line in text.splitlines():
        line = _DATE_MARKER.sub("", line).strip().lstrip("#").strip()
        if line:
            if len(line) > 200 and (m := re.search(r"[.!?](?=\s)", line[:300])):
                return line[: m.start() + 1]
            return line[:200]
    return ""


def published_of(text: str) -> str | None:
    """A 'date YYYY-MM-DD' marker anywhere near the top, or a dateline in the first lines."""
    head = text[:2000]
    if m := _DATE_MARKER.search(head):
        return parse_date(m[1])
    return parse_date("\n".join(head.splitlines()[:5]))


def decode(data: bytes, where: str) -> str:
    """UTF-8 text, or a one-line reason why this is not a text file."""
    if b"\x00" in data[:8192]:
        raise ValueError(f"{where}: binary file, skipped")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{where}: not valid UTF-8 (byte {exc.start}), skipped") from exc


def _from_plain(path: Path, article_id: str, text: str) -> Article:
    return Article(
        id=article_id,
        title=title_of(text),
        text=text,
        published=published_of(text),
        origin=str(path),
    )


def _from_html(path: Path, article_id: str, html: str) -> Article:
    from index.html import extract

    title, text, published = extract(html)
    return Article(
        id=article_id,
        title=title or title_of(text),
        text=text,
        published=published or published_of(text),
        origin=str(path),
    )


def _from_record(record: object, where: str, origin: str) -> Article:
    if not isinstance(record, dict):
        raise ValueError(f"{where}: expected a JSON object, skipped")
    for key in ("id", "text"):
        if not isinstance(record.get(key), str) or not record[key].strip():
            raise ValueError(f"{where}: field '{key}' missing or not a non-empty string, skipped")
    text = record["text"]
    authors = record.get("authors") or ()
    return Article(
        id=record["id"].strip(),
        title=(record.get("title") or "").strip() or title_of(text),
        text=text,
        published=parse_date(record.get("published")),
        source=record.get("source") or None,
        url=record.get("url") or None,
        authors=tuple(str(a) for a in authors) if isinstance(authors, list) else (),
        origin=origin,
    )


def _records(path: Path, text: str) -> Iterator[tuple[object, str]]:
    if path.suffix == ".jsonl":
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                yield json.loads(line), f"{path}:{n}"
            except json.JSONDecodeError as exc:
                yield ValueError(f"{path}:{n}: not valid JSON ({exc.msg}), skipped"), ""
        return
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        yield ValueError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg}), skipped"), ""
        return
    items = data if isinstance(data, list) else [data]
    for n, item in enumerate(items, start=1):
        yield item, f"{path} record {n}"


def load_file(path: Path, root: Path) -> tuple[list[Article], list[str]]:
    """The articles in one file, and warnings for what was skipped."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return [], [f"{path}: larger than {MAX_FILE_BYTES // 1_000_000} MB, skipped"]
        text = decode(path.read_bytes(), str(path))
    except OSError as exc:
        return [], [f"{path}: cannot be read ({exc.strerror or exc}), skipped"]
    except ValueError as exc:
        return [], [str(exc)]
    article_id = path.relative_to(root).with_suffix("").as_posix() if path != root else path.stem
    if not text.strip():
        return [], [f"{path}: empty file, skipped"]
    if path.suffix.lower() in JSON_SUFFIXES:
        articles, warnings = [], []
        for record, where in _records(path, text):
            if isinstance(record, ValueError):
                warnings.append(str(record))
                continue
            try:
                articles.append(_from_record(record, where, str(path)))
            except ValueError as exc:
                warnings.append(str(exc))
        return articles, warnings
    if path.suffix.lower() in HTML_SUFFIXES:
        article = _from_html(path, article_id, text)
        if not article.text.strip():
            return [], [f"{path}: no article text found in the HTML, skipped"]
        return [article], []
    return [_from_plain(path, article_id, text)], []


def _files(root: Path) -> Iterable[Path]:
    if root.is_file():
        yield root
        return
    for path in sorted(root.rglob("*")):
        hidden = any(part.startswith(".") for part in path.relative_to(root).parts)
        if path.is_file() and not hidden and path.suffix.lower() in SUFFIXES:
            yield path


def load(root: Path) -> LoadResult:
    """Every article under ``root`` (a folder or one file), de-duplicated by id."""
    root = root.resolve()
    result = LoadResult(root=root if root.is_dir() else root.parent)
    seen: dict[str, str] = {}
    for path in _files(root):
        articles, warnings = load_file(path, result.root)
        result.warnings.extend(warnings)
        if warnings and not articles:
            result.failed_files.add(str(path))
        for article in articles:
            if article.id in seen:
                result.warnings.append(
                    f"{path}: duplicate article id '{article.id}' (first in {seen[article.id]}),"
                    " skipped"
                )
                continue
            seen[article.id] = str(path)
            result.articles.append(article)
    return result
