"""Main-text extraction from news HTML: the article body without navigation, share buttons,
"Link Copied!" toasts and the like. trafilatura does the extraction; what it returns is the text
we store (and cite) for the article.

The publication date comes from the page's metadata only: meta tags, JSON-LD, ``<time>``
elements and a canonical URL holding a date. trafilatura's own date is not used: its extensive
search reads the running text too, and dated an undated page 2023-01-01 for "began in 2023".
The loader falls back to a dateline at the start of the text (``articles.published_of``).
"""

from __future__ import annotations

import re
from copy import deepcopy
from typing import Any

_BOILERPLATE = re.compile(
    r"^\s*(link copied!?|copy link|share( this( article)?)?|share on \w+|tweet|email|print|"
    r"advertisement|related articles?|read more|sign up.*newsletter.*)\s*$",
    re.IGNORECASE,
)
# Where dates are metadata: htmldate reads these from the reduced page (see ``metadata_date``).
_DATE_ELEMENTS = (
    "//meta | //link[@rel='canonical'] | //script[@type='application/ld+json'] | //time"
    " | //abbr[@class='published' or @class='dtstart' or @itemprop='datePublished']"
)


def extract(html: str) -> tuple[str, str, str | None]:
    """(title, text, published ISO date or None) of an HTML page."""
    import trafilatura

    doc = trafilatura.bare_extraction(
        html, include_comments=False, include_tables=False, with_metadata=True,
        favor_precision=True,
        # its date is not used (see the module's docstring): keep its search short
        date_extraction_params={"extensive_search": False, "original_date": True},
    )  # fmt: skip
    if doc is None:
        return "", "", None
    data = doc if isinstance(doc, dict) else doc.as_dict()
    text = data.get("text") or ""
    lines = [line for line in text.splitlines() if not _BOILERPLATE.match(line)]
    return (data.get("title") or "").strip(), "\n".join(lines).strip(), metadata_date(html)


def metadata_date(html: str) -> str | None:
    """The publication date (ISO) the page's metadata gives, or None.

    htmldate reads a page reduced to its date-bearing elements (meta tags, JSON-LD, ``<time>``,
    the canonical link), without their text around them: given the whole page, even its fast
    mode takes a bare "2021-03-04" from a paragraph. ``original_date`` prefers the publication
    date to a later modification date."""
    from htmldate import find_date
    from lxml import html as lxml_html

    try:
        tree = lxml_html.document_fromstring(html)
    except (ValueError, lxml_html.etree.ParserError):
        return None
    head = lxml_html.Element("head")
    body = lxml_html.Element("body")
    for element in tree.xpath(_DATE_ELEMENTS):
        kept: Any = deepcopy(element)
        kept.tail = None
        (head if element.tag in ("meta", "link", "script") else body).append(kept)
    page = lxml_html.Element("html")
    page.extend([head, body])
    return find_date(page, extensive_search=False, original_date=True) or None
