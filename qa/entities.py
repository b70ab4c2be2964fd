"""The things of each answer type a sentence holds: figures ("12,000 books"), dates ("March 3"),
people's names ("Anna Berg"), places and organisations, and the lone names given as the source
of a statement; with the spelling and word-form matching that comparing them needs.

Only general rules of English and of news prose live here: no list of countries, organisations or
counted things. What a question expects of them (the counted noun of "how many books", the role
of "who is the finance minister", the grain of "in what year") is ``qa.expectation``; which of
two sentences answers better is the cross-encoder's call (``qa.relevance.rerank``), not a
table's."""

from __future__ import annotations

import re
from collections.abc import Callable
from collections.abc import Set as AbstractSet

from qa.dates import A_YEAR, MONTH, NTH, WEEKDAY
from qa.question import AnswerType

# a figure, in digits or in words ("52,000", "12 million", "dozens", "doubled")
NUMBER = re.compile(
    r"\b\d[\d,.]*\b(?:\s*(?:thousand|million|billion|percent|%))?"
    r"|\b\d+-fold\b|\b(?:zero|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
    r"forty|fifty|hundred|dozen|dozens|hundreds|thousands|millions|twice|half|"
    r"(?:doubl|tripl|quadrupl|halv)(?:e|ed|es|ing))\b",
    re.I,
)
_DATE = re.compile(
    rf"\b(?:{WEEKDAY}|today|yesterday|tonight|tomorrow|(?:last|this|next) (?:week|month|year)|"
    rf"(?:early|mid|late)[- ]{MONTH}|end of {MONTH}|{MONTH}(?:\s+\d{{1,2}}{NTH}\b)?|"
    rf"{A_YEAR}(?:-\d\d-\d\d)?)",
    re.I,
)
# a capitalised word, with the capitals inside some surnames ("DeSantis", "McGwire")
_CAPITALISED = r"[A-Z][a-z'’-]+(?:[A-Z][a-z'’-]+)*"
_NAME = re.compile(
    rf"\b{_CAPITALISED}(?:\s+[A-Z]\.)?(?:\s+(?:von der |de |van )?{_CAPITALISED})+\b"
)
# "said Okafor-Hale", "Lindqvist said": a lone surname next to a speech verb is a person
_SPEAKER = re.compile(
    r"\b(?:said|says|told|added|noted)\s+([A-Z][a-z'’]+(?:-[A-Z][a-z'’]+)?)\b"
    r"|\b([A-Z][a-z'’]+(?:-[A-Z][a-z'’]+)?),?\s+(?:said|says|told|added|noted)\b"
)
_NOT_PEOPLE = {
    "he", "she", "it", "they", "we", "i", "this", "that", "officials", "monday", "tuesday",
    "wednesday", "thursday", "friday", "saturday", "sunday", "today",
}  # fmt: skip
_TITLE_WORDS = re.compile(
    r"\b(?:president|minister|secretary|spokes(?:man|woman|person)|gen\.|general|chairman|"
    r"chancellor|official|ambassador|leader|senator|rep\.)\b",
    re.I,
)
# A place as a sentence gives it: a capitalised name after a preposition, past a word that only
# says which part of it ("in downtown Kabul", "in rural Buchanan County", "in southwestern
# Virginia").
_PLACE = re.compile(
    r"\b(?:in|at|near|from|to|into|across|along|toward|towards|inside|outside)\s+(?:the\s+)?"
    r"(?:(?:downtown|central|(?:north|south)(?:east|west)?(?:ern)?|(?:east|west)(?:ern)?|rural"
    r"|suburban|coastal|nearby)\s+)?"
    r"([A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*)"
)
_ORG = re.compile(
    r"\b(?:[A-Z]{2,}|[A-Z][a-z]+ (?:Ministry|Department|Council|Agency|Service|Forces|Union))\b"
    # multi-word names: "Times of Israel", "Maxar Technologies", "Center for Strategic and ..."
    r"|\b[A-Z][\w&’'-]+(?:\s+(?:of|for|and|on|the)?\s*[A-Z][\w&’'-]+)+"
)
# "Janes said", "according to Janes": a lone name as the source of a statement
_SOURCE = re.compile(
    r"\b([A-Z][\w&'’-]+),?\s+(?:said|says|reported|reports|estimated|assessed|noted)\b"
    r"|\baccording to ([A-Z][\w&'’-]+)\b"
)
_NOT_SOURCES = _NOT_PEOPLE


