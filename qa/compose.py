"""Answer composition. ``Generator`` is the interface; ``ExtractiveGenerator`` is the offline
default: it answers with the best evidence sentences, verbatim, the answering one first, each
followed by its marker; another article is cited beside it when it states the same answer; and it
says so when the articles disagree on a figure (found by ``qa.figures.disagreeing``), attributing
each figure to its article (title or outlet, and date; written by ``qa.drafts``). An answer
that is a near miss (``qa.near_misses``) is a refusal."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Protocol

from qa.dates import dated_before
from qa.drafts import REFUSAL, ArticleInfo, Draft, listed, plain
from qa.entities import entities, name_runs, names, people, sources
from qa.evidence import Sentence, about_a_picture, caption
from qa.expectation import CONTRADICTS, FITS, Alike, asks_for_a_name
from qa.figures import (
    ATTRIBUTED,
    COMPARE,
    Listing,
    current,
    disagreeing,
    figures,
    same_noun,
)
from qa.inflection import singular
from qa.near_misses import near_miss
from qa.question import AnswerType, asked_kind, asks_about_the_future
from qa.settings import Settings
from qa.text import terms


@dataclass(frozen=True)
class Selection:
    """How the extractive answer chooses its sentences, mostly by shares of the best sentence's
    cheap score (``Settings`` fields ``answer_*`` and ``disagreement_*``, each described there
    with how it was calibrated)."""

    # A question with no expected answer type ("what did X say") earns its sentences no
    # answer-type credit, so its refusal threshold is this much lower.
    untyped_allowance: float = 0.05
    strong: float = 0.8  # evidence this near the best is strong: it may join the answer
    other_article: float = 0.9  # another article's sentence joins only this near the best
    corroboration: float = 0.7  # another article's sentence giving the answer's own figure
    corroborations: int = 2  # at most this many such second sources
    redundant: float = 0.6  # sharing more of its words with a chosen sentence adds nothing
    listing: Listing = field(default_factory=Listing)  # which figures a disagreement lists
    # A question that sets a scene, whose answering sentence reads no better with the question
    # than with the scene alone, is answered with its article's sentence that reads this many
    # logits better with the question than with the scene ...
    to_the_point: float = 1.0
    # ... when the cross-encoder reads it at least this relevant to the question.
    to_the_point_relevance: float = 0.0


class Generator(Protocol):
    """Turns ranked evidence into an answer. Citations are attached as data; markers in the text
    that resolve to no citation are removed afterwards (``qa.citations.verify``)."""

    def compose(self, question: str, kind: AnswerType, evidence: list[Sentence],
                info: dict[str, ArticleInfo], threshold: float) -> Draft: ...  # fmt: skip


def missing_answer(
    kind: AnswerType, evidence: list[Sentence], threshold: float,
    strong_share: float = Selection.strong,
) -> str | None:  # fmt: skip
    """Why the evidence, though on topic, does not answer: a number, date or person question
    whose strong evidence (above the threshold and at least ``strong_share`` of the best score)
    holds no number, date or person that fits it (the articles mention the deployment but give
    no count; Thursday is not a calendar date; the Peruvian finance minister is not Chile's).
    None when the evidence holds the thing asked for."""
    if not evidence:
        return None
    top = max(s.score for s in evidence)
    strong = [s for s in evidence if s.score >= max(threshold, strong_share * top)]
    if kind not in (AnswerType.NUMBER, AnswerType.DATE, AnswerType.PERSON):
        return None
    if any(s.typed > 0 for s in strong):
        return None
    if kind is AnswerType.PERSON:  # the role in one sentence, the name in the next
        for s in strong:
            if s.typed == 0 and ExtractiveGenerator._neighbour(kind, s, evidence):
                return None
    return f"no {kind.value} in the evidence fits the question"


def _same_answer(kind: AnswerType, chosen: list[Sentence], s: Sentence) -> bool:
    """Whether another article's sentence states the answer already chosen (the same figure,
    person, place or date): only then does citing it beside them support the answer. A
    different one would be a second answer shown as if it agreed (disagreeing figures get their
    own, attributed list)."""
    if kind is AnswerType.OTHER:
        return True
    mine = {e for c in chosen for e in answers(kind, c.text)}
    return not mine or bool(mine & answers(kind, s.text))


def _new_answer(kind: AnswerType, chosen: list[Sentence], s: Sentence) -> bool:
    """Whether another article's sentence states an answer of ``kind`` not chosen yet: for a
    question that asks for several things, the second one."""
    mine = {e for c in chosen for e in answers(kind, c.text)}
    return bool(answers(kind, s.text) - mine)


_RESPECTIVELY = re.compile(r"\brespectively\b", re.I)


def asks_for_several(question: str) -> bool:
    """Whether a question asks for several things of one kind ("In which cities did they
    meet?", "..., respectively?"), each of which another article may give."""
    kind = asked_kind(question)
    return (kind is not None and singular(kind) != kind) or bool(_RESPECTIVELY.search(question))


def beside(start: int, end: int, other_start: int, other_end: int, reach: int = 300) -> bool:
    """Whether two spans of one article are next to each other (within ``reach`` characters)."""
    return 0 <= other_start - end < reach or 0 <= start - other_end < reach


def answers(kind: AnswerType, text: str) -> set[str]:
    """The things in ``text`` that may answer a question of ``kind``; for "which agency", also
    a lone name given as a source ("Janes said")."""
    found = entities(text, kind)
    return found | sources(text) if kind is AnswerType.ORGANISATION else found


def _names_answer(kind: AnswerType, s: Sentence) -> bool:
    """Whether the sentence itself holds the thing asked for (not a role or "the agency")."""
    return bool(names(s.text) if kind is AnswerType.PERSON else entities(s.text, kind))


def _redundant(s: Sentence, chosen: list[Sentence], share: float) -> bool:
    """Whether ``s`` and a sentence already chosen share more than ``share`` of the words of
    the shorter one."""
    mine = set(terms(s.text))
    for c in chosen:
        theirs = set(terms(c.text))
        if len(mine & theirs) / max(1, min(len(mine), len(theirs))) > share:
            return True
    return False


def noted(draft: Draft, note: str) -> Draft:
    """``draft`` with ``note`` after its own notes, unless it is a refusal."""
    return draft if draft.refused else replace(draft, notes=[*draft.notes, note])


class ExtractiveGenerator:
    """Answers with evidence sentences quoted exactly; no language model involved."""

    def __init__(self, max_sentences: int = 2, alike: Alike = same_noun,
                 is_person: Callable[[str], bool] | None = None,
                 person_relevance: float | None = None,
                 selection: Selection = Selection()) -> None:  # fmt: skip
        """``alike`` tells whether two counted nouns count the same kind of thing (the
        Assistant asks the embedding model); by default only the same noun does. ``is_person``
        tells whether a capitalised run names a person (``qa.evidence.PersonReader``): with it,
        an answer to a person question that names no one new is a refusal. A person question
        whose best sentence the cross-encoder reads below ``person_relevance`` logits is a
        refusal too: a sentence that says who did the thing asked about reads high to it.
        ``selection`` says how near the best sentence the others must be to join it."""
        self.max_sentences = max_sentences
        self.selection = selection
        self.alike = alike
        self.is_person = is_person
        self.person_relevance = person_relevance

    @classmethod
    def from_settings(cls, settings: Settings, alike: Alike = same_noun,
                      is_person: Callable[[str], bool] | None = None) -> ExtractiveGenerator:  # fmt: skip
        """The composer as ``settings`` calibrate it (see ``__init__`` for ``alike`` and
        ``is_person``)."""
        return cls(
            settings.max_sentences, alike, is_person, settings.person_relevance,
            Selection(
                settings.answer_untyped_allowance, settings.answer_strong_share,
                settings.answer_other_article_share, settings.answer_corroboration_share,
                settings.answer_corroborations, settings.answer_redundant_overlap,
                Listing(
                    settings.disagreement_pool_share, settings.disagreement_listed_share,
                    settings.disagreement_sentences, settings.disagreement_magnitude,
                    settings.disagreement_relevance_margin,
                    settings.disagreement_update_days,
                ),
                settings.answer_to_the_point, settings.answer_to_the_point_relevance,
            ),
        )  # fmt: skip

    def compose(self, question: str, kind: AnswerType, evidence: list[Sentence],
                info: dict[str, ArticleInfo], threshold: float) -> Draft:  # fmt: skip
        """The answer: the best evidence sentence first, then at most ``max_sentences - 1``
        more; or the per-article list when the articles give different figures."""
        share = self.selection
        if kind is AnswerType.OTHER:
            threshold -= share.untyped_allowance
        if not evidence or max(s.score for s in evidence) < threshold:
            return Draft(REFUSAL, True)
        if reason := missing_answer(kind, evidence, threshold, share.strong):
            return Draft(REFUSAL, True, notes=[reason])
        best = evidence[0]
        if (
            kind is AnswerType.PERSON and self.person_relevance is not None
            and best.relevance is not None and best.relevance < self.person_relevance
        ):  # fmt: skip
            return Draft(REFUSAL, True, notes=["no sentence says who, by the cross-encoder"])
        if best.typed <= CONTRADICTS:  # the best evidence is about someone else: no answer
            return Draft(REFUSAL, True, notes=["the answering sentence is about someone else"])
        compare = bool(COMPARE.search(question))
        # "did X say": X's figure, not a survey
        if compare or not ATTRIBUTED.search(question):
            disagreement, quantity = disagreeing(
                question, kind, evidence, share.listing, self.alike, compare
            )
            if (
                disagreement and not compare
                and (latest := current(question, evidence, share.listing, self.alike))
                is not evidence
            ):  # fmt: skip  # figures reported weeks apart: an update, not a disagreement
                evidence = latest
                superseded = (
                    f"figures reported more than {share.listing.update_days} days before the"
                    f" latest report ({latest[0].passage.published}) are left out: later"
                    " reports update them"
                )
                disagreement, quantity = disagreeing(
                    question, kind, evidence, share.listing, self.alike, compare
                )
                if disagreement:
                    return noted(listed(disagreement, quantity, info, evidence), superseded)
                return noted(self._answer(question, kind, evidence, info, threshold), superseded)
            if disagreement:
                return listed(disagreement, quantity, info, evidence)
        return self._answer(question, kind, evidence, info, threshold)

    def _answer(self, question: str, kind: AnswerType, evidence: list[Sentence],
                info: dict[str, ArticleInfo], threshold: float) -> Draft:  # fmt: skip
        """The answer from the best evidence sentence (the first), with at most
        ``max_sentences - 1`` more that join it."""
        share = self.selection
        best = evidence[0]
        if (
            best.antecedent is not None and self.max_sentences > 1
        ):  # the sentence before names what this one says of it
            return self._answer_or_refusal(question, kind, [best.antecedent, best], info)
        chosen = [best, *self._neighbour(kind, best, evidence)]
        pinned = set(figures(question))  # "which body said the port handled 48,000 containers"
        several = asks_for_several(question)  # "In which cities ...": each article may name one
        for s in evidence[1:]:  # best first, by the cross-encoder's judgement
            if len(chosen) >= self.max_sentences:
                break
            if s.score < max(threshold, share.strong * best.score):
                continue
            fits = kind is AnswerType.OTHER or s.typed >= min(best.typed, 1.0) > 0
            if not fits or _redundant(s, chosen, share.redundant):
                continue
            if s.article_id != best.article_id:
                # another article's sentence only states the same answer, nearly as well, and
                # about the figure the question names if it names one: a sentence on another
                # part of the question was as often a second, different answer (measured on
                # the news suite: strict accuracy 0.216 -> 0.265, citation precision 0.470 ->
                # 0.509, one answer right only by its second sentence lost)
                if pinned and not pinned & set(figures(s.text)):
                    continue
                if (
                    kind is AnswerType.OTHER
                    or s.score < share.other_article * best.score
                    or not (_new_answer if several else _same_answer)(kind, chosen, s)
                ):
                    continue
            chosen.append(s)
        if kind is AnswerType.NUMBER:
            room = max(0, self.max_sentences - len(chosen))
            chosen += self._corroborating(best, evidence, chosen, info)[:room]
        if kind is AnswerType.PERSON and not self._new_people(question, chosen):
            chosen = self._naming_someone(question, evidence, threshold) or chosen
        if self.max_sentences > 1 and (point := self._to_the_point(chosen[0], evidence)):
            chosen = [chosen[0], point]
        if not about_a_picture(question):  # a caption answers, or joins nothing
            chosen = [chosen[0], *(s for s in chosen[1:] if not caption(s.text))]
        return self._answer_or_refusal(question, kind, chosen, info)

    def _to_the_point(self, lead: Sentence, evidence: list[Sentence]) -> Sentence | None:
        """For a question that sets a scene before it asks ("A ticket sold in Pine Valley won
        the jackpot. At which store was it sold?"), when the answering sentence only retells the
        scene (the cross-encoder reads it no better with the question than with the scene alone:
        "A ticket sold in Pine Valley won the $2 billion jackpot, officials said") and holds no
        fitting thing of the kind asked for: of the same article's sentences that read at least
        ``Selection.to_the_point`` logits better with the question than with the scene alone,
        the one most relevant to the question ("It was sold at Joe's Service Center"). It is
        quoted second, after the sentence it completes (quoted first, it is the one the refusal
        checks read, and an unanswerable probe question was answered). None when there is none,
        or the question sets no scene. A lead that holds a fitting figure or name keeps its own
        second sentence: replacing that gave two right answers more on the probe sets but put a
        distractor ("the winning bid of $4.5 million in 2019") in place of a second source."""
        if lead.to_the_point is None or lead.to_the_point > 0 or lead.typed >= FITS:
            return None
        share = self.selection
        pointed = [
            s for s in evidence
            if s.article_id == lead.article_id and s is not lead
            and s.to_the_point is not None and s.to_the_point > share.to_the_point
            and s.relevance is not None and s.relevance >= share.to_the_point_relevance
        ]  # fmt: skip
        return max(pointed, key=lambda s: s.relevance or 0.0, default=None)

    def _naming_someone(self, question: str, evidence: list[Sentence],
                        threshold: float) -> list[Sentence]:  # fmt: skip
        """For a person question whose chosen sentences name no one new: the first evidence
        sentence after the best, in the cross-encoder's order, that does, when it is strong
        evidence (above the threshold and ``Selection.strong`` of the best's cheap score) and
        the cross-encoder reads it at least ``person_relevance`` logits. The best sentence is
        often the headline ("Latest Watson lawsuit first since joining Cleveland Browns", a team
        and no person); the sentence that names the person asked about reads nearly as well.
        [] when there is none: the answer is then a refusal."""
        if self.is_person is None or not asks_for_a_name(question):
            return []
        floor = max(threshold, self.selection.strong * evidence[0].score)
        for s in evidence[1:]:
            read = self.person_relevance is None or (
                s.relevance is not None and s.relevance >= self.person_relevance
            )
            if s.score >= floor and read and self._new_people(question, [s]):
                return [s]
        return []

    def _answer_or_refusal(self, question: str, kind: AnswerType, chosen: list[Sentence],
                           info: dict[str, ArticleInfo]) -> Draft:  # fmt: skip
        """The answer quoting ``chosen``; a refusal when it is to a person question and names
        no one the question does not ("Who won the jackpot?": "A ticket sold at a Pine
        Valley store won ..."; "Who coached the Sharks?": "Olsen's Harbor Sharks lost to the
        Lakeside Kings"), when it is to a number or date question and none of ``chosen`` holds a
        figure or date that fits it ("How much did tickets cost?": "The band is heading to the
        arena for six concerts.", chosen by the cross-encoder over a sentence on a gift shop's
        prices: ``missing_answer`` looks at the strong evidence, this at what is quoted;
        measured on the news suite: refusal recall 0.689 -> 0.711, one wrong answer became a
        refusal and nothing right was lost), or when it is to a question about something still
        to come ("When will the plant open?") and dates only what came before its article ("...
        pictured on January 7", in an article of January 20), or when it is a near miss
        (``qa.near_misses``: it tells of another year than the one the question pins, never
        mentions the event a where/when question asks about, speaks of another of the things the
        question numbers, lacks the name asked for, or only looks ahead to what the question
        asks was done)."""
        if (
            kind is AnswerType.PERSON and self.is_person is not None and asks_for_a_name(question)
            and not self._new_people(question, chosen)
        ):  # fmt: skip
            return Draft(REFUSAL, True, notes=["the answering sentences name no one"])
        if kind in (AnswerType.NUMBER, AnswerType.DATE) and not any(s.typed > 0 for s in chosen):
            return Draft(REFUSAL, True, notes=[f"the answering sentences give no {kind.value}"])
        if reason := near_miss(question, chosen):
            return Draft(REFUSAL, True, notes=[reason])
        if kind is AnswerType.DATE and asks_about_the_future(question):

            def past(s: Sentence) -> bool:
                published = info[s.article_id].published
                if not published:
                    return False
                return dated_before(s.text, date.fromisoformat(published[:10]))

            if all(past(s) for s in chosen):
                return Draft(REFUSAL, True, notes=["the evidence dates only what came before it"])
        return plain(chosen, info)

    def _new_people(self, question: str, chosen: list[Sentence]) -> set[str]:
        """The people ``chosen`` names (read as people by ``is_person``; none without it) that
        the question does not."""
        if self.is_person is None:
            return set()
        asked = question.lower()
        given = [run.lower() for run in name_runs(question)]  # "Mara Olsen Day" is hers
        return {
            n for s in chosen for n in people(s.text, self.is_person)
            if n not in asked and not any(g in n for g in given)
        }  # fmt: skip

    def _corroborating(
        self, best: Sentence, evidence: list[Sentence], chosen: list[Sentence],
        info: dict[str, ArticleInfo],
    ) -> list[Sentence]:  # fmt: skip
        """Other articles' sentences that state the answer's own figure ("more than 14,000
        casualties" beside "almost 14,000 people"): a second source for the same number is worth
        citing even when its wording matches the question less well. Not another article of the
        best one's outlet (when known): a digest or a follow-up repeating its poll's figure adds
        no second source (measured on the news suite: strict accuracy 0.422 -> 0.431, citation
        precision 0.600 -> 0.605; nothing else moves on the gate or the probe sets)."""
        share = self.selection
        outlet = info[best.article_id].source
        values = set(figures(best.text))
        seen = {s.article_id for s in chosen}
        out: list[Sentence] = []
        for s in evidence if values else []:
            if (
                s.article_id not in seen and s.typed > 0
                and not (outlet and info[s.article_id].source == outlet)
                and s.score >= share.corroboration * best.score
                and values & set(figures(s.text))
            ):  # fmt: skip
                out.append(s)
                seen.add(s.article_id)
        return out[: share.corroborations]

    @staticmethod
    def _neighbour(kind: AnswerType, best: Sentence, evidence: list[Sentence]) -> list[Sentence]:
        """When the best sentence matches the question but lacks the thing asked for (no name for
        "who"), the sentence next to it often has it ("... the finance minister said." /
        "Mario Soto said ...")."""
        if kind is AnswerType.OTHER or (best.typed > 0 and _names_answer(kind, best)):
            return []
        near = [
            s for s in evidence
            if s.article_id == best.article_id
            and answers(kind, s.text)
            and beside(best.start, best.end, s.start, s.end)
        ]  # fmt: skip
        # the one after first: a credit follows its caption, a name the role it fills
        return sorted(near, key=lambda s: (s.start < best.start, -s.score))[:1]
