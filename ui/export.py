r"""A conversation as a Markdown document to keep: each question, the scope it was asked in, its
answer with the ``[n]`` markers, then each numbered quote with its article's title, date, outlet
and id. Pure formatting, no Gradio.

Article text is untrusted and Markdown viewers render HTML and links, so every piece of it is
escaped to show verbatim (``md_line``) with as few backslashes as that takes, so that the file
still reads well as plain text.

    >>> print(md_line("<b>Bold</b> [link](javascript:x) costs $5"))
    \<b\>Bold\</b\> \[link\](javascript:x) costs \$5
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from qa import Answer, Citation
from ui.scope import Turn

FILE_NAME = "news-qa-chat.md"
TITLE = "# News QA: conversation"

# Characters that are markup wherever they stand (emphasis, code, links, images, HTML, entities,
# tables, strikethrough, maths, headings, quotes); the others only at the start of a line.
_INLINE = re.compile(r"([\\`*_\[\]<>!&|~$#])")
_LINE_START = re.compile(r"^(?:[-+=]|\d+[.)])")
_MARKERS = re.compile(r"\[\d+\](?:\[\d+\])*")
_LIST_ITEM = re.compile(r"^\s*[-*] (?=\S)")


def md_line(line: str) -> str:
    """One line of text that a Markdown renderer shows as it is, and never as markup."""
    return _start_escaped(_INLINE.sub(r"\\\1", line.strip()))


def _start_escaped(escaped: str) -> str:
    """A line whose start would open a list, a heading underline or a rule, escaped there."""
    if m := _LINE_START.match(escaped):
        return f"{escaped[: m.end() - 1]}\\{escaped[m.end() - 1 :]}"
    return escaped


def md_text(text: str) -> str:
    """Several lines, each shown as it is."""
    return "\n".join(md_line(line) for line in text.split("\n"))


def code_span(text: str) -> str:
    """``text`` as inline code, whatever backticks it holds."""
    flat = " ".join(text.split())
    fence = "`" * (max((len(run) for run in re.findall(r"`+", flat)), default=0) + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def _answer_line(line: str, markers: set[int]) -> str:
    """An answer's line: escaped, its "- " bullet kept, its citation markers left as they are."""
    prefix = ""
    if m := _LIST_ITEM.match(line):
        prefix, line = "- ", line[m.end() :]
    parts: list[str] = []
    last = 0
    for m in _MARKERS.finditer(line):
        if all(int(n) in markers for n in re.findall(r"\d+", m[0])):
            parts += [_INLINE.sub(r"\\\1", line[last : m.start()]), m[0]]
            last = m.end()
    parts.append(_INLINE.sub(r"\\\1", line[last:]))
    return prefix + _start_escaped("".join(parts).strip())


def quote_markdown(citation: Citation) -> str:
    """A numbered quote: its marker, article title, date, outlet and id, then the quote."""
    meta = " · ".join(
        [
            f"*{md_line(citation.title)}*" if citation.title.strip() else "untitled",
            md_line(citation.published or "date not stated"),
            md_line(citation.source or "outlet not stated"),
            f"article id {code_span(citation.article_id)}",
        ]
    )
    quote = "\n".join(f"> {md_line(line)}" for line in citation.quote.split("\n"))
    return f"**[{citation.marker}]** {meta}\n\n{quote}"


def answer_markdown(answer: Answer) -> str:
    """The answer's text (or refusal) and notes, then each of its quotes."""
    if answer.refused:
        body = f"*Not in the articles:* {md_text(answer.text)}"
    else:
        markers = {c.marker for c in answer.citations}
        body = "\n".join(_answer_line(line, markers) for line in answer.text.splitlines())
    notes = [f"*Note: {md_line(n)}*" for n in answer.notes]
    quotes = [quote_markdown(c) for c in answer.citations]
    return "\n\n".join([body, *notes, *quotes])


def conversation_markdown(turns: Sequence[Turn], titles: dict[str, str] | None = None) -> str:
    """The whole conversation, oldest first, as one Markdown document."""
    sections = [TITLE]
    if not turns:
        sections.append("*No question asked yet.*")
    for n, turn in enumerate(turns, start=1):
        sections.append(f"## {n}. {md_line(turn.answer.question)}")
        if not turn.scope.is_empty:
            sections.append(f"*Scope: {md_line(turn.scope.describe(titles))}*")
        sections.append(answer_markdown(turn.answer))
    return "\n\n".join(sections) + "\n"
