"""Loading articles from files: txt, md, html, json and jsonl.

An article's text is kept exactly as loaded (after decoding and, for HTML, main-text extraction), so
that citations can show it whole and ``text[start:end]`` addresses it. Its id is its path relative to
the indexed root without extension, or its record id for json/jsonl. Files that cannot be read give a
warning naming the file (and line), never an exception: one bad file must not lose the others. A
folder that cannot be listed is a warning too, and is reported in ``failed_folders`` so that the
indexer keeps what it indexed from there (as it keeps an unreadable file's article).

Everything stored is UTF-8: a file name that is not (``b"bad\xff.txt"``, which Python hands over
as a lone surrogate) or a JSON string holding a lone surrogate (``"\udcff"``) is skipped with a
warning, since it could be neither hashed, stored nor printed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from index.boilerplate import is_boilerplate

TEXT_SUFFIXES = {".txt", ".md"}
HTML_SUFFIXES = {".html", ".htm"}
JSON_SUFFIXES = {".json", ".jsonl"}
SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES
MAX_FILE_BYTES = 50_000_000
# One article's text: a long news feature is ~50,000 characters; 2 M is a book, and takes ~50 s
# to embed on 2 cores (2,300 chunks). A 20 MB "article" (a dump, a log) would take ~8 minutes
# and answer nothing well: it is refused with a warning saying how to split it.
MAX_ARTICLE_CHARS = 2_000_000

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
_MONTH_DAY_YEAR = (
    r"\b(" + "|".join(m.capitalize() for m in _MONTHS) + r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct"
    r"|Nov|Dec)\.?\s+(\d{1,2}),?\s+(\d{4})\b"
)
_DATELINE = re.compile(_MONTH_DAY_YEAR)  # "January 19, 2022", "Jan. 19, 2022", "Sept. 5 2021"
# A line that starts with a date: what a dateline looks like, as against a date the story
# mentions ("On March 4, 2021 the council met"). Before the date may come the loader's marker
# ("date 2022-01-19"), "Published"/"Updated"/"Posted" and a little more ("Updated 10:30 AM EST,
# Wed January 19, 2022"), or a place of capitalised words and a comma ("KYIV, Jan. 19, 2022").
_LEADING_DATE = re.compile(
    r"\s*(?:(?i:date)[:\s]+|(?i:published|updated|posted)\b[^\n.]{0,40}?"
    r"|(?:[A-Z][\w.'’-]*\s+){0,3}[A-Z][\w.'’-]*,\s+)?"
    r"(?:\d{4}-\d{2}-\d{2}(?!\d)|" + _MONTH_DAY_YEAR + ")"
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
    failed_folders: set[str] = field(default_factory=set)  # could not be listed
    # JSONL files still being written (``load``'s ``growing``) whose last line was not finished:
    # left for a later run, without a warning
    open_tails: list[str] = field(default_factory=list)


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
    """The first non-empty line, without a leading date marker or markdown heading marks; a
    dateline or outlet line alone ("CNN —", "WASHINGTON (AP) —") and page furniture ("Sign up
    for our science newsletter.", "Editor's Note: ...") are passed over when another line
    follows. A line too long for a title gives its first sentence, or its first 200 characters
    cut at a word and marked "…"."""
    lines = [_DATE_MARKER.sub("", line).strip().lstrip("#").strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    prose = (x for x in lines if not _DATELINE_ONLY.fullmatch(x) and not is_boilerplate(x))
    line = next(prose, lines[0] if lines else "")  # the lines after it are never read
    if len(line) <= 200:
        return line
    if m := re.search(r"[.!?](?=\s)", line[:300]):
        return line[: m.start() + 1]
    return line[:200].rsplit(None, 1)[0].rstrip(",;:–—-") + "…"  # never ends mid-word


_DATELINE_ONLY = re.compile(r".{0,60}\s[—–-]")


def _string(value: object) -> str | None:
    return value if isinstance(value, str) else None


def outlet_of(url: str | None) -> str | None:
    """The web site an article's address names ("https://www.cnn.com/..." -> "cnn.com")."""
    if not url or not url.lower().startswith(("http://", "https://")):
        return None
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    return host or None


def published_of(text: str) -> str | None:
    """The date one of the first lines starts with (a dateline, or a 'date YYYY-MM-DD'
    marker), or None: never a date from the running text."""
    for line in text[:2000].splitlines()[:5]:
        if m := _LEADING_DATE.match(line):
            return parse_date(m[0])
    return None


def shown(path: Path | str) -> str:
    """A path as a warning shows it: bytes of the name that are not UTF-8 as ``\\xff``."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _storable(value: str) -> bool:
    """False for a string holding a lone surrogate: it cannot be encoded, hashed or stored."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_storable(article: Article, where: str) -> Article:
    if len(article.text) > MAX_ARTICLE_CHARS:
        raise ValueError(
            f"{where}: article '{article.id}' is {len(article.text) / 1e6:.1f} M characters; the"
            f" limit is {MAX_ARTICLE_CHARS / 1e6:g} M (a long news article is under 0.1 M):"
            " split it into articles, skipped"
        )
    fields = {"id": article.id, "title": article.title, "text": article.text,
              "source": article.source or "", "url": article.url or "",
              "authors": "".join(article.authors)}  # fmt: skip
    for name, value in fields.items():
        if not _storable(value):
            raise ValueError(
                f"{where}: field '{name}' holds a lone surrogate (a character that is not valid"
                " Unicode, such as \\udcff), skipped"
            )
    return article


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
    article = Article(
        id=record["id"].strip(),
        title=(record.get("title") or "").strip() or title_of(text),
        text=text,
        published=parse_date(record.get("published")),
        source=record.get("source") or outlet_of(_string(record.get("url")) or record["id"]),
        url=record.get("url") or None,
        authors=tuple(str(a) for a in authors) if isinstance(authors, list) else (),
        origin=origin,
    )
    return _check_storable(article, where)


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


def _finished_lines(data: bytes) -> tuple[bytes, bool]:
    """A JSONL file being written, up to its last finished line, and whether something was
    left out: a last line with no newline yet that is not valid JSON (the writer is between two
    writes; a record cut short is never valid JSON) or, in an empty file, nothing yet."""
    if not data.strip():
        return data, True
    if data.endswith((b"\n", b"\r")):
        return data, False
    cut = max(data.rfind(b"\n"), data.rfind(b"\r")) + 1
    try:
        json.loads(data[cut:])
    except ValueError:  # not valid JSON, or not valid UTF-8 (a character cut in two)
        return data[:cut], True
    return data, False


def load_file(
    path: Path, root: Path, open_tails: list[str] | None = None
) -> tuple[list[Article], list[str]]:
    """The articles in one file, and warnings for what was skipped. With ``open_tails``, the
    file may still be being written (``qa index --watch``): a JSONL file's unfinished last line
    is left out without a warning, and the file is added to ``open_tails``."""
    if not _storable(str(path)):
        return [], [f"{shown(path)}: file name is not valid UTF-8 (rename it), skipped"]
    unfinished = False
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return [], [f"{path}: larger than {MAX_FILE_BYTES // 1_000_000} MB, skipped"]
        data = path.read_bytes()
        if open_tails is not None and path.suffix == ".jsonl":
            data, unfinished = _finished_lines(data)
            if unfinished:
                open_tails.append(str(path))
        text = decode(data, str(path))
    except OSError as exc:
        return [], [f"{path}: cannot be read ({exc.strerror or exc}), skipped"]
    except ValueError as exc:
        return [], [str(exc)]
    article_id = path.relative_to(root).with_suffix("").as_posix() if path != root else path.stem
    if not text.strip():
        return [], [] if unfinished else [f"{path}: empty file, skipped"]
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
    else:
        article = _from_plain(path, article_id, text)
    try:
        return [_check_storable(article, str(path))], []
    except ValueError as exc:
        return [], [str(exc)]


def _files(root: Path) -> tuple[list[Path], list[OSError]]:
    """The article files under ``root`` (hidden files and folders left out), and an error for
    every folder that could not be listed: ``rglob`` would pass over those in silence, and
    their articles would look deleted."""
    if root.is_file():
        return [root], []
    files: list[Path] = []
    failed: list[OSError] = []
    for folder, subfolders, names in os.walk(root, onerror=failed.append):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        for name in names:
            path = Path(folder, name)
            if not name.startswith(".") and path.suffix.lower() in SUFFIXES and path.is_file():
                files.append(path)
    return sorted(files), failed


def article_files(root: Path) -> list[Path]:
    """The files ``load(root)`` reads, by the same rules (what a watcher compares)."""
    return _files(root.resolve())[0]


def load(root: Path, growing: Collection[str] = ()) -> LoadResult:
    """Every article under ``root`` (a folder or one file), de-duplicated by id. ``growing``:
    paths of files that may still be being written (see ``load_file``'s ``open_tails``)."""
    root = root.resolve()
    result = LoadResult(root=root if root.is_dir() else root.parent)
    files, failed = _files(root)
    for exc in failed:
        folder = exc.filename if exc.filename is not None else root
        result.failed_folders.add(str(folder))
        result.warnings.append(
            f"{shown(folder)}: folder cannot be read ({exc.strerror or exc}); the articles"
            " indexed from it are kept"
        )
    if not files and not failed and root.is_dir():
        result.warnings.append(
            f"{shown(root)}: no .txt, .md, .html, .htm, .json or .jsonl file in it (hidden ones"
            " are skipped), nothing to index"
        )
    seen: dict[str, str] = {}
    for path in files:
        tails = result.open_tails if str(path) in growing else None
        articles, warnings = load_file(path, result.root, tails)
        result.warnings.extend(warnings)
        if (warnings and not articles) or str(path) in result.open_tails:
            result.failed_files.add(str(path))  # not read whole: what came from it is kept
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
