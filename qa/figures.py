"""Figures in sentences and what they count ("more than 52,000 homes": 52000, "home"), whether
two figures count the same thing, and the figures articles disagree on: when the evidence for a
number question gives different figures of the same quantity, the answer lists each with its
article instead of picking one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from qa.evidence import Sentence
from qa.expectation import Alike
from qa.inflection import singular
from qa.question import AnswerType, asked_deeds, names_act

MAGNITUDE = 4.0  # comparable figures are within this factor of each other


@dataclass(frozen=True)
class Listing:
    """Which figures a disagreement lists, by shares of the best sentence's cheap score and by
    the cross-encoder (``Settings`` fields ``disagreement_*``, each described there with how it
    was calibrated)."""

    pool: float = 0.7  # sentences this near the best are read for figures
    listed: float = 0.6  # ... and listed, when they give a comparable figure
    sentences: int = 6  # at most this many sentences in the list
    magnitude: float = MAGNITUDE  # comparable figures are within this factor of each other
    # disagreeing figures are listed only from sentences the cross-encoder reads within this
    # many logits of the best sentence it read: a like figure read far below answers another
    # question
    relevance: float = 3.0
    # a figure reported more than this many days before the latest report of it is
    # superseded, not a disagreement (0: off)
    update_days: int = 7


_FIGURE = re.compile(
    r"\b(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(\s*(?:thousand|million))?\b(?=((?:\s+[\w-]+){0,4}))",
    re.I,
)
# "How many troops did the defense minister say ..." asks for one source's figure;
# "Does X's estimate match Y's?" and "Do the reports agree?" ask for a comparison.
ATTRIBUTED = re.compile(
    r"\baccording to\b|\b(?:did|does|do|has|have|had)\b(?:\s+[\w'’.,-]+){1,14}?\s+"
    r"(?:say|said|claim|claimed|report|reported|estimate|estimated|put|cite|cited)\b",
    re.I,
)
COMPARE = re.compile(
    r"\b(?:match(?:es)?|differ|differs|compare|compares|same as|consistent|disagree|disagrees)\b"
    r"|\bagrees?\b(?=\s*(?:[?.,;!]|$|with\b))",  # "do they agree?", not "agree to pay"
    re.I,
)


def figures(text: str) -> dict[int, str]:
    """The figures in a sentence, 52,000 and '52 thousand' alike (years left out), each with
    what it counts: the first lower-case word after it, after the capitalised words that say
    whose ("120,000 Chilean voters": "chilean voter"; "1,400 casualties": "casualty")."""
    out: dict[int, str] = {}
    for m in _FIGURE.finditer(text):
        value = float(m[1].replace(",", ""))
        scale = (m[2] or "").strip().lower()
        value *= {"thousand": 1e3, "million": 1e6}.get(scale, 1)
        if 1900 <= value <= 2100 and not scale and "," not in m[1]:
            continue
        out[int(value)] = counted(m[3] or "")
    return out


def counted(phrase: str) -> str:
    """ "Chilean voters in" -> "chilean voter": the head noun, after its proper adjectives."""
    words = re.findall(r"[A-Za-z][\w'’-]*", phrase)
    whose: list[str] = []
    for word in words:
        if not word[:1].isupper():
            return " ".join([*whose, singular(word)])
        whose.append(word.lower().removesuffix("'s").removesuffix("’s"))
    return ""


def asked_quantity(question: str) -> str:
    """What "how many ..." / "the number of ..." counts, in ``counted``'s form ("peruvian voter")."""
    m = re.search(
        r"\b(?:how many|number of|figures? (?:for|of))\s+((?:[\w'’-]+\s*){1,4})", question, re.I
    )
    return counted(m[1]) if m else ""


def same_noun(a: str, b: str) -> bool:
    return a == b


def same_quantity(unit: str, value: int, anchor: dict[int, str], alike: Alike = same_noun,
                  magnitude: float = MAGNITUDE) -> bool:  # fmt: skip
    """Whether a figure counts what the anchor figures count: a noun ``alike`` says is the same
    kind of thing ("soldiers" and "troops") of the same owner when both name one ("Chilean"
    voters are not "Peruvian" ones), and the same order of magnitude, within a factor of
    ``magnitude`` (800 firefighters on standby are not a count of the 5,000 at the fire)."""
    return any(
        v / magnitude <= value <= v * magnitude and same_thing(unit, u, alike)
        for v, u in anchor.items()
    )


def same_thing(unit: str, other: str, alike: Alike = same_noun) -> bool:
    *whose, noun = unit.split() or [""]
    *theirs, other_noun = other.split() or [""]
    return (not whose or not theirs or whose == theirs) and alike(noun, other_noun)


