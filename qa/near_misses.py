"""Ways a quoted answer can be a near miss: on the question's topic, but about another edition
of the event (``other_year``), another event (``other_event``), another one of the things the
question numbers (``other_ordinal``), without the name the question asks for
(``unnamed_thing``), or only looking ahead to what the question asks was done
(``only_anticipated``). Each gives a one-line reason, and the answer is then a refusal."""

from __future__ import annotations

import calendar
import re

from qa.constraints import pinned, years
from qa.entities import prefix_match
from qa.evidence import Sentence
from qa.inflection import ordinal_word, ordinals, singular
from qa.question import asked_deeds, asked_event, asks_about_the_past, named_thing, only_looks_ahead
from qa.text import terms


def near_miss(question: str, chosen: list[Sentence]) -> str | None:
    """Why the sentences ``chosen`` to answer ``question`` miss it (the first of the checks
    below that finds a reason), or None."""
    return (
        other_ordinal(question, chosen) or other_year(question, chosen)
        or other_event(question, chosen)
        or unnamed_thing(question, chosen)
        or only_anticipated(question, chosen)
    )  # fmt: skip


_MODAL = re.compile(r"\b(?:to|will|would|could|may|might|can|shall)\s+$", re.I)


def only_anticipated(question: str, chosen: list[Sentence]) -> str | None:
    """For a question about something done ("Who won the title?", "What was agreed during the
    call?"): a reason to refuse when the answering sentence (the first quoted, with the one it
    follows when that was quoted before it: ``with_antecedent``) only looks ahead to it
    (``only_looks_ahead``: "... is arguably the favourite to win the title", "Macron and Putin
    are due to speak"). A preview answers what was expected, not what happened. A sentence that
    names the asked act as a thing, not after "to" or a modal ("TikTok's political fundraising
    ban ... will kick in" for "Which platform banned political fundraising?"), says it was done.
    Measured on the news suite: refusal recall 0.733 -> 0.756 (a Wimbledon preview), no answer
    lost; seeds: refusal recall 0.765 -> 0.824; eval/probe_seeds.jsonl gains one refusal."""
    if not chosen or not asks_about_the_past(question):
        return None
    lead = _lead(chosen)
    deeds = asked_deeds(question)

    def names_deed(text: str) -> bool:
        return any(
            not _MODAL.search(text[: m.start()])
            for d in deeds for m in re.finditer(rf"\b{re.escape(d)}\w*", text, re.I)
        )  # fmt: skip

    if all(only_looks_ahead(s.text) and not names_deed(s.text) for s in lead):
        return "the answering sentence only looks ahead to what the question asks was done"
    return None


def _lead(chosen: list[Sentence]) -> list[Sentence]:
    """The answering sentence: the first quoted, with the one it follows when that was quoted
    before it (``with_antecedent``)."""
    return chosen[:2] if len(chosen) > 1 and chosen[1].antecedent is chosen[0] else chosen[:1]


def other_year(question: str, chosen: list[Sentence]) -> str | None:
    """For a question that pins a year ("Which city hosted the 2021 summit?"): a reason to
    refuse when the answering sentence (``_lead``) dates what it says by other years only ("...
    pose for a photo at the summit in Qingdao on June 10, 2018"): it tells of another edition.
    None when the question pins no year, or the sentence names one of its years, or none, or
    its article was published in one of them: a report of that year gives earlier years as
    background ("... their first title since 2001", in a report of the 2022 final)."""
    asked = {figure for figure in pinned(question) if years(figure)}
    lead = _lead(chosen)
    given = {y for s in lead for y in years(s.text)} if asked else set()
    published = {(s.passage.published or "")[:4] for s in lead}
    if given and not asked & given and not asked & published:
        told, of = ", ".join(sorted(given)), ", ".join(sorted(asked))
        return f"the answering sentence tells of {told}, the question of {of}"
    return None


def other_event(question: str, chosen: list[Sentence]) -> str | None:
    """For a question asking where or when an event took place ("Where was the singer's
    memorial service held?"): a reason to refuse when neither the answering sentence (``_lead``)
    nor the sentences next to it mention any word naming that event (``asked_event``), or a near
    form of it (``prefix_match``: "vote" is mentioned by "voters"). A sentence on the singer's death
    "at her ranch" places another event. None for other questions."""
    event = asked_event(question)
    stems = [t for word in event for t in terms(word)]
    read = set(terms(" ".join(f"{s.text} {s.around}" for s in _lead(chosen)))) if stems else set()
    if not stems or any(stem in read or prefix_match(stem, read) for stem in stems):
        return None
    return f"the answering sentences never mention the {' '.join(event)} the question asks about"


def other_ordinal(question: str, chosen: list[Sentence]) -> str | None:
    """Why the answer is about another one of the things the question numbers: it speaks of
    "the first episode" and never of "the second episode" that was asked about. None when the
    question numbers nothing, or the answer speaks of the same one or of none by number."""
    asked = ordinals(question)
    given = {pair for s in chosen for pair in ordinals(s.text)} if asked else set()
    for n, noun in sorted(asked):
        others = sorted(m for m, thing in given if thing == noun and m != n)
        if others and (n, noun) not in given:
            said = ordinal_word(others[0])
            return (
                f"the evidence speaks of the {said} {noun}, the question of the {ordinal_word(n)}"
            )
    return None


# A name as a sentence gives it: a capitalised run ("Allied Resolve", "Zuckerberg San Francisco
# General Hospital", "BA.5") or a quoted title that starts like one ("“Midnights”").
_A_NAME = re.compile(
    r"[\"“‘'][A-Z\d][^\"”’']{0,60}[\"”’']|(?:[A-Z][\w.'’-]*|\d[\w.-]*[A-Za-z][\w.-]*)"
    r"(?:\s+(?:of\s+|the\s+|de\s+)?[A-Z\d][\w.'’-]*)*"
)
_CALENDAR = frozenset(
    t
    for w in (*calendar.day_name, *calendar.month_name, *calendar.month_abbr)
    if w
    for t in terms(w)
)
_CALLED = re.compile(r"\b(?:called|named|dubbed|titled|known as)\s+(?=[\"“‘']?[A-Z\d])", re.I)


def unnamed_thing(question: str, chosen: list[Sentence]) -> str | None:
    """Why the answer does not give the name a question asks for ("What is the name of the
    training exercise ...?"): no quoted sentence names the thing (a name or a title within five
    words of the word for it, "the Allied Resolve exercise", "her new album, “Midnights,”", or
    after "called"), and "for a joint training exercise" only says it exists. None when the question
    asks for no name or an answer gives one."""
    thing = named_thing(question)
    if thing is None:
        return None
    asked = set(terms(question))
    word = re.compile(rf"\b{re.escape(singular(thing))}(?:s|es)?\b", re.I)

    def new_name(text: str) -> bool:  # not the question's own, not a day or a month
        return any(
            (found := set(terms(m.group())) - _CALENDAR) and not found <= asked
            for m in _A_NAME.finditer(text)
        )

    for s in chosen:
        tokens = [m.span() for m in re.finditer(r"\S+", s.text)]
        for i, (a, b) in enumerate(tokens):
            if word.match(s.text, a, b):  # "album", "albums," (its punctuation is no word)
                lo, hi = tokens[max(0, i - 5)][0], tokens[min(len(tokens), i + 6) - 1][1]
                if new_name(s.text[lo:hi]):
                    return None
        for m in _CALLED.finditer(s.text):
            if new_name(s.text[m.end() : m.end() + 80].split(",")[0]):
                return None
    return f"the evidence never gives the {thing}'s name"
