"""What a question pins down that the articles of its answer must hold: the years and figures its
asking sentence names ("the 2024 Super Bowl halftime show", "the recall of 2.9 million
vehicles"), and its names ("the McKinney Fire"). An article that neither names such a year nor
was published in it, or that never names such a figure, is about another edition of the event or
another event, however closely its sentences match the question's other words. An article written
before the day a question about something done dates its event by ("Who won the December 6, 2030
runoff?") cannot report it, however it previews it. A name that none of the articles found
mentions is something the collection does not cover, and a full name ("the Tour de France")
that no cited article mentions is something the answer is not about. Each way the answer is a
refusal, not a near miss. And a question that attributes its answer to someone ("How many
boats did Olsen say ...", "according to the Harbor Authority") is answered from the articles
that name them (``speaker``), when any does: another source's figure is not theirs."""

from __future__ import annotations

import calendar
import re
from datetime import date

from qa.dates import earliest_day
from qa.entities import name_runs
from qa.question import asking_clause, asks_about_the_past

_NUMBER = re.compile(r"(?<![\d.,])(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\d,]*\d)")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")


# "killed more than 300 people": a bound, which the article may state exactly ("at least 311")
_BOUND = re.compile(
    r"\b(?:more than|over|nearly|almost|about|around|roughly|approximately|at least|some|up to|"
    r"under|fewer than|less than|upwards of)\s+\$?$",
    re.I,
)


def pinned(question: str) -> list[str]:
    """The figures (years included) of the question's asking sentence, without thousands
    separators, in order; not a figure given as a bound ("more than 300 people"), unless it is
    a year ("What did he say about 2024?")."""
    clause = _THOUSANDS.sub("", asking_clause(question))
    return list(dict.fromkeys(
        m.group() for m in _NUMBER.finditer(clause)
        if _is_year(m.group()) or not _BOUND.search(clause[: m.start()])
    ))  # fmt: skip


# A capitalised word that does not open a sentence; "'s" is left off.
_NAME = re.compile(r"(?<![.?!:]\s)(?<!^)(?<![\w'’-])([A-Z][a-z][\w'’]*(?:-[A-Z][a-z][\w'’]*)*)")
_CALENDAR = {w.lower() for w in (*calendar.day_name, *calendar.month_name) if w}


def full_names(question: str) -> dict[str, list[str]]:
    """The names of two capitalised words or more in the question's asking sentence, each with
    those words ("the 2022 Tour de France": Tour, France; "a Los Angeles-area store": Los,
    Angeles). The sentence's first word is left out: "Does Olsen's figure ..." names one."""
    rest = asking_clause(question).strip().partition(" ")[2]
    found: dict[str, list[str]] = {}
    for run in name_runs(rest):
        words = [
            part for word in run.split() for part in word.split("-") if part[:1].isupper()
        ]  # fmt: skip
        if len(words) > 1:
            found[run] = words
    return found


def named(question: str) -> list[str]:
    """The names of the question's asking sentence ("Lions-Bears" is two), without days and
    months (dates are checked as figures)."""
    clause = asking_clause(question).strip()
    found: list[str] = []
    for m in _NAME.finditer(clause):
        for part in m[1].split("-"):
            word = re.sub(r"['’]s$", "", part)
            if word.lower() not in _CALENDAR:
                found.append(word)
    return list(dict.fromkeys(found))


# Whom the asking sentence attributes its answer to: "according to the Harbor Authority, ...",
# "How many boats did Olsen say ...", "How does Olsen characterise ...".
_SPEAKER = re.compile(
    r"\b(?i:according to)\s+(?:the\s+)?(?P<a>[A-Z][\w'’.-]*(?:\s+(?:of\s+)?[A-Z][\w'’.-]*)*)"
    r"|\b(?:did|does|do|has|have|had)\s+(?P<b>[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*)\s+"
    r"(?:say|said|claim|claimed|report|reported|estimate|estimated|tell|told|warn|warned|"
    r"describe|described|characteri[sz]e|think|expect|expected)\b"
)


def speaker(question: str) -> list[str]:
    """The words of the name the question's asking sentence attributes its answer to ("the
    Harbor Authority": Harbor, Authority; "Gen. Diaz's aides": Diaz); [] when it names no one.
    Titles ("Gen.") and possessives are left off."""
    m = _SPEAKER.search(asking_clause(question))
    run = (m["a"] or m["b"]) if m else ""
    words = [re.sub(r"['’]s$", "", w) for w in run.split() if w != "of" and not w.endswith(".")]
    return [w for w in words if w and w != "The"]