def disagreeing(
    question: str,
    kind: AnswerType,
    evidence: list[Sentence],
    listing: Listing = Listing(),
    alike: Alike = same_noun,
    compare: bool = False,
) -> tuple[list[tuple[Sentence, list[int]]], str]:
    """Sentences giving different figures (the best one for each figure), each with the
    figures it gives, and what they count; when the question asks for a number and the
    strong evidence of more than one article gives more than one (or, when the question
    compares two figures, of one article), from sentences the cross-encoder reads within
    ``listing.relevance`` logits of the best, and naming the act asked about when the strong
    evidence does ("how many were arrested": not a count of those charged). Nothing when they
    agree. ``alike`` tells whether two counted nouns count the same kind of thing."""
    if kind is not AnswerType.NUMBER:
        return [], ""
    top = max(s.score for s in evidence)
    asked = asked_quantity(question)  # "how many Peruvian voters": not Chilean ones
    pool = _figure_pool(question, evidence, listing, alike)
    if not pool:
        return [], ""
    floor = _relevance_floor(evidence, listing)

    def answers_it(s: Sentence) -> bool:  # without a cross-encoder (a test's fakes): all
        return floor is None or (s.relevance is not None and s.relevance >= floor)

    def support(s: Sentence) -> int:
        """How many other articles give a figure of the same quantity: the anchor is the
        figure the evidence is about, not a stray one (800 firefighters on standby)."""
        mine = figures(s.text)
        return len({
            o.article_id for o in pool if o.article_id != s.article_id
            and any(same_quantity(u, v, mine, alike, listing.magnitude)
                    for v, u in figures(o.text).items())
        })  # fmt: skip

    best = max(pool, key=lambda s: (support(s), s.score))
    anchor = figures(best.text)

    acts = asked_deeds(question)
    of_act = all(names_act(acts, s.text) for s in pool)  # the pool names the act

    def comparable(s: Sentence) -> list[int]:
        if s.score < listing.listed * top or s.typed <= 0 or not answers_it(s):
            return []
        if of_act and not names_act(acts, s.text):
            return []
        return [
            v for v, u in figures(s.text).items()
            if same_quantity(u, v, anchor, alike, listing.magnitude)
            and (not asked or same_thing(u, asked, alike))
        ]  # fmt: skip

    # Each article's best figure first (every source gets its say), then further figures.
    chosen = [(best, comparable(best))]
    values = set(anchor)
    for first_pass in (True, False):
        for s in evidence:
            taken = [c for c, _ in chosen]
            room = len(chosen) < listing.sentences
            found = comparable(s) if s not in taken and room else []
            new_article = s.article_id not in {c.article_id for c in taken}
            if found and (new_article if first_pass else not set(found) <= values):
                chosen.append((s, found))
                values |= set(found)
    distinct = compare or len({s.article_id for s, _ in chosen}) > 1
    if not distinct or len(values) < 2:
        return [], ""
    quantity = asked or next((anchor[v] for v in chosen[0][1]), "")
    return chosen, quantity


def _figure_pool(question: str, evidence: list[Sentence], listing: Listing,
                 alike: Alike) -> list[Sentence]:  # fmt: skip
    """The strong evidence read for figures of the asked quantity: near the best cheap score,
    of the asked type, and read by the cross-encoder within ``listing.relevance`` of the best."""
    top = max(s.score for s in evidence)
    asked = asked_quantity(question)
    floor = _relevance_floor(evidence, listing)

    def of_asked(s: Sentence) -> bool:
        return any(not asked or same_thing(u, asked, alike) for u in figures(s.text).values())

    pool = [
        s for s in evidence
        if s.score >= listing.pool * top and s.typed > 0 and of_asked(s)
        and (floor is None or (s.relevance is not None and s.relevance >= floor))
    ]  # fmt: skip
    # "how many were arrested": when some of them name the act, a count of those charged
    # is not a figure of it
    acts = asked_deeds(question)
    return [s for s in pool if names_act(acts, s.text)] or pool


def _relevance_floor(evidence: list[Sentence], listing: Listing) -> float | None:
    """The least relevance a sentence giving a figure needs: ``listing.relevance`` logits
    under the best the cross-encoder read (None when it read none: a test's fakes)."""
    read = [s.relevance for s in evidence if s.relevance is not None]
    return max(read) - listing.relevance if read else None


def current(question: str, evidence: list[Sentence], listing: Listing,
            alike: Alike = same_noun) -> list[Sentence]:  # fmt: skip
    """The evidence for a number question without the articles published more than
    ``listing.update_days`` before the latest one giving a figure of the asked quantity for
    the act asked about, when any names it (a count of arrests reported in September and
    again in October is an update, not a disagreement; a count of those charged is not one of
    arrests), led by that latest report's best sentence; the evidence as it is when no article
    is that old."""
    pool = _figure_pool(question, evidence, listing, alike) if evidence else []
    dates = [date.fromisoformat(s.passage.published[:10]) for s in pool if s.passage.published]
    if not listing.update_days or not dates:
        return evidence
    newest = max(dates)
    since = (newest - timedelta(days=listing.update_days)).isoformat()
    kept = [s for s in evidence if not s.passage.published or s.passage.published[:10] >= since]
    if len(kept) == len(evidence):
        return evidence
    lead = next(s for s in pool if (s.passage.published or "")[:10] == newest.isoformat())
    return [lead, *(s for s in kept if s is not lead)]
