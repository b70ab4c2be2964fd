"""What a question expects its answer to hold, and how well a sentence holds it
(``Expectation.match``): a thing of the asked type (``qa.entities``) that the question does not
already name, attached to what it asks about: the counted noun of "how many books", the unit
of "how far" or "how much did it cost", the role of "who is the finance minister" (and whose
minister), the grain of "in what year" or "on what date", the deadline of "by when".

Only general rules of English questions and news prose; plurals come from ``inflect``
(``qa.inflection``), date patterns from ``qa.dates``."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise

from qa.dates import A_YEAR, MONTH, NTH, WEEKDAY, YEAR
from qa.entities import NUMBER, entities, names, prefix_match, sources, spelling
from qa.inflection import singular
from qa.question import PRICE_ASKED, AnswerType, act_stems, asked_acts, date_grain, names_act
from qa.text import terms

Alike = Callable[[str, str], bool]  # whether two words name the same kind of thing or act

_GRAIN = {
    "year": YEAR,
    "month": re.compile(rf"\b{MONTH}", re.I),
    "weekday": re.compile(rf"\b(?:{WEEKDAY}|today|yesterday|tonight|tomorrow)\b", re.I),
    "calendar": re.compile(
        rf"\b{MONTH}\s+\d{{1,2}}{NTH}\b|\b\d{{1,2}}{NTH}\s+(?:of\s+)?{MONTH}"
        rf"|\b{A_YEAR}-\d\d-\d\d\b",
        re.I,
    ),
}
# "by when": a date the thing may happen by, not any date in the sentence
_DEADLINE = re.compile(
    rf"\b(?:by|before|until|as soon as|as early as|no later than)\s+(?:the\s+)?"
    rf"(?:(?:early|mid|late|end of)[- ]?\s*)?(?:{MONTH}|{A_YEAR}|{WEEKDAY}|next)",
    re.I,
)
# A reference to an organisation or person named in a sentence nearby.
_ANAPHORS = {
    AnswerType.ORGANISATION: re.compile(
        r"\bthe (?:agency|company|firm|ministry|group|organi[sz]ation|outlet|newspaper|network|"
        r"institute|think tank|department|alliance|bloc)\b",
        re.I,
    ),
    AnswerType.PERSON: re.compile(r"\b(?:he|she) (?:said|says|told|added|noted|warned)\b", re.I),
}
_TIME_UNIT = re.compile(r"\b(?:second|minute|hour|day|week|month|year|decade)s?\b", re.I)
# "how far", "how tall": a length; "how heavy": a weight; "how old": an age; each by the units
# after the figure (an age also after "aged" or "the age of")
_AGED = re.compile(rf"\b(?:aged|age of)\s+(?:{NUMBER.pattern})", re.I)
_MEASURES = {
    "length": (
        re.compile(r"\bhow (?:far|tall|deep|wide)\b", re.I),
        re.compile(r"\b(?:miles?|kilomet(?:er|re)s?|km|met(?:er|re)s?|feet|foot|ft|yards?|"
                   r"inch(?:es)?|centimet(?:er|re)s?|cm)\b", re.I),
    ),
    "weight": (
        re.compile(r"\bhow heavy\b", re.I),
        re.compile(r"\b(?:pounds?|lbs?|kilo(?:gram)?s?|kg|tons?|tonnes?|ounces?|oz|grams?)\b",
                   re.I),
    ),
    "age": (re.compile(r"\bhow old\b", re.I), re.compile(r"\byears?[ -]old\b", re.I)),
}  # fmt: skip

# "Who is Mara Olsen?": the answer describes the person named, it names no one else
_WHO_IS_NAMED = re.compile(
    r"\s*(?i:who (?:is|was|are|were)) [A-Z][\w'’.-]*(?: [A-Z][\w'’.-]*)*\s*\??\s*"
)


def asks_for_a_name(question: str) -> bool:
    """Whether an answer to ``question`` (a person question) must name someone: not when it asks
    who a named person is."""
    return not _WHO_IS_NAMED.fullmatch(question)


_COUNTED = re.compile(r"\bhow many\s+((?:[\w'’-]+\s+){0,4})", re.I)
_DURATION = re.compile(r"\bhow (?:quickly|fast|long(?! ago))\b|\bover what period\b", re.I)
# "how much did it cost", "how much was X fined", "the dollar cost": an amount of money (not "how
# much have prices risen", a share)
# "What percentage of ...", "By what percent ...": a figure in percent ("79%", "13.1 percent")
_PERCENT_ASKED = re.compile(r"\b(?:what|which)\s+(?:percentage|percent)\b", re.I)
_PERCENT = re.compile(r"\d[\d.,]*\s*(?:%|percent\b|per cent\b|percentage points?\b)", re.I)
_MONEY_ASKED = re.compile(
    r"\bhow much\b[^?;]{0,120}?\b(?:cost|costs|pay|paid|spend|spent|earn|earned|sell|"
    rf"sold|fined?|charged?|worth|budget|damages?|owe|owed)\b|\bdollars?\b|{PRICE_ASKED.pattern}",
    re.I,
)
_MONEY = re.compile(
    r"[$€£¥]\s?\d|\b\d[\d,.]*\s*(?:thousand|million|billion|trillion)?\s*"
    r"(?:dollars?|euros?|pounds?|yen|yuan|rupees?|francs?)\b|\b(?:US\$|USD|EUR|GBP)\s?\d",
    re.I,
)
_ROLE = re.compile(
    r"\b(minister|spokes(?:man|woman|person)|president|secretary|general|ambassador|chairman|"
    r"chancellor|analyst|correspondent|director|envoy|premier|governor|mayor|chief)\b",
    re.I,
)
_VERBS = {
    "are", "is", "were", "was", "did", "do", "does", "have", "has", "had", "could", "would",
    "will", "can", "may", "might", "should", "must", "been", "be",
}  # fmt: skip


def focus_noun(question: str, kind: AnswerType) -> str | None:
    """What the answer must be about: the counted noun of "how many troops", a time unit for
    "how quickly", an amount of money ("money") for "how much did it cost", a figure in percent
    ("percent") for "what percentage", or the role of
    "who is the foreign minister" (the sentence naming someone must name that role)."""
    if kind is AnswerType.NUMBER and _DURATION.search(question):
        return "time"
    if kind is AnswerType.NUMBER and _MONEY_ASKED.search(question):
        return "money"
    if kind is AnswerType.NUMBER and _PERCENT_ASKED.search(question):
        return "percent"
    for measure, (asked, _) in _MEASURES.items():
        if kind is AnswerType.NUMBER and asked.search(question):
            return measure
    if kind is AnswerType.NUMBER and (m := _COUNTED.search(question)):
        # the head of the counted phrase: "how many positive monkeypox cases are" -> "case"
        head = None
        for i, word in enumerate(m[1].split()):
            if word.lower() in _VERBS or word.lower() in {"of", "in", "at", "on", "to", "that"}:
                break
            if i > 0 and head and word.lower().endswith("ed"):  # "how many people died"
                break
            if not word[:1].isupper():
                head = word
        return singular(head) if head else None
    if kind is AnswerType.PERSON and (m := _ROLE.search(question)):
        return singular(m[1])
    return None


def counted_modifier(question: str) -> str | None:
    """The word before the counted noun of "how many ..." ("how many member states": "member"),
    which a figure may count by ("the 27-member bloc"); None when there is none."""
    focus = focus_noun(question, AnswerType.NUMBER)
    m = _COUNTED.search(question)
    words = [w for w in m[1].split() if not w[:1].isupper()] if m and focus else []
    at = next((i for i, w in enumerate(words) if singular(w) == focus), 0)
    return singular(words[at - 1]) if at > 0 else None


def _role_context(text: str, role: str) -> list[list[str]]:
    """The (up to three) words just before each mention of ``role`` in ``text``, as written
    (["Chile's", "finance"] of "Chile's finance minister"), possessives cut."""
    out = []
    for m in re.finditer(rf"\b{role}", text, re.I):
        lead = re.split(r"[,;:()\"“”–—]", text[max(0, m.start() - 40) : m.start()])[-1]
        before = re.findall(r"[\w.’']+", lead)[-3:]  # within the role's own phrase
        out.append([w.removesuffix("'s").removesuffix("’s") for w in before])
    return out


# ``Expectation.match`` of a sentence that names the role asked about for someone else ("China's
# defence minister" for Australia's): it contradicts the question.
CONTRADICTS = -1.0
# ... of a sentence that holds the thing asked for, as the question asks for it.
FITS = 1.0


@dataclass(frozen=True)
class Expectation:
    """What a sentence must hold to answer the question: a thing of ``kind`` not already in the
    question, attached to ``focus`` (and, for roles, of the same ``qualifier``), at the date
    ``grain`` asked for."""

    kind: AnswerType
    asked: frozenset[str] = frozenset()
    focus: str | None = None
    grain: str | None = None
    qualifiers: tuple[str, ...] = ()  # "chile", "finance" of "Chile's finance minister"
    modifier: str | None = None  # "member" of "how many member states" (``counted_modifier``)
    identity: bool = False  # "who is the X": the role is all the question says of the person
    context: frozenset[str] = frozenset()  # the question's own content terms besides the focus
    # Whether the question names a qualifier ("Chile's", "Peruvian"), not only describes one
    # ("state" of "which state attorney general"): only then does another name contradict it.
    named_qualifier: bool = True
    acts: tuple[str, ...] = ()  # the act asked about ("arrested" of "how many were arrested")
    # Whether two words name the same kind of thing or act (the embedding model's judgement:
    # "detained" is "arrested"); None: only their stems tell
    alike: Alike | None = field(default=None, compare=False)

    def match(self, text: str, around: str = "") -> float:
        """1 when the sentence holds a new thing of the expected type that fits the question,
        0.3 when it is vaguer ("tens of thousands" for "how many"), 0 when the thing is there but
        unattached, -0.5 when there is none, -1 when it contradicts the question (another
        nation's minister). A sentence that refers to the thing ("the agency said", "he said")
        scores 0.5 when a sentence ``around`` it names one."""
        if self.kind is AnswerType.OTHER:
            return 0.0
        found = entities(text, self.kind) - self.asked
        if self.kind is AnswerType.PERSON and self.focus:
            return self._person_fit(text, bool(names(text) - self.asked))
        if not found:
            anaphor = _ANAPHORS.get(self.kind)
            named = entities(around, self.kind) | sources(around)
            if anaphor and anaphor.search(text) and named - self.asked:
                return 0.5
            return -0.5
        if self.kind is AnswerType.NUMBER:
            return self._number_fit(text, found)
        if self.kind is AnswerType.DATE and self.grain:
            return self._date_fit(text)
        return 1.0

    def _person_fit(self, text: str, named: bool) -> float:
        """The role asked about must be there, of the same kind; the name may be in
        the next sentence ("... the finance minister said." / "Mario Soto said ...")."""
        role = self._role_fit(text)
        if role < 0:
            return role
        if role == 0:  # "which analyst said ...": the name may come without the title
            return 0.5 if named and not self.identity else -0.5
        return 1.0 if named else 0.0

    def _role_fit(self, text: str) -> float:
        mentions = _role_context(text, self.focus or "")
        if not mentions:
            return 0.0
        asked = {spelling(q) for q in self.qualifiers}
        if not asked:  # "which minister": any minister ("Peruvian Trade Minister Ana Torres")
            return 1.0
        fits = False
        for before in mentions:
            words = {spelling(w) for w in before}
            # every qualifier asked is there ("CNN Senior International Correspondent" for
            # "which CNN correspondent"): other capitalised words are the title's own
            if all(q in words or prefix_match(q, words) for q in asked):
                fits = True
                break
            # another named qualifier ("Peruvian Finance Minister" for Chile's): not the one
            # asked; "Department" of "Department of Defense Secretary" names no one else
            of_heads = {a for a, b in pairwise(before) if b.lower() == "of"}
            named = {spelling(w) for w in before if w[:1].isupper() and w not in of_heads}
            named -= _FILLER
            if self.named_qualifier and any(
                w not in asked and not prefix_match(w, asked) for w in named
            ):  # fmt: skip
                continue
            # the word just before the role ("finance") must be there; a country or party asked
            # about is often named elsewhere in the article
            fits |= spelling(self.qualifiers[-1]) in words
        return 1.0 if fits else CONTRADICTS

    def _number_fit(self, text: str, found: set[str]) -> float:
        if self.focus == "money":
            return 1.0 if _MONEY.search(text) else 0.0
        if self.focus == "percent":
            return 1.0 if _PERCENT.search(text) else 0.0
        if self.focus in _MEASURES:  # "40 miles", "the 18-foot python", "the 17-year-old"
            unit = _MEASURES[self.focus][1].pattern
            measured = re.search(rf"(?:{NUMBER.pattern})(?:\s+|-){unit}", text, re.I)
            aged = self.focus == "age" and _AGED.search(text)  # "died aged 94", "at the age of 94"
            return 1.0 if measured or aged else 0.0
        if self.focus == "time":
            return (
                1.0
                if re.search(rf"(?:{NUMBER.pattern})\s+{_TIME_UNIT.pattern}", text, re.I)
                else 0.0
            )
        if self.focus:
            # "27 member states", "the 27-member bloc"
            after = re.findall(
                rf"(?:{NUMBER.pattern})(?:\s*(?:thousand|million))?((?:(?:\s+|-)[\w\[\]-]+){{1,4}})",
                text,
                re.I,
            )
            nouns = {singular(w) for a in after for w in re.findall(r"[a-z]+", a.lower())}
            # or by the word before it, joined to the figure: "the 27-member bloc" has 27
            # member states; "2,532 book bans" are no book titles
            joined = self.modifier and re.search(rf"\b\d[\d,]*-{self.modifier}s?\b", text, re.I)
            if self.focus not in nouns and not joined and not self._alike_count(after):
                return 0.0
            if self.context and not self._near_figure(text):
                return 0.0  # "1,000 personnel to each country ... stationed in Poland"
        if self.acts and _counts_other_acts(text, self.acts, self.alike):
            return 0.0  # "17 journalists have been arrested" counts no one killed
        if not any(c.isdigit() for f in found for c in f):
            return 0.3  # "tens of thousands" answers "how many" worse than "52,000"
        return 1.0

    def _alike_count(self, after: list[str]) -> bool:
        """Whether a figure counts a noun that ``alike`` reads as the asked one ("100,000 Russian
        soldiers" for "how many troops"), by the first lower-case word of the words after it."""
        if self.alike is None or not self.focus:
            return False
        heads = [next((w for w in a.split() if w[:1].islower()), "") for a in after]
        return any(h and self.alike(singular(h.strip("-").lower()), self.focus) for h in heads)

    def _near_figure(self, text: str, window: int = 10) -> bool:
        """Whether some term of the question sits within ``window`` words of a figure: the
        figure is about what the question asks, not about another clause of the sentence."""
        words = re.findall(r"[\w'’,.]+", text)  # "the 27-member bloc": 27, member
        for i, w in enumerate(words):
            if NUMBER.fullmatch(w.strip(",.")) or NUMBER.fullmatch(w):
                near = set(terms(" ".join(words[max(0, i - window) : i + window + 1])))
                if near & self.context or any(prefix_match(t, near) for t in self.context):
                    return True
        return False

    def _date_fit(self, text: str) -> float:
        if self.grain == "deadline":
            return 1.0 if _DEADLINE.search(text) else 0.3
        pattern = _GRAIN.get(self.grain or "")
        return 1.0 if pattern is None or pattern.search(text) else -0.5


# Words that say what kind of answer is wanted, not what it is about: a sentence answering
# "how many troops" or "which outlet reported it" does not contain "many" or "outlet".
FRAME = frozenset(
    terms(
        "many much number figure figures amount name named type kind sort outlet agency company "
        "organisation organization body group date day year month time week city cities country "
        "countries place location describe described characterise characterize characterised "
        "phrase word words quote quoted remark remarks roughly approximately about exactly"
    )
)


def expectation(question: str, kind: AnswerType, alike: Alike | None = None) -> Expectation:
    """What ``question`` expects its answer to hold (``alike``: see ``Expectation.alike``)."""
    focus = focus_noun(question, kind)
    qualifiers: tuple[str, ...] = ()
    named_qualifier = False
    if kind is AnswerType.PERSON and focus:
        for before in _role_context(question, focus)[:1]:
            kept = [w for w in before if w.lower() not in _FILLER]
            qualifiers = tuple(w.lower() for w in kept)
            named_qualifier = any(w[:1].isupper() for w in kept)
    identity = bool(_IDENTITY.search(question))
    context = {t for t in terms(question) if t not in FRAME and (not focus or t != _stem1(focus))}
    modifier = counted_modifier(question) if kind is AnswerType.NUMBER else None
    return Expectation(
        kind, frozenset(entities(question, kind)), focus, date_grain(question), qualifiers,
        modifier, identity, frozenset(context), named_qualifier,
        tuple(asked_acts(question)) if kind is AnswerType.NUMBER else (), alike,
    )  # fmt: skip


# A figure attached to what was done to or by what it counts: "17 journalists have been
# arrested", "1,300 people were detained" (the verb group after the count's noun).
_ATTACHED_ACT = re.compile(
    rf"(?:{NUMBER.pattern})(?:\s+(?!(?:have|has|had|were|was|are|is)\b)[\w-]+){{0,3}}?"
    r"\s+(?:have|has|had|were|was|are|is)(?:\s+been)?((?:\s+\w+){1,3})",
    re.I,
)
_AFTER_PREPOSITION = re.compile(r"\b(?:in|of|from|across|to|for|with|by|at|on|among)\s+$", re.I)


def _counts_other_acts(text: str, acts: tuple[str, ...], alike: Alike | None) -> bool:
    """Whether the figures of ``text`` tied to an act all count another act than the one asked
    about: "17 journalists have been arrested" counts no one killed, while "101 people have
    died" (``alike``) and "3,000 people have been forced to evacuate" (a form of the act) do
    count the dead and the evacuated. False when no figure is tied to a regular past form."""
    tied = [
        m[1].lower().split()
        for m in _ATTACHED_ACT.finditer(text)
        # "an outbreak in six states has been linked": the figure is not what was linked
        if not _AFTER_PREPOSITION.search(text[: m.start()])
    ]
    if not any(w.endswith("ed") for words in tied for w in words):
        return False
    stems = [s for act in acts for s in act_stems(act)]
    return not any(
        names_act(stems, " ".join(words))
        or (alike is not None and any(alike(w, act) for w in words for act in acts))
        for words in tied
    )  # fmt: skip


def _stem1(word: str) -> str:
    found = terms(word)
    return found[0] if found else word


_IDENTITY = re.compile(r"^\s*who (is|was|are|were)\b[^,]*\??$|\bname of\b", re.I)


_FILLER = {"the", "a", "an", "is", "of", "who", "what", "which", "was", "name", "top", "and"}