def mention_key(name: str) -> re.Pattern[str]:
    """What mentions ``name`` in a casefolded text: a word starting with its stem, so "Chilean"
    is mentioned by "Chile", "Kenyan" by "Kenya", "Peruvian" by "Peru's" (irregular forms,
    "French" for "France", are not)."""
    return re.compile(rf"\b{re.escape(name.casefold()[: max(4, len(name) - 4)])}")


def _fold(text: str) -> str:
    """``text`` as names are looked for in it: casefolded, curly apostrophes straight."""
    return text.casefold().replace("’", "'")


def _mentioned(text: str, words: list[str]) -> int:
    """How many of ``words`` (a name's) ``text`` mentions."""
    folded = _fold(text)
    return sum(bool(mention_key(word).search(folded)) for word in words)


def said_in(text: str, speaker_words: list[str]) -> bool:
    """Whether ``text`` mentions every word of the speaker's name (``speaker``)."""
    return _mentioned(text, speaker_words) == len(speaker_words)


def _is_year(figure: str) -> bool:
    return len(figure) == 4 and figure.isdigit() and 1900 <= int(figure) <= 2100


def years(text: str) -> set[str]:
    """The years ``text`` names ("in 2018", "June 10, 2018"; not the "2,022" of a count)."""
    return {m.group() for m in _NUMBER.finditer(text) if _is_year(m.group())}


def mentions(text: str, figure: str) -> bool:
    """Whether ``text`` names ``figure`` as a number of its own ("2.9" in "2.9 million", "62" in
    "62nd", "13" in "13.5%"; not "27" in "2027" or "1.27")."""
    pattern = rf"(?<![\d.]){re.escape(figure)}(?!\d)"
    return re.search(pattern, _THOUSANDS.sub("", text)) is not None


def names_figures(text: str, figures: list[str]) -> bool:
    """Whether ``text`` names every one of ``figures`` (``mentions``)."""
    return all(mentions(text, f) for f in figures)


def unmet(
    question: str, cited: list[tuple[str, str | None]], found: list[str], listed: bool = False
) -> str | None:
    """Why the answer cannot stand: a figure the question pins down that none of the ``cited``
    articles (text, publication date) names (a year also counts as named by an article
    published that year), a day a question about something done (``asks_about_the_past``) dates
    it by that comes after every cited article was written ("Who won the May 3, 2030 runoff?"
    answered from articles of April), a name of two words or more (``full_names``) that no
    cited article mostly mentions (``names_most_of``; "Who won the 2022 Tour de France?"
    answered from a sentence on a hockey team), or a one-word name that none of the articles
    ``found`` for it (their texts) mentions (a multi-part question may name "Olsen" only to
    point at the article it is about, and quote another). None when everything pinned is there.
    When the answer is a ``listed`` set of figures, each its own article's, the figures pinned
    must be named by the first, which the list leads with, and so must the names the question
    gives: a 2022 article further down does not make a 2015 earthquake's toll the toll of the
    2022 floods asked about, nor one storm's toll another's."""
    for figure in pinned(question):
        if not any(
            mentions(text, figure) or (_is_year(figure) and (published or "").startswith(figure))
            for text, published in (cited[:1] if listed else cited)
        ):
            return f"the articles cited never mention {figure}, which the question names"
    day = earliest_day(question) if asks_about_the_past(question) else None
    written = [date.fromisoformat(published[:10]) for _, published in cited if published]
    if day and written and len(written) == len(cited) and max(written) < day:
        return f"the articles cited were written before {day.isoformat()}, the question's date"
    names = named(question)
    folded = [_fold(text) for text in found] if names else []
    lead = _fold(cited[0][0]) if listed and cited and names else None
    for name in names:
        key = mention_key(name)
        if folded and not any(key.search(text) for text in folded):
            return f"no article found mentions {name}, which the question names"
        if lead is not None and not key.search(lead):
            return f"the article the figures lead with never mentions {name}"
    for name, words in full_names(question).items():
        if not any(names_most_of(text, words) for text, _ in (cited[:1] if listed else cited)):
            return f"no article cited mentions {name}, which the question names"
    return None


def names_most_of(text: str, words: list[str]) -> bool:
    """Whether ``text`` mentions more than half of a full name's words: both of "Hurricane
    Roslyn", two of "President Joe Biden" (an article may call him "President Biden" only)."""
    return 2 * _mentioned(text, words) > len(words)
