"""Is a "sentence" of a scraped news page prose, or page furniture?

Scraped articles keep link lists, bylines, time stamps, photo credits and captions, calls to
action, ad widgets and notes to the reader. Such a line must never be quoted as an answer. The rules
are about the shape of the text, plus phrases every news site uses; none is about one article. A
flagged real sentence makes its question unanswerable, so every rule leans towards keeping prose:
a line of capitalised names with no verb is often an answer ("Winner: Jane Doe, 'The Film'").

>>> is_boilerplate("Sign up for our weekly newsletter.")
True
>>> is_boilerplate("WASHINGTON (Reuters) - The Pentagon said on Friday it would send more troops.")
False
"""

from __future__ import annotations

import re

# Lowercase phrases found only in page furniture (plain substring tests: much faster than a regex).
_PHRASES = (
    "how relevant is this ad", "video player was slow to load", "story continues below",
    "(opens in new tab)", "click here", "click the link", "replay more videos", "link copied", "©",
    "all rights reserved", "may not be published, broadcast", "hide caption", "toggle caption",
    "image caption", "media caption", "contributed to this report", "contributed to this story",
    "contributed to this article", "earlier version of this", "earlier version of the following",
    "previous version of this", "previous version of the following", "prior version of this",
    "this story has been updated", "this article has been updated", "this story was updated",
    "this story was originally published", "version of this story", "version of this article",
    "this story originally appeared", "this article originally appeared",
    "opinions expressed in this", "may earn a commission", "affiliate link", "affiliate commission",
)  # fmt: skip
_PHRASE = re.compile(r"\bad feedback\b|\bcopyright \d{4}|\b(?:staff|wire) reports$", re.I)
# A reporter's address ("She can be reached at jdoe@example.com"), not a tip line in a story.
_EMAIL = re.compile(r"^\S+@\S+$|\b(?:him|her|them|reached)\b.*\w@\w[\w.-]*\.(?:com|org|net)\b")
# Lines that open as a label, a call to action, a credit line or a correction note.
_OPENER = re.compile(
    r"^\W*(?:(?:related(?: \w+)?|read more|more|more from [^:]{1,40}|see (?:also|more)|previously|"
    r"learn more|(?:must )?watch(?: now| live)?|listen|photos?|videos?|archives|trending(?: now)?|"
    r"recommended|top stories|up next|image|credit|photo credit|contributing|contributors?|"
    r"correction|editor['’]s note|[\w ]{0,30}newsletter)\s*:|(?:advertisement|sponsored(?: content)?|skip ad)\W*$|"
    r"must watch\b|just watched\b|sign up\b|subscribe\b|share (?:this|on)\b|copy link\b|"
    r"read the full (?:story|article)\b|courtesy(?: \S+){1,6}$|"
    r"(?:\(?(?:additional )?reporting|editing|writing|story|photos?) by\b|"
    r"get (?:the |an? )?[^.]{1,80}? (?:at|from) [A-Z][^.]{0,30}\$\d|"
    r"(?:follow|email|contact|reach|connect with|find) \S.{0,80}?"
    r"(?:@\w|\b(?:twitter|facebook|instagram|bluesky|linkedin|tiktok|threads)\b)|"
    r"(?:[a-z]+:\s*)?(?:an?|this)\b.{0,60}?\b(?:version|caption|headline|story|article|report)\b"
    r".{0,120}?\b(?:misidentified|misstated|mischaracterized|misspelled)\b)",
    re.IGNORECASE,
)
# A photo credit: "Jane Doe/Reuters", "(Maxar Technologies/Reuters)", "(Photo by Jo Roe/AFP)".
_CREDIT = re.compile(
    r"\S/(?:[^/\s][^/]{0,40}/)*(?:(?i:getty ima\w+)|Reuters|AP|AFP|EPA(?:-EFE)?|Shutterstock|"
    r"Pool|Redux|Bloomberg|WireImage|NurPhoto|Sipa|Abaca|Imagn|Zuma|ZUMA|Alamy|Handout|"
    r"Associated Press|USA T(?:ODAY|oday)|(?:[A-Z][\w-]* )*(?:Images|Agency|Photos?|Archives?))\b"
    r"(?: (?:via|for) [A-Z][\w ]*?)?(?i:/file)?"
    # where a credit sits: at the end, in parentheses or before its caption; not "Ipsos/AP poll"
    r"(?=\)|$|\s+[A-Z\d\"“‘'])(?![\w ]{0,20}\b(?:[Pp]oll|[Ss]urvey)\b)|"
    r"\((?i:(?:ap |afp )?photo|image|credit|courtesy|photograph)\b[^()]*\)"
)
# Whole lines: a byline ("Analysis from CNN's Jo Roe") or sign-off, a dateline alone, a staff
# title, a bare web address.
_WHOLE_LINE = re.compile(
    r"(?:By |[—–-] ?|(?:Analysis|Commentary|Opinion|Perspective) (?:by|from) )"
    r"(?:[A-Z][\w.'’-]*|and|of|the|for|&|,|\s)+[:.]?|"
    r"(?:[A-Z(][\w.,'’()]*\s*){1,6}[—–]|"
    r"(?:[A-Z][\w.'’-]* ){0,5}(?:Writer|Correspondent|Reporter|Editor|Columnist)s?|"
    r"Special (?:to|for) (?:[A-Z][\w.'’-]* ?){1,5}|(?:https?://|www\.)\S+"
)
# Link text run into the next link: "Jane DoeJane DoeCity council votes ...".
_REPEATED_NAME = re.compile(r"([A-Z][a-z]+(?: [A-Z][\w.'’-]+){1,4}|[A-Z][a-z]{4,})\1")
_VIDEO_LENGTH = re.compile(r"(?:^|\s)\d{1,2}:\d{2}$")  # "Watch the storm roll in 02:43"
_SEPARATOR = re.compile(r"\s[|•·]\s")
# A link's headline glued to its label ("More:How ...") or after an arrow ("► Label: ...").
_LABELLED_LINK = re.compile(
    r"^(?:[►▶]\s*[^:.!?]{1,40}:\s*|"  # "► Label: headline"
    r"[^\W\d][^:]{0,50}(?<!\d):(?=[A-Z\d\"“‘']))"  # "Label:Headline", no space after the colon
)
_FULL_STOP = re.compile(r"[.!?…][\"”’')\]]*$")
_CONTENT_WORD = re.compile(r"\b(?!(?:an?|and|as|at|by|for|from|in|of|on|or|the|to|with)\b)[a-z]")
_STAMP_WORD = re.compile(
    r"(?:updated|published|posted|last|modified|on|at|et|est|edt|ct|cst|cdt|pt|pst|pdt|gmt|utc|"
    r"a\.?m\.?|p\.?m\.?|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?|"
    r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?|\d{1,4}(?::\d\d)?(?:am|pm)?)",
    re.IGNORECASE,
)
_STAMP_SIGN = re.compile(r"\d:\d\d|updated|published|posted", re.IGNORECASE)
_STAMP_SPLIT = re.compile(r"[\s,|•]+")


