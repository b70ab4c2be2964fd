"""Main-text extraction from news HTML: the article body without navigation, share buttons,
"Link Copied!" toasts and the like. trafilatura does the extraction; what it returns is the text
we store (and cite) for the article."""

from __future__ import annotations

import re

_BOILERPLATE = re.compile(
    r"^\s*(link copied!?|copy link|share( this( article)?)?|share on \w+|tweet|email|print|"
    r"advertisement|related articles?|read more|sign up.*newsletter.*)\s*$",
    re.IGNORECASE,
)


def extract(html: str) -> tuple[str, str, str | None]:
    """(title, text, published ISO date or None) of an HTML page."""
    import trafilatura

    doc = trafilatura.bare_extraction(
        html, include_comments=False, include_tables=False, with_metadata=True, favor_precision=True
    )
    if doc is None:
        return "", "", None
    data = doc if isinstance(doc, dict) else doc.as_dict()
    text = data.get("text") or ""
    lines = [line for line in text.splitlines() if not _BOILERPLATE.match(line)]
    date = data.get("date")
    return (data.get("title") or "").strip(), "\n".join(lines).strip(), date or None