def entities(text: str, kind: AnswerType) -> set[str]:
    """The spans in ``text`` that could answer a question of ``kind``, lower-cased."""
    if kind is AnswerType.NUMBER:
        found = [m.group(0) for m in NUMBER.finditer(text)]
    elif kind is AnswerType.DATE:
        found = [m.group(0) for m in _DATE.finditer(text)]
    elif kind is AnswerType.PERSON:
        found = list(names(text))
        found += [m.group(0) for m in _TITLE_WORDS.finditer(text)] if not found else []
    elif kind is AnswerType.PLACE:  # not a surname of the sentence ("a source close to Diaz")
        surnames = {run.split()[-1] for run in name_runs(text) if len(run.split()) > 1}
        found = [m.group(1) for m in _PLACE.finditer(text) if m.group(1) not in surnames]
    elif kind is AnswerType.ORGANISATION:
        found = [m.group(0) for m in _ORG.finditer(text)]
    else:
        return set()
    return {_THE.sub("", f.lower().strip(" .,")) for f in found}


def sources(text: str) -> set[str]:
    """Lone names given as the source of a statement ("Janes said", "according to Janes"): a
    person or an organisation, so they answer "which agency" only where the sentence beside
    them refers to one ("..., the agency said.")."""
    found = {m[1] or m[2] for m in _SOURCE.finditer(text)}
    return {f.lower() for f in found if f.lower() not in _NOT_SOURCES}


_THE = re.compile(r"^the\s+")  # "The Defense Ministry" opening a sentence is "defense ministry"


def names(text: str) -> set[str]:
    """People's names in ``text`` (full names, and lone surnames next to a speech verb)."""
    found = [m.group(0) for m in _NAME.finditer(text)]
    found += [
        name for m in _SPEAKER.finditer(text)
        if (name := m[1] or m[2]).lower() not in _NOT_PEOPLE
    ]  # fmt: skip
    return {f.lower().strip(" .,") for f in found}


_POSSESSIVE = re.compile(r"['’]s\b\s*")


def name_runs(text: str) -> list[str]:
    """The capitalised runs of ``text`` (``names``' full names), each split after a possessive,
    which ends its owner's name ("Norland’s Data Safety Office": "Norland", "Data Safety
    Office"; "the Harbor Sharks' loss": "Harbor Sharks")."""
    return [
        part.strip(" .,")
        for m in _NAME.finditer(text)
        for part in _POSSESSIVE.split(m.group(0))
        if part.strip(" .,")
    ]


def title_case(text: str) -> bool:
    """Whether ``text`` is written in title case, as headlines are ("Mayor Says Port Will Reopen
    Friday"): its capitals then mark no names."""
    words = re.findall(r"[A-Za-z][\w'’-]*", text)
    return len(words) >= 4 and sum(w[0].isupper() for w in words) >= 0.8 * len(words)


def people(text: str, is_person: Callable[[str], bool]) -> set[str]:
    """The names in ``text`` that name people: each capitalised run of two words or more
    (``name_runs``) that ``is_person`` reads as a person's name, not a place's, a team's or an
    office's ("Pine Valley", "Harbor Sharks", "Data Safety Office"), and a lone surname
    next to a speech verb ("Okafor said"; not the end of a run: "the Harbor Sharks said"). A
    headline in title case names no one by its capitals ("Mayor Says Port Will Reopen")."""
    candidates = [] if title_case(text) else name_runs(text)
    found = {run for run in candidates if len(run.split()) > 1 and is_person(run)}
    runs = [(m.start(), m.end()) for m in _NAME.finditer(text)]
    for m in _SPEAKER.finditer(text):
        group = 1 if m[1] else 2
        name, at = m[group], m.start(group)
        if name.lower() not in _NOT_PEOPLE and not any(s <= at < e for s, e in runs):
            found.add(name)
    return {f.lower() for f in found}


_SPELLINGS = [
    (re.compile(r"our(?=s?$)"), "or"),  # labour, labor
    (re.compile(r"ence(?=s?$)"), "ense"),  # defence, defense
    (re.compile(r"is(?=(?:e|es|ed|ing|ation|ations)$)"), "iz"),  # organisation, organization
    (re.compile(r"tre(?=s?$)"), "ter"),  # centre, center
    (re.compile(r"ogue(?=s?$)"), "og"),  # catalogue, catalog
]


def spelling(word: str) -> str:
    """``word`` lower-cased, with British and American spellings made one ("Defence" and
    "defense": "defense"). Applied to both sides of a comparison: a word it changes that has no
    other spelling ("evidence") still equals itself."""
    word = word.lower()
    for pattern, american in _SPELLINGS:
        word = pattern.sub(american, word)
    return word


def prefix_match(term: str, have: AbstractSet[str]) -> bool:
    """A near form: "chile"/"chilean", "invas"/"invad", "agre"/"agreement" (the stemmer
    leaves derivations apart)."""
    if len(term) < 4 or not term.isalpha():
        return False
    head = term[:4]
    for h in have:
        if not h.startswith(head):  # fewer than 4 letters in common
            continue
        n = 0
        for a, b in zip(term, h, strict=False):
            if a != b:
                break
            n += 1
        if n >= 4 and n >= 0.75 * min(len(term), len(h)):
            return True
    return False