def is_boilerplate(sentence: str) -> bool:
    """True when ``sentence`` is page furniture rather than prose of the story.

    >>> is_boilerplate("Updated 10:42 AM ET, Tue June 14, 2022"), is_boilerplate("(Jo Roe/AP)")
    (True, True)
    """
    s = sentence.strip()
    if not s:
        return True
    low = s.lower()
    return bool(
        any(p in low for p in _PHRASES)
        or _PHRASE.search(s)
        or ("@" in s and _EMAIL.search(s))
        or _OPENER.match(s)
        or (("/" in s or "(" in s) and _CREDIT.search(s))
        or _WHOLE_LINE.fullmatch(s)
        or _REPEATED_NAME.search(s)
        or _VIDEO_LENGTH.search(s)
        or _is_link_list(s)
        or _is_timestamp(s)
    )


def _is_link_list(s: str) -> bool:
    """Headlines joined by separators, or one headline after a label, with no full stop."""
    parts = _SEPARATOR.split(s)
    # a schedule or a table row ("Game 1 | 8 p.m. | ABC") has figures in most of its cells
    if len(parts) >= 3 and 3 * sum(any(c.isdigit() for c in p) for p in parts) < len(parts):
        return True
    link = _LABELLED_LINK.match(s)
    if not link or _FULL_STOP.search(s):  # a headline may end in a quote: "... 'Spider-Man'"
        return False
    rest = s[link.end() :]
    return len(rest.split()) >= 4 and bool(_CONTENT_WORD.search(rest))


def _is_timestamp(s: str) -> bool:
    """Only dates, times and "Updated"/"Published": a page's time stamp, not a sentence."""
    if not s[0].isalnum() or len(s) > 80:
        return False
    words = _STAMP_SPLIT.split(s)
    return all(_STAMP_WORD.fullmatch(w) for w in words if w) and bool(_STAMP_SIGN.search(s))
