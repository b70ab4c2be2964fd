"""What a question asks for: its expected answer type, its key terms, and, for follow-ups, the
retrieval query rewritten from the conversation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from index.chunking import sentence_spans
from qa.text import terms


class AnswerType(StrEnum):
    NUMBER = "number"
    DATE = "date"
    PERSON = "person"
    PLACE = "place"
    ORGANISATION = "organisation"
    OTHER = "other"


_ROLES = (
    r"official|person|leader|minister|president|general|spokes(?:man|woman|person)|secretary|"
    r"diplomat|journalist|reporter|senator|lawmaker|analyst|correspondent|ambassador|envoy|"
    r"chairman|chancellor|governor|mayor|commander|director|chief|judge|coach|founder|ceo|"
    r"executive|owner|manager|captain|prosecutor|attorney|candidate|actor|actress|singer|author|"
    r"pilot|suspect|victim|member"
)
# "What was the budget / price / fine of ...", "What is the car's starting price": a number, and
# an amount of money (qa.entities)
PRICE_ASKED = re.compile(
    r"\b(?:what|which) (?:is|was|were|are) the (?:[\w'’-]+ ){0,2}(?:cost|price|budget|fine|salary)\b",
    re.I,
)
# "What exact date", "which fiscal year": one word may describe the date asked for; not "what
# this year's ..." or "which next month" (a time, not the question's object)
_ONE_WORD = r"(?!(?:this|that|last|next|the|a|an|is|was)\b)[a-z]+"
_TYPE_PATTERNS: list[tuple[AnswerType, re.Pattern[str]]] = [
    (AnswerType.NUMBER, re.compile(
        r"\bhow (many|much|large|big|quickly|fast|often|old|far|tall|high|heavy|deep|wide|long(?! ago))\b"
        r"|\bwhat (number|percentage|share|figure|amount)s?\b|\bover what period\b"
        r"|\b(number|count|size|tally|population) of\b|\bwhat was the (death )?toll\b"
        rf"|{PRICE_ASKED.pattern}", re.I)),
    (AnswerType.DATE, re.compile(
        r"^\s*(and\s+)?when\b|\b(what|which) (calendar )?(day|time)\b"
        rf"|\b(what|which) ({_ONE_WORD} )?(date|year|month)\b"  # "what exact date", "fiscal year"
        r"|\bon (which|what) (day|date)\b|\bby when\b|\bhow (soon|long ago)\b", re.I)),
    (AnswerType.PERSON, re.compile(
        rf"^\s*(and\s+)?who(m|se)?\b|\bwhich ([\w.-]+ ){{0,3}}({_ROLES})\b"
        rf"|\bname of [\w'’ -]{{0,30}}\b({_ROLES})\b|\bwho (is|was|are|were)\b",
        re.I)),
    (AnswerType.PLACE, re.compile(
        r"^\s*(and\s+)?where\b|\b(which|what) (country|countries|city|cities|region|peninsula|"
        r"capital|place|border|location|nation|sea|state|province|county|continent|island|town|"
        r"village|district|territory)\b(?!-)|\bin what (city|country|region)\b", re.I)),
    (AnswerType.ORGANISATION, re.compile(
        r"\b(which|what) ([\w-]+ ){0,2}(organi[sz]ation|agency|alliance|outlet|newspaper|"
        r"news agency|group|company|firm|ministry|institution|body|bloc|network|publication|"
        r"think tank|programme|program|show|broadcaster|maker|manufacturer|automaker|carmaker|"
        r"retailer|chain|brand|airline|bank|team|club|university|supplier)\b", re.I)),
]  # fmt: skip

_GRAINS = [
    ("deadline", re.compile(r"^\s*(and\s+)?by when\b|\bby what (date|time)\b", re.I)),
    ("calendar", re.compile(rf"\b(what|which) ({_ONE_WORD} )?date\b|\bcalendar date\b", re.I)),
    ("year", re.compile(rf"\b(what|which) ({_ONE_WORD} )?year\b", re.I)),
    ("month", re.compile(rf"\b(what|which) ({_ONE_WORD} )?month\b", re.I)),
    ("weekday", re.compile(r"\bday of the week\b|\b(what|which) day\b", re.I)),
]


def date_grain(question: str) -> str | None:
    """How precise a date the question wants: "calendar" (on what date), "year", "month",
    "weekday" (on which day), "deadline" (by when), or None (any date will do)."""
    return next((grain for grain, pattern in _GRAINS if pattern.search(question)), None)


_ESTIMATE = re.compile(r"\b(estimate|figure|tally|count)s?\b", re.I)


def asking_clause(question: str) -> str:
    """The sentence of ``question`` that asks: news quizzes set the scene first ("The striker
    scored his 41st goal this week. Who holds the record?"). The sentences ending in a question
    mark ("How many? Do the reports agree?" asks both), else the last sentence ("Who won? Tell
    me briefly." asks who)."""
    asked, _ = _asking_and_scene(question)
    return asked


def scene(question: str) -> str:
    """The sentences of ``question`` that set the scene before it asks (see ``asking_clause``);
    "" when it only asks."""
    _, rest = _asking_and_scene(question)
    return rest


def _asking_and_scene(question: str) -> tuple[str, str]:
    parts = [question[s:e] for s, e in sentence_spans(question)] or [question]
    asked = [p for p in parts if p.rstrip().endswith("?")] or parts[-1:]
    return " ".join(asked), " ".join(p for p in parts if p not in asked)


# "When will it open?", "When is the pipeline expected to start?", "Who is due to speak?":
# something after the news; not the cause in "Due to rising costs, who moved ...?" nor in "The
# delay was due to the storm" (a "due to" after no form of "be", or before a determiner)
_FUTURE = re.compile(
    r"\b(?:expected|set|scheduled|slated|planned|poised) to\b|\bwill\b|\bupcoming\b"
    r"|\b(?:is|are|was|were|be)\s+due\s+to\s+(?!(?:a|an|the|its|his|her|their|our|this|that|these"
    r"|those)\b)",
    re.I,
)


def asks_about_the_future(question: str) -> bool:
    """Whether the asking sentence asks about something still to come when it was reported."""
    return bool(_FUTURE.search(asking_clause(question)))


# "this week", "this past week", "earlier this week", "this weekend"
_THIS_WEEK = re.compile(r"\bthis (?:past )?week(?:end)?\b", re.I)


def asks_about_this_week(question: str) -> bool:
    """Whether the question places what it asks in the week up to the day asked about ("Which
    automaker recalled 200,000 pickups this week?"), in its scene or in its asking sentence."""
    return bool(_THIS_WEEK.search(question))


# the commonest irregular past forms ("Who won", "Which company said")
_IRREGULAR_PAST = (
    r"won|lost|said|told|made|took|gave|got|saw|became|began|left|met|held|sold|bought|paid"
    r"|found|kept|led|ran|brought|thought|drew|struck"
)
# "Who did parliament elect", "How many were evacuated", "Who won": something done; not "Where
# is the summit held" (a preview answers that) nor "the expected date"
_PAST_AUX = re.compile(r"\b(?:did|was|were|had)\b", re.I)
_PRESENT_AUX = re.compile(r"\b(?:is|are|am|does|do|has|have)\b", re.I)
_REGULAR_PAST = re.compile(r"\b(?<!\bthe )([a-z]{3,})ed\b", re.I)
PAST_FORM = re.compile(rf"\b(?:{_IRREGULAR_PAST})\b|{_REGULAR_PAST.pattern}", re.I)


def asks_about_the_past(question: str) -> bool:
    """Whether the asking sentence asks about something done: a past auxiliary ("did", "was"),
    or, with no auxiliary of the present, a past form ("Who won ..."). Not "Where is the summit
    held in May 2030?" (what is scheduled) nor what is still to come."""
    clause = asking_clause(question)
    if _FUTURE.search(clause):
        return False
    if _PAST_AUX.search(clause):
        return True
    return not _PRESENT_AUX.search(clause) and bool(PAST_FORM.search(clause))


_QUOTATION = re.compile(r"[\"“][^\"”]*[\"”]")


# the participle after "be" ("will be held", "is expected to be named"): what a marker of the
# future governs, not a past form
_BE_PARTICIPLE = re.compile(r"\bbe\s+(?:[a-z]+ly\s+)?[a-z]+", re.I)


def only_looks_ahead(text: str) -> bool:
    """Whether a sentence, outside its quotations, speaks only of what is to come: a marker of
    the future ("will", "due to", "expected to") and no past form besides the marker itself
    and a participle after "be" ("... are due to speak by telephone", "the final will be held
    in Miami", "she is expected to win"; not "... said it will appeal")."""
    told = _QUOTATION.sub(" ", text)
    if not _FUTURE.search(told):
        return False
    return not PAST_FORM.search(_BE_PARTICIPLE.sub(" ", _FUTURE.sub(" ", told)))


def asked_acts(question: str) -> list[str]:
    """The regular past forms of a question about something done ("How many were arrested?":
    "arrested"). Empty for irregular forms ("won") and bare auxiliaries ("What did she say")."""
    return [m[0].lower() for m in _REGULAR_PAST.finditer(asking_clause(question))]


def act_stems(act: str) -> list[str]:
    """The stems of a regular past form ("banned" -> "bann", "banne", "ban"; "agreed" -> "agre",
    "agree"), which the act's other forms start with ("bans", "the fundraising ban")."""
    stem = act[:-2].lower()
    stems = [stem, stem + "e"]
    if len(stem) > 3 and stem[-1] == stem[-2]:  # "bann" -> "ban"
        stems.append(stem[:-1])
    return stems


def names_act(stems: list[str] | tuple[str, ...], text: str) -> bool:
    """Whether ``text`` names the act a question asks about, given by the stems of its regular
    past forms (``asked_deeds``: "How many were arrested?": "arrests", "arrested"); True when
    there are none."""
    return not stems or any(re.search(rf"\b{re.escape(a)}\w*", text, re.I) for a in stems)


def asked_deeds(question: str) -> list[str]:
    """The stems of the act a question about something done asks about (``asked_acts``), which
    a sentence may name as a thing ("the fundraising ban")."""
    return [stem for act in asked_acts(question) for stem in act_stems(act)]


# "Where was the state memorial service for X held?", "When will the summit take place?": the
# words naming the event, up to the first word that starts a modifier ("for X").
_EVENT = re.compile(
    r"\b(?i:where|when)\s+(?i:was|were|is|are|will)\s+(?P<event>.+?)\s+(?:be\s+)?"
    r"(?:held|hosted|staged|take place|took place|taking place|happen(?:ed)?|occur(?:red)?)\b"
)
_POSSESSIVE_WORD = re.compile(r"['’]s?$")
_MODIFIER = re.compile(
    r"\s(?:for|of|in|at|on|to|with|by|from|near|after|before|during|that|which|who)\s", re.I
)


def asked_event(question: str) -> list[str]:
    """The common nouns naming the event a question asks where or when it took place ("Where
    was the late mayor's state memorial service held?": state, memorial, service; not whose
    it is, and not names, which are checked as names: "de" of "the Tour de France" is one),
    or [] for other questions."""
    m = _EVENT.search(asking_clause(question))
    words = _MODIFIER.split(f" {m['event']} ")[0].split() if m else []
    owners = [i for i, w in enumerate(words) if _POSSESSIVE_WORD.search(w)]
    words = words[owners[-1] + 1 :] if owners else words  # "the singer's memorial": not hers

    def in_a_name(i: int) -> bool:
        return 0 < i < len(words) - 1 and words[i - 1][:1].isupper() and words[i + 1][:1].isupper()

    return [w for i, w in enumerate(words) if w[:1].islower() and terms(w) and not in_a_name(i)]


_VERB = (  # auxiliaries and past forms
    r"(?:is|was|are|were|did|does|do|has|have|had|will|can|could|would|should|may|might"
    rf"|{_IRREGULAR_PAST}|[a-z]+ed)\b"
)
_FUNCTION_WORD = (
    r"(?:of|in|for|to|on|at|by|with|from|about|this|that|these|those|the|a|an|its|their)\b"
)
# "Which wildly popular show was ...", "Which two countries did ...", "Which company plans to
# ...": the words naming the kind of thing asked for, up to the verb (a word in -s ends them
# only where no longer run fits: "countries" is a noun before "did", "plans" a verb after
# "company"; a word before "to" is a verb: "Which two supermarkets plan to ...")
_WHICH_KIND = re.compile(
    rf"\b(?i:which|what)((?:\s+(?!{_VERB}|{_FUNCTION_WORD})(?:[a-z][a-z-]*|[A-Z]{{2,}})){{1,4}})"
    rf"(?=\s+(?:{_VERB}|[a-z]+s\b)|\s+[a-z]+\s+to\b|\s*[?,])"
)


def asked_kind(question: str) -> str | None:
    """The noun naming the kind of thing a "which" question asks for ("Which wildly popular
    show was ...": "show"; "In which cities did ...": "cities"), or None."""
    m = _WHICH_KIND.search(asking_clause(question))
    if not m:
        return None
    words = [w for w in m[1].split() if not w.endswith("ly")]  # "which team recently won"
    kind = words[-1] if words else ""
    return kind if kind.islower() else None  # "Which US Senate seat": not the kind asked for


_PRONOUN = r"(?:i|you|he|she|it|we|they)"  # "the farm they ran": a clause starts
# "What is the (official) name of the training exercise that ...", "What was the title of her
# new album with ...": the named thing, up to a word that starts a clause or a verb; "What is
# the dispatcher's name?", "What was that person's name?": the thing before the possessive
_NAME_OF = re.compile(
    r"\b(?i:what)\s+(?:is|was|are|were)\s+the\s+(?:[a-z]+\s+)?(?i:name|title)s?\s+of\s+"
    rf"((?:(?!(?:who|whom|which|that|with|for|in|at|on|by|from|to|{_PRONOUN})\b|{_VERB})"
    r"[\w'’.-]+\s*){1,6})"
    r"|\b(?i:what)\s+(?:is|was|are|were)\s+(?:the|that|this|its|their|his|her)\s+"
    r"((?:[\w-]+\s+){0,3}[\w-]+)['’]s?\s+(?:[a-z]+\s+)?(?i:name|title)s?\b"
)


def named_thing(question: str) -> str | None:
    """The noun naming the thing whose name or title the question asks for ("What is the name of
    the Russian judge who ...": "judge"; "the title of Blink's new album with ...": "album";
    "What is the dispatcher's name?": "dispatcher"), or None when it asks for no name."""
    m = _NAME_OF.search(asking_clause(question))
    words = [w for w in (m[1] or m[2]).split() if w[:1].islower()] if m else []
    return words[-1] if words else None


def refers_back(question: str, sentence: str) -> bool:
    """Whether ``sentence`` speaks of the kind of thing a "which" question asks for by a
    definite description ("Which company cut its prices?": "the company said it would ...";
    "Which show won?": "The show, which follows ..."; up to four words between, "the hugely
    popular hand-drawn Danish cartoon") rather than by its name: news names a thing once and
    then refers back to it, so its name is in an earlier sentence."""
    kind = asked_kind(question)
    if kind is None:
        return False
    return (
        re.search(rf"\b[Tt]he\s+(?:[\w’'-]+\s+){{0,4}}?{re.escape(kind)}\b", sentence) is not None
    )


# A question word that asks, not one that opens a relative clause (", which ...", ", who ...")
_ASKING_WORD = re.compile(r"(?<!,\s)(?<!,)\b(?:what|which|who|whom|whose|when|where|how)\b", re.I)


def _asked_phrase(clause: str) -> str:
    """The asking sentence from its first question word up to the next one: "... found which
    chain has the slowest lanes, largely because of how many cars line up?" asks "which chain
    ...", not how many."""
    found = list(_ASKING_WORD.finditer(clause))
    if len(found) < 2:
        return clause
    return clause[found[0].start() : found[1].start()]


def answer_type(question: str) -> AnswerType:
    """What the question asks for, read from its asking sentence (``asking_clause``), by its
    first question word (``_asked_phrase``)."""
    clause = _asked_phrase(asking_clause(question))
    for kind, pattern in _TYPE_PATTERNS:
        if pattern.search(clause):
            return kind
    if _ESTIMATE.search(clause):  # "Does X's estimate match Y's?" compares numbers
        return AnswerType.NUMBER
    return AnswerType.OTHER


_DEICTIC = re.compile(
    r"\b(he|she|him|her|his|hers|they|them|their|it|its|that|this|those|these|there|then|"
    r"the same|so|also|else|instead)\b|^\s*(and|what about|how about|but|why)\b",
    re.I,
)


@dataclass(frozen=True)
class Condensed:
    """The retrieval query for a turn, and the articles the conversation is already about."""

    query: str
    context_terms: tuple[str, ...]  # terms that came from the history, not the question
    articles: tuple[str, ...]


def _articles_of(message: dict[str, Any]) -> list[str]:
    ids: list[str] = []
    for cite in message.get("citations") or []:
        if isinstance(cite, dict) and isinstance(cite.get("article_id"), str):
            ids.append(cite["article_id"])
    meta = message.get("metadata") or {}
    if isinstance(meta, dict):
        ids += [a for a in meta.get("article_ids") or [] if isinstance(a, str)]
    return ids


def condense(question: str, history: list[dict[str, Any]] | None) -> Condensed:
    """Rewrite a follow-up ("When did he say that?") into a standalone retrieval query by adding
    the previous question and the salient words of the previous answer. A question that already
    stands on its own is left as it is (the history still says which articles to keep in view)."""
    history = [m for m in history or [] if isinstance(m, dict)]
    users = [str(m.get("content") or "") for m in history if m.get("role") == "user"]
    bots = [m for m in history if m.get("role") == "assistant"]
    articles = tuple(dict.fromkeys(a for m in bots[-1:] for a in _articles_of(m)))
    if not users and not bots:
        return Condensed(question, (), ())
    own = terms(question)
    if len(own) >= 3 and not _DEICTIC.search(question):
        return Condensed(question, (), articles)
    previous = users[-1] if users else ""
    answer = re.sub(r"\[\d+\]", " ", str(bots[-1].get("content") or "")) if bots else ""
    salient = re.findall(r"\b(?:[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)*|\d[\d,.]*)\b", answer)
    extra = " ".join(dict.fromkeys([previous, *salient[:12]]))
    context = tuple(t for t in dict.fromkeys(terms(extra)) if t not in own)
    return Condensed(f"{question} {extra}".strip(), context, articles)
