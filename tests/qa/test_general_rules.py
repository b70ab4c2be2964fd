"""General answer rules, each written from sentences made up for it (none from the seeds): what a
question pins down must be in the answer's articles, the asking sentence types the question,
evidence prefers the week asked about, "agree to" is not a comparison, and a disagreement quotes
an article's body rather than its headline."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from fakes import HashEmbedder, OverlapCrossEncoder
from qa_helpers import fake_assistant, write

from qa import Settings
from qa.answer import Passage
from qa.compose import ExtractiveGenerator, asks_for_several
from qa.constraints import full_names, mentions, named, pinned, said_in, speaker, unmet
from qa.dates import dated_before, earliest_day
from qa.drafts import ArticleInfo, Draft, attribution
from qa.entities import (
    entities,
    name_runs,
    names,
    people,
    spelling,
    title_case,
)
from qa.evidence import (
    Cheap,
    Sentence,
    SentenceVectors,
    of_the_week,
    score_sentences,
)
from qa.expectation import asks_for_a_name, counted_modifier, expectation, focus_noun
from qa.inflection import ordinal_word, ordinals
from qa.near_misses import other_event, other_year
from qa.question import (
    AnswerType,
    answer_type,
    asked_event,
    asked_kind,
    asking_clause,
    asks_about_the_future,
    asks_about_the_past,
    asks_about_this_week,
    only_looks_ahead,
    refers_back,
    scene,
)
from qa.relevance import Relevance, heading, rerank, with_antecedent, with_speaker
from qa.retrieval import recency

SUMMIT = "Leaders met in Madrid for the alliance's summit; next year's will be in Vilnius."


def test_pinned_reads_the_asking_sentence_only() -> None:
    assert pinned("Where will the alliance hold its 2023 summit?") == ["2023"]
    assert pinned("The striker scored his 41st goal. Who holds the record of 73 goals?") == ["73"]
    assert pinned("How much did the recall of 1,250,000 cars and 2.9 million trucks cost?") == [
        "1250000", "2.9",
    ]  # fmt: skip
    assert pinned("Who won the cup?") == []
    # a bound is no figure to match: the article may say "at least 311"
    assert pinned("Where was the quake that killed more than 300 people in 2015?") == ["2015"]
    assert pinned("What did the senator say about 2024?") == ["2024"]  # a year, not a bound


def test_mentions_a_figure_as_a_number_of_its_own() -> None:
    assert mentions("his 62nd goal", "62") and mentions("prices rose 13.5%", "13")
    assert mentions("1,200 workers", "1200") and mentions("the COP27 talks", "27")
    assert not mentions("in 2027", "27") and not mentions("a 1.27 ratio", "27")
    assert not mentions("2.95 million", "2.9")


def test_a_year_is_met_by_the_text_or_the_publication_year() -> None:
    question = "Where will the alliance hold its 2023 summit?"
    assert unmet(question, [(SUMMIT, "2022-06-28")], [SUMMIT]) == (
        "the articles cited never mention 2023, which the question names"
    )
    assert unmet(question, [(SUMMIT, "2023-01-05")], [SUMMIT]) is None
    both = [(SUMMIT, "2022-06-28"), ("The 2023 summit is in Vilnius.", None)]
    assert unmet(question, both, [SUMMIT]) is None
    assert unmet("Who won the cup?", [(SUMMIT, None)], [SUMMIT]) is None


def test_names_of_the_asking_sentence() -> None:
    assert named("How many acres did California's McKinney Fire burn in July?") == [
        "California", "McKinney", "Fire",
    ]  # fmt: skip
    assert named("The Tigers won on Monday. Did the Lions-Bears game go ahead?") == [
        "Lions", "Bears",
    ]  # fmt: skip
    assert named("Who won the cup?") == [] and named("What did U.S. officials say?") == []


def test_a_name_no_article_found_mentions_is_unmet() -> None:
    fire = "The Oak Fire burned 19,000 acres near Yosemite."
    question = "How many acres did the McKinney Fire burn?"
    assert unmet(question, [(fire, None)], [fire, "Crews fought a fire."]) == (
        "no article found mentions McKinney, which the question names"
    )
    assert unmet("How many acres did the Oak fire burn?", [(fire, None)], [fire]) is None


def test_a_full_name_no_cited_article_mentions_is_unmet() -> None:
    oak = "The Oak Fire burned 19,000 acres near Yosemite."
    mckinney = "The McKinney Fire grew to 55,000 acres."
    question = "How many acres did the McKinney Fire burn?"
    # an article found names it, but the answer quotes another fire's
    assert unmet(question, [(oak, None)], [oak, mckinney]) == (
        "no article cited mentions McKinney Fire, which the question names"
    )
    assert unmet(question, [(oak, None), (mckinney, None)], [oak, mckinney]) is None
    hockey = "Eric Staal, who won gold with Canada in 2010, had little chance of the 2022 team."
    tour = "Tour de France winner is crowned in Paris."
    assert unmet("Who won the 2022 Tour de France?", [(hockey, None)], [hockey, tour]) == (
        "no article cited mentions Tour de France, which the question names"
    )
    # one word may only point at the article a multi-part question is about
    found = [tour, "Olsen met the envoy."]
    assert unmet("What did the envoy Olsen met say?", [(hockey, None)], found) is None
    # most of a long name will do: a title may be left out
    biden = "President Biden met the envoy."
    found = [biden, "Senator Joe Manchin and Joe Biden spoke."]
    assert unmet("What did President Joe Biden tell the envoy?", [(biden, None)], found) is None
    assert unmet("What did Senator Joe Manchin tell the envoy?", [(biden, None)], found) == (
        "no article cited mentions Senator Joe Manchin, which the question names"
    )
    # the sentence's first word opens it; a hyphenated modifier's capitalised part is the name
    assert full_names("Does Olsen's figure match?") == {}
    assert full_names("At which Los Angeles-area store was it sold?") == {
        "Los Angeles-area": ["Los", "Angeles"]
    }


def test_a_question_of_several_sentences_is_typed_by_the_one_that_asks() -> None:
    setting = "The striker scored his 41st goal of the season on Sunday. "
    assert asking_clause(setting + "Who holds the record?") == "Who holds the record?"
    assert answer_type(setting + "Who holds the record?") is AnswerType.PERSON
    assert answer_type("A teenager flew around the world alone. How old is he?") is (
        AnswerType.NUMBER
    )
    assert answer_type("Dr. Okafor led the study. Where is the lab?") is AnswerType.PLACE
    assert answer_type("Who won? Tell me briefly.") is AnswerType.PERSON


def test_a_question_for_a_state_county_or_island_asks_for_a_place() -> None:
    for noun in ("state", "county", "province", "island", "continent", "town"):
        assert answer_type(f"Floods hit which {noun} this week?") is AnswerType.PLACE
    assert answer_type("Which state-owned firm won the contract?") is not AnswerType.PLACE


def test_recency_halves_in_about_a_week_and_ignores_undated() -> None:
    asked = date(2022, 9, 22)
    assert recency(asked, "2022-09-22") == 1.0
    assert 0.45 < recency(asked, "2022-09-15") < 0.55
    assert recency(asked, None) == 0.0 and recency(None, "2022-09-22") == 0.0


def _sentence(text: str, published: str) -> Sentence:
    passage = Passage(1, published, "t", published, None, 0, len(text), text, 0.0)
    return Sentence(published, 0, len(text), text, passage, 0.5, 0.5, 0.0, 0.5)


def test_rerank_prefers_the_story_of_the_week_asked_about() -> None:
    old = _sentence("The team won its first title in a final.", "2021-09-20")
    new = _sentence("The team won its first title.", "2022-09-20")
    question = "Which team won its first title in the final?"
    encoder = OverlapCrossEncoder()  # the old sentence shares more words
    assert rerank(question, [old, new], encoder, Relevance(2, 1.0))[0].text == old.text
    with_dates = rerank(question, [old, new], encoder, Relevance(2, 1.0, 2.0), date(2022, 9, 22))
    assert with_dates[0].text == new.text
    assert rerank(question, [old, new], encoder, Relevance(2, 1.0, 2.0))[0].text == old.text


def test_a_question_about_this_week_says_so_in_its_scene_or_its_question() -> None:
    assert asks_about_this_week("Which automaker recalled 200,000 pickups this week?")
    assert asks_about_this_week("A no-hitter was thrown this week. Which teams are playing?")
    assert asks_about_this_week("Which film led the box office this weekend?")
    assert asks_about_this_week("What did the council approve this past week?")
    assert not asks_about_this_week("Which automaker recalled pickups last year?")
    assert not asks_about_this_week("What happened in the week before the vote?")


def test_this_weeks_question_reads_this_weeks_articles() -> None:
    old = replace(_sentence("Fiat recalled a million pickups.", "2019-05-15"), score=0.7)
    new = replace(_sentence("Nissan recalled 180,000 pickups.", "2022-09-18"), score=0.5)
    undated = replace(_sentence("Pickups are recalled often.", ""), score=0.45)
    assert of_the_week([old, new, undated], "2022-09-15") == [new, undated]
    assert of_the_week([old, replace(new, score=0.1)], "2022-09-15") == [replace(new, score=0.1)]
    assert of_the_week([old], "2022-09-15") == []  # no sentence of that week at all
    assert of_the_week([old, new], "2018-09-15") == [old, new]


def test_the_assistant_refuses_this_week_when_the_weeks_story_is_off_topic(
    tmp_path: Path,
) -> None:
    folder = write(tmp_path / "news", {
        "old.txt": "Ram recall\ndate 2019-05-15\n\nThe automaker Fiat Chrysler is recalling"
                   " pickup trucks, the automaker said of its pickup trucks.",
        "new.txt": "Harbor\ndate 2022-09-18\n\nThe harbor ferry timetable changes in October.",
    })  # fmt: skip
    assistant = fake_assistant(folder, tmp_path / "home")
    question = "Which automaker is recalling pickup trucks this week?"
    answer = assistant.ask(question, as_of="2022-09-22")
    assert answer.refused and answer.notes == [
        "the question asks about this week: only articles published since 2022-09-15 were read"
    ]
    assert "Fiat" in assistant.ask(question.replace(" this week", ""), as_of="2022-09-22").text


def test_the_assistant_answers_this_week_from_this_weeks_story(tmp_path: Path) -> None:
    folder = write(tmp_path / "news", {
        "old.txt": "Ram recall\ndate 2019-05-15\n\nThe automaker Fiat Chrysler is recalling"
                   " pickup trucks, the automaker said of its pickup trucks.",
        "new.txt": "Rollaway risk\ndate 2022-09-18\n\nThe automaker Nissan is recalling pickup"
                   " trucks over a rollaway risk.",
    })  # fmt: skip
    question = "Which automaker is recalling pickup trucks this week?"
    answer = fake_assistant(folder, tmp_path / "home").ask(question, as_of="2022-09-22")
    assert not answer.refused and "Nissan" in answer.text
    assert {c.article_id for c in answer.citations} == {"new"}
    off = fake_assistant(folder, tmp_path / "home-off", this_week_days=0)
    assert "Fiat" in off.ask(question, as_of="2022-09-22").text  # the old story reads better


def test_the_assistant_refuses_an_answer_about_another_year(tmp_path: Path) -> None:
    folder = write(
        tmp_path / "news", {"summit.txt": f"Alliance summit\ndate 2022-06-28\n\n{SUMMIT}"}
    )
    assistant = fake_assistant(folder, tmp_path / "home")
    assert not assistant.ask("Where did the alliance leaders meet for the summit?").refused
    answer = assistant.ask("Where will the alliance leaders meet for the 2024 summit?")
    assert answer.refused and answer.notes == [
        "the articles cited never mention 2024, which the question names"
    ]


def test_an_answering_sentence_dated_by_another_year_is_refused() -> None:
    question = "Which city hosted the previous summit, in 2021?"
    photo = _sentence("Leaders pose for a photo at the summit in Qingdao on June 10, 2018.", "a")
    assert (
        other_year(question, [photo])
        == "the answering sentence tells of 2018, the question of 2021"
    )
    same = _sentence("The 2021 summit was held in Dushanbe.", "b")
    undated = _sentence("The previous summit was held in Dushanbe.", "c")
    assert other_year(question, [same]) is None and other_year(question, [undated]) is None
    # only the answering sentence counts; and a question that pins no year asks none of this
    assert other_year(question, [undated, photo]) is None
    assert other_year("Which city hosted the previous summit?", [photo]) is None
    # a count is no year
    assert other_year(question, [_sentence("Some 2,018 delegates came to Dushanbe.", "d")]) is None
    # a report written in the year asked about gives earlier years as background
    final = "Which team won the 2022 final?"
    background = "The Avalanche won their first title since 2001."
    assert other_year(final, [_sentence(background, "2022-06-27")]) is None
    assert other_year(final, [_sentence(background, "2021-06-27")]) is not None


def test_the_event_a_where_or_when_question_asks_about() -> None:
    assert asked_event("Where was the late mayor’s public memorial service held?") == [
        "public", "memorial", "service"
    ]  # fmt: skip
    assert asked_event("When will the trade summit for Pacific nations take place?") == [
        "trade", "summit"
    ]  # fmt: skip
    assert asked_event("Where was the 2031 Tour de Lune held?") == []  # a name's "de" is no event
    assert asked_event("Where did he say the troops were gathered?") == []  # no event asked
    assert asked_event("Who hosted the gala?") == []


def test_an_answer_placing_another_event_is_refused() -> None:
    question = "Where was the singer's memorial service held?"
    death = _sentence("The singer died peacefully at her ranch near Alder Creek.", "a")
    assert other_event(question, [death]) == (
        "the answering sentences never mention the memorial service the question asks about"
    )
    held = _sentence("Fans filled the Grand Hall for the memorial on Sunday.", "b")
    assert other_event(question, [held]) is None
    # the sentence next to it may name the event; a word starting with its stem is enough
    beside = replace(death, around="A memorial is planned for next month.")
    assert other_event(question, [beside]) is None
    voters = _sentence("Voters went to the polls on Tuesday.", "c")
    assert other_event("When was the vote held?", [voters]) is None
    # only the answering sentence (with the one it follows) counts, and other questions pass
    assert other_event(question, [death, held]) is not None
    assert other_event("Where did the singer die?", [death]) is None


def test_the_assistant_refuses_to_place_an_event_its_articles_never_mention(
    tmp_path: Path,
) -> None:
    text = (
        "Singer Ann Vale dies at 80\ndate 2031-05-02\n\n"
        "Singer Ann Vale died on Friday at her ranch in the Alder Valley, her family said. "
        "She recorded forty albums over six decades."
    )
    assistant = fake_assistant(write(tmp_path / "news", {"vale.txt": text}), tmp_path / "home")
    assert not assistant.ask("Where did singer Ann Vale die?").refused
    answer = assistant.ask("Where was the memorial service for singer Ann Vale held?")
    assert answer.refused and answer.notes == [
        "the answering sentences never mention the memorial service the question asks about"
    ]


def test_every_asking_sentence_counts() -> None:
    question = "How many ships sailed from the port? Do the reports agree?"
    assert asking_clause(question) == question
    assert answer_type(question) is AnswerType.NUMBER


def test_name_of_the_thing_is_not_a_person_question() -> None:
    assert answer_type("What is the name of the new ferry?") is AnswerType.OTHER
    assert answer_type("What is the name of the judge who heard the case?") is AnswerType.PERSON


def test_agree_to_pay_is_not_a_comparison(tmp_path: Path) -> None:
    text = (
        "City settles wrongful conviction case\ndate 2022-11-02\n\nThe city agreed to pay"
        " 26 million dollars to two men, after 40,000 residents signed a petition for them."
    )
    assistant = fake_assistant(write(tmp_path / "news", {"city.txt": text}), tmp_path / "home")
    answer = assistant.ask("How much did the city agree to pay the two men?")
    assert not answer.refused and answer.disagreement is None
    assert "26 million dollars" in answer.text


def test_a_disagreement_quotes_the_body_not_the_headline(tmp_path: Path) -> None:
    articles = {
        "a.txt": "Port handled 48,000 containers in May\ndate 2022-06-01\n\nThe port handled"
        " 48,000 containers in May, its busiest month, the harbour authority said.",
        "b.txt": "Shipping update\ndate 2022-06-03\n\nThe port handled 52,000 containers in"
        " May, according to the shipping association.",
    }
    assistant = fake_assistant(write(tmp_path / "news", articles), tmp_path / "home")
    answer = assistant.ask("How many containers did the port handle in May?")
    assert answer.disagreement is not None, answer.text
    assert "Port handled 48,000 containers in May [" not in answer.text
    assert "busiest month" in answer.text


def test_attribution_names_outlet_title_and_date() -> None:
    info = ArticleInfo("Gas prices fall a little", "2022-03-15", "example.com")
    assert attribution(info) == "example.com, “Gas prices fall a little” (2022-03-15)"
    assert attribution(ArticleInfo("Gas prices fall a little", None, None)) == (
        "“Gas prices fall a little”"
    )
    assert attribution(ArticleInfo("", None, None)) == "one article"


def test_a_name_is_mentioned_by_its_other_forms() -> None:
    found = ["Russia has massed troops near Ukraine; Peru and China watched."]
    for question in (
        "How many Russian troops are near the Ukrainian border?",
        "What did the Peruvian and Chinese envoys say?",
    ):
        assert unmet(question, [(found[0], None)], found) is None
    assert unmet("What did the Bolivian envoy say?", [(found[0], None)], found) is not None


def test_the_cheap_score_is_weighted_by_its_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "The port handled 48,000 containers in May. The harbour was busy in May."
    passage = Passage(1, "a", "", None, None, 0, len(text), text, 0.0)
    embedder = HashEmbedder()
    question = "How many containers did the port handle in May?"

    def scores(cheap: Cheap) -> dict[str, float]:
        found = score_sentences(question, question, (), AnswerType.NUMBER, [passage], {"a": text},
                                {}, SentenceVectors(embedder), embedder.embed_query(question),
                                cheap)  # fmt: skip
        return {s.text: s.score for s in found}

    default, untyped = scores(Cheap()), scores(Cheap(typed=0.0))
    figure = "The port handled 48,000 containers in May."
    assert default[figure] - untyped[figure] == pytest.approx(0.15)  # the figure's type credit
    monkeypatch.setenv("QA_EVIDENCE_TYPE_WEIGHT", "0.3")
    monkeypatch.setenv("QA_EVIDENCE_NEAR_CREDIT", "0.1")
    settings = Settings.load()
    assert (settings.evidence_type_weight, settings.evidence_near_credit) == (0.3, 0.1)


def test_a_question_about_money_wants_an_amount_of_money() -> None:
    for question in (
        "How much did the museum pay for the painting?",
        "The storm caused how much in damages?",
        "What was the production budget of the film?",
        "How many dollars did the city spend?",
        'How much did "Harbour: Part Two" (the sequel) earn at the box office?',
    ):
        kind = answer_type(question)
        assert kind is AnswerType.NUMBER and focus_noun(question, kind) == "money", question
    expect = expectation("How much was the airline fined?", AnswerType.NUMBER)
    assert expect.match("The regulator fined it 405 million euro on Friday.") == 1.0
    assert expect.match("It was fined $2.5m over 1,200 late flights.") == 1.0
    assert expect.match("The airline was fined over 1,200 late flights.") == 0.0
    # a share is not money: "how much have prices risen" keeps the plain number rule
    assert focus_noun("How much have bread prices risen?", AnswerType.NUMBER) is None


def test_a_count_of_another_act_is_not_a_count_of_the_act_asked_about() -> None:
    question = "How many crew members were killed in the ferry fire?"
    expect = expectation(question, AnswerType.NUMBER)
    assert expect.match("At least 12 crew members were killed when the fire spread.") == 1.0
    assert expect.match("At least 12 crew members were arrested after the fire.") == 0.0
    assert expect.match("At least 12 crew members have been rescued, and 3 were killed.") == 1.0
    # a count tied to no act, or inside a phrase ("a fire on 2 decks"), is not judged by it
    assert expect.match("The fire killed 12 crew members, officials said.") == 1.0
    assert expect.match("The fire on 2 decks has been blamed on a fault; 12 crew members died.") > 0
    # another word for the act, when the embedding model says so, is the act
    assert expect.match("At least 12 crew members have died, officials said.") == 0.0
    alike = expectation(question, AnswerType.NUMBER, lambda a, b: {a, b} == {"died", "killed"})
    assert alike.match("At least 12 crew members have died, officials said.") == 1.0
    assert alike.match("At least 12 crew members were arrested after the fire.") == 0.0
    # another form of the act: "forced to evacuate" counts the evacuated
    evacuated = expectation("How many residents were evacuated?", AnswerType.NUMBER)
    assert evacuated.match("About 3,000 residents have been forced to evacuate.") == 1.0
    assert evacuated.match("About 3,000 residents have been injured.") == 0.0


def test_a_figure_of_a_noun_the_model_reads_as_the_asked_one_counts_it() -> None:
    question = "How many troops has the alliance sent to the border?"
    plain = expectation(question, AnswerType.NUMBER)
    alike = expectation(question, AnswerType.NUMBER, lambda a, b: {a, b} == {"soldier", "troop"})
    soldiers = "The alliance has sent 4,000 Nordic soldiers to the border."
    assert plain.match(soldiers) == 0.0 and alike.match(soldiers) == 1.0
    assert alike.match("The alliance has sent 4,000 tanks to the border.") == 0.0


def test_how_old_wants_an_age_not_any_number_of_years() -> None:
    question = "How old was the lighthouse keeper when he retired?"
    assert focus_noun(question, answer_type(question)) == "age"
    expect = expectation(question, answer_type(question))
    for age in ("The keeper was 81 years old.", "The 81-year-old keeper retired in May.",
                "He retired aged 81.", "He retired at the age of 81."):  # fmt: skip
        assert expect.match(age) == 1.0, age
    assert expect.match("He kept the light for his 52 years on the island.") == 0.0


def test_a_question_for_a_percentage_wants_a_figure_in_percent() -> None:
    question = "By what percentage did ferry fares rise this spring?"
    assert focus_noun(question, answer_type(question)) == "percent"
    expect = expectation(question, answer_type(question))
    assert expect.match("Fares rose 12.5% in April, the operator said.") == 1.0
    assert expect.match("Fares rose 4 percent after the strike.") == 1.0
    assert expect.match("The operator spoke to reporters on March 28.") <= 0.0  # a date's 28


def test_no_amount_of_money_in_the_evidence_is_a_refusal(tmp_path: Path) -> None:
    text = (
        "Ferry recall widens\ndate 2022-06-15\n\nThe operator recalled 1,200 ferries on Friday"
        " over a faulty steering part, and said repairs would take about 3 months."
    )
    assistant = fake_assistant(write(tmp_path / "news", {"ferry.txt": text}), tmp_path / "home")
    assert not assistant.ask("How many ferries did the operator recall?").refused
    answer = assistant.ask("How much will the ferry recall cost the operator?")
    assert answer.refused, answer.text


def test_a_price_asked_after_a_possessive_needs_an_amount_of_money(tmp_path: Path) -> None:
    text = (
        "Ferry maker opens orders\ndate 2022-06-15\n\nThe new Harbor Line ferry's starting price"
        " will be announced at the boat show in Duluth, the company said on Friday."
    )
    assistant = fake_assistant(write(tmp_path / "news", {"ferry.txt": text}), tmp_path / "home")
    answer = assistant.ask("What is the ferry's starting price?")
    assert answer.refused, answer.text


def test_the_role_asked_about_held_by_someone_else_is_a_refusal() -> None:
    question = "Which Chilean trade minister opened the harbour summit?"
    expect = expectation(question, AnswerType.PERSON)
    other = "Peruvian Trade Minister Ana Torres opened the harbour summit on Friday."
    host = "Port director Luis Vega welcomed the delegates to the harbour summit."
    assert expect.match(other) == -1.0 and expect.match(host) > 0
    evidence = [replace(_sentence(text, "2022-06-15"), typed=expect.match(text), score=0.6)
                for text in (other, host)]  # fmt: skip
    info = {"2022-06-15": ArticleInfo("Summit", "2022-06-15", None)}
    draft = ExtractiveGenerator().compose(question, AnswerType.PERSON, evidence, info, 0.42)
    assert draft.refused and draft.notes == ["the answering sentence is about someone else"]
    answered = ExtractiveGenerator().compose(
        question, AnswerType.PERSON, evidence[::-1], info, 0.42
    )
    assert not answered.refused and answered.text.startswith(host)


def test_only_the_sentences_holding_most_question_words_are_embedded() -> None:
    sentences = [
        f"Sentence {i} names the harbour and {'the port ' * (i % 3)}ships." for i in range(9)
    ]
    text = " ".join(sentences)
    passage = Passage(1, "a", "A", None, None, 0, len(text), text, 0.1)
    embedder = HashEmbedder()
    seen: list[int] = []

    class Counting(SentenceVectors):
        def get(self, texts: list[str]):  # type: ignore[no-untyped-def]
            seen.append(len(texts))
            return super().get(texts)

    question = "Which ships used the port and the harbour?"
    for cap, expected in ((3, 3), (100, 9)):
        seen.clear()
        out = score_sentences(question, question, (), AnswerType.OTHER, [passage], {"a": text},
                              {}, Counting(embedder), embedder.embed_query(question),
                              Cheap(embedded=cap))  # fmt: skip
        assert seen == [expected] and len(out) == 9
        embedded = [s for s in out if s.semantic != 0.0]
        assert len(embedded) == expected
        assert cap == 100 or all("port" in s.text for s in embedded)


RECALL = (
    "Acme Foods recalled two million jars of peanut butter on Monday. "
    "The company said the jars may contain small pieces of plastic. Shares fell 3%."
)


def _in_recall(text: str, typed: float, relevance: float | None) -> Sentence:
    start = RECALL.index(text)
    passage = Passage(1, "acme", "Recall", None, None, 0, len(RECALL), RECALL, 0.0)
    return Sentence("acme", start, start + len(text), text, passage, 0.5, 0.5, typed, 0.6,
                    relevance=relevance)  # fmt: skip


def test_the_sentence_before_is_quoted_when_the_best_only_refers_to_the_answer() -> None:
    question = "Which company's peanut butter may contain pieces of plastic?"
    refers = _in_recall("The company said the jars may contain small pieces of plastic.", 0.0, 0.6)
    other = _in_recall("Shares fell 3%.", 0.0, 0.1)
    encoder = OverlapCrossEncoder()  # the two sentences together hold more of the question
    how = Relevance(2, 1.0, antecedent_gain=0.1)
    out = with_antecedent(question, [refers, other], {"acme": RECALL}, encoder, how)
    lead = out[0].antecedent
    assert lead is not None and lead.text == RECALL[lead.start : lead.end]
    assert lead.text.startswith("Acme Foods") and out[1:] == [other]
    draft = ExtractiveGenerator(2).compose(
        question, AnswerType.ORGANISATION, out, {"acme": ArticleInfo("Recall", None, None)}, 0.3
    )
    assert draft.text.startswith("Acme Foods recalled") and "[1] The company said" in draft.text
    assert [(c.start, c.end) for c in draft.citations] == [(lead.start, lead.end),
                                                           (refers.start, refers.end)]  # fmt: skip
    # Not when: the best sentence holds the kind of thing asked for; the gain is too small or
    # switched off; there is no sentence before it.
    fits = replace(refers, typed=1.0)
    assert with_antecedent(question, [fits], {"acme": RECALL}, encoder, how)[0].antecedent is None
    for gain in (5.0, None):
        off = Relevance(2, 1.0, antecedent_gain=gain)
        assert with_antecedent(question, [refers], {"acme": RECALL}, encoder, off) == [refers]
    first = _in_recall(RECALL.split(". ")[0] + ".", 0.0, 0.6)
    assert with_antecedent(question, [first], {"acme": RECALL}, encoder, how) == [first]


def test_a_heading_is_not_quoted_as_the_sentence_before() -> None:
    """A digest's section heading names a topic; it is not what the next sentence refers to."""
    digest = (
        "Morning briefing\n\n4. Harbor bridge closure\n\nCity engineers say the bridge"
        " will stay closed for repairs after cracks were found in two of its piers.\n\n"
        "Acme Foods recalled two million jars on Monday.\nThe company said the jars may"
        " contain plastic.\n"
    )  # fmt: skip
    spans = {t: (digest.index(t), digest.index(t) + len(t)) for t in (
        "Harbor bridge closure", "City engineers say", "Morning briefing",
        "Acme Foods recalled two million jars on Monday.",
    )}  # fmt: skip
    assert heading(digest, *spans["Harbor bridge closure"])
    assert heading(digest, *spans["Morning briefing"])
    assert not heading(digest, *spans["Acme Foods recalled two million jars on Monday."])
    engineers = spans["City engineers say"][0]
    text = digest[engineers : digest.index("piers.") + len("piers.")]
    passage = Passage(1, "brief", "Morning briefing", None, None, 0, len(digest), digest, 0.0)
    question = "Why is the harbor bridge closure still in place?"
    encoder = OverlapCrossEncoder()  # the heading holds more of the question's words
    alone = float(encoder.score(question, [text])[0])
    best = Sentence("brief", engineers, engineers + len(text), text, passage, 0.5, 0.5, 0.0, 0.6,
                    relevance=alone)  # fmt: skip
    paired = float(encoder.score(question, ["Harbor bridge closure " + text])[0])
    how = Relevance(2, 1.0, antecedent_gain=0.1)
    assert paired >= alone + 0.1  # it would be quoted, were it a sentence
    assert with_antecedent(question, [best], {"brief": digest}, encoder, how) == [best]


def _titled(text: str, title: str) -> Sentence:
    passage = Passage(1, title, title, None, None, 0, len(text), text, 0.0)
    return Sentence(title, 0, len(text), text, passage, 0.5, 0.5, 0.0, 0.5)


def test_rerank_prefers_the_article_whose_headline_is_about_the_question() -> None:
    question = "Which carmaker recalled 300,000 pickup trucks over faulty brakes?"
    digest = _titled("Zenith recalled 300,000 pickup trucks over faulty brakes, it said.",
                     "Five things to know for Monday: storms, rates, a summit")  # fmt: skip
    story = _titled("Zenith recalled 300,000 trucks, it said.", "Zenith recalls pickup trucks")
    encoder = OverlapCrossEncoder()  # the digest's sentence shares more words
    assert rerank(question, [digest, story], encoder, Relevance(2, 1.0))[0].text == digest.text
    titled = Relevance(2, 1.0, title_weight=2.5)
    assert rerank(question, [digest, story], encoder, titled)[0].article_id == story.article_id


def test_rerank_reads_the_asking_sentence_of_a_question_that_sets_a_scene_first() -> None:
    """Read whole, a question that sets a scene first favours sentences about the scene; read
    with its asking sentence too, the sentence that answers wins."""
    question = "Zenith's new plant opened in Ohio this week. How many workers will it employ?"
    scene = _titled("Zenith's new plant opened in Ohio this week, the company said.", "Plant")
    answer = _titled("It will employ 1,200 workers.", "Jobs")
    encoder, how = OverlapCrossEncoder(), Relevance(2, 0.0)
    assert rerank(question, [scene, answer], encoder, how)[0].text == scene.text
    asking = asking_clause(question)
    assert asking == "How many workers will it employ?"
    assert rerank(question, [scene, answer], encoder, how, asking=asking)[0].text == answer.text
    # a question that only asks reads the same either way
    alone = "How many workers will Zenith's new plant in Ohio employ?"
    assert rerank(alone, [scene, answer], encoder, how, asking=asking_clause(alone)) == rerank(
        alone, [scene, answer], encoder, how
    )


def test_names_with_capitals_inside_are_whole_names() -> None:
    assert names("Gov. Ana DeLuca and Rory McAllister met MacKenzie Vail.") == {
        "ana deluca", "rory mcallister", "mackenzie vail"
    }  # fmt: skip


def test_people_keeps_the_runs_read_as_a_person_and_speakers() -> None:
    text = "Mara Olsen of the Harbor Sharks said the Pine Valley council met; Ruiz said so."
    is_person = {"Mara Olsen": True, "Harbor Sharks": False, "Pine Valley": False}.__getitem__
    assert people(text, is_person) == {"mara olsen", "ruiz"}


def test_who_is_a_named_person_asks_for_no_other_name() -> None:
    assert not asks_for_a_name("Who is Mara Olsen?")
    assert not asks_for_a_name("who was Queen Ida II")
    assert asks_for_a_name("Who is the coach of the Harbor Sharks?")
    assert asks_for_a_name("Who won the Pine Valley marathon?")


def test_a_person_question_answered_without_a_new_name_is_a_refusal() -> None:
    """ "Who won" answered by a sentence that names only a place and a team, by the person test
    the Assistant gives (the embedding model; here a table)."""
    question = "Who won the Pine Valley marathon on Sunday?"
    nobody = "A runner from the Harbor Sharks club won the Pine Valley marathon on Sunday."
    somebody = "Mara Olsen of the Harbor Sharks won the Pine Valley marathon on Sunday."
    is_person = {"Harbor Sharks": False, "Pine Valley": False, "Mara Olsen": True}.__getitem__
    info = {"2022-06-15": ArticleInfo("Marathon", "2022-06-15", None)}

    def answer(text: str, check: bool = True) -> Draft:
        evidence = [replace(_sentence(text, "2022-06-15"), typed=1.0, score=0.6)]
        generator = ExtractiveGenerator(2, is_person=is_person if check else None)
        return generator.compose(question, AnswerType.PERSON, evidence, info, 0.42)

    refused = answer(nobody)
    assert refused.refused and refused.notes == ["the answering sentences name no one"]
    assert not answer(nobody, check=False).refused
    assert answer(somebody).text.startswith("Mara Olsen")
    # a name the question gives is not an answer to it
    assert answer("Mara Olsen won the Pine Valley marathon.").refused is False
    asked_back = "Who won the marathon Mara Olsen entered?"
    evidence = [replace(_sentence("Mara Olsen entered the Pine Valley marathon.", "2022-06-15"),
                        typed=1.0, score=0.6)]  # fmt: skip
    generator = ExtractiveGenerator(2, is_person=is_person)
    assert generator.compose(asked_back, AnswerType.PERSON, evidence, info, 0.42).refused


def test_a_person_question_looks_past_a_best_sentence_naming_no_one() -> None:
    """The best sentence (a headline naming a team) names no one; the next one in the
    cross-encoder's order names the lawyer asked about and is strong evidence: it answers. A
    weak one, or one the cross-encoder reads under ``person_relevance``, leaves a refusal."""
    question = "Which lawyer represents the Harbor Sharks players?"
    headline = replace(_sentence("Harbor Sharks players sue the league", "2022-06-15"),
                       typed=1.0, score=0.6, relevance=5.0)  # fmt: skip
    text = "Mara Olsen, the lawyer for the players, said the suit was filed on Monday."
    is_person = {"Harbor Sharks": False, "Mara Olsen": True}.get
    info = {day: ArticleInfo("Sharks", day, None) for day in ("2022-06-15", "2022-06-14")}
    generator = ExtractiveGenerator(2, is_person=lambda run: bool(is_person(run)),
                                    person_relevance=3.0)  # fmt: skip

    def answer(score: float, relevance: float) -> Draft:
        lawyer = replace(
            _sentence(text, "2022-06-14"), typed=1.0, score=score, relevance=relevance
        )  # another article's: too weak to join the best
        return generator.compose(question, AnswerType.PERSON, [headline, lawyer], info, 0.42)

    assert answer(0.5, 4.9).text == f"{text} [1]"
    assert answer(0.4, 4.9).refused  # weak: under the threshold and 0.8 of the best
    assert answer(0.55, 2.0).refused  # read as not answering who


def test_a_possessive_ends_a_name() -> None:
    assert name_runs("said the head of Norland’s Data Safety Office on Friday") == [
        "Norland", "Data Safety Office"
    ]  # fmt: skip
    assert name_runs("It was Mara Olsen Day at the Harbor Sharks' arena") == [
        "Mara Olsen Day", "Harbor Sharks"
    ]  # fmt: skip
    assert name_runs("during Mara Olsen's final season") == ["Mara Olsen"]


def test_a_name_the_question_gives_is_no_answer_even_run_on() -> None:
    question = "Who coached the Harbor Sharks in Mara Olsen's final season?"
    text = "It was Mara Olsen Day when the Harbor Sharks lost their last home game."
    evidence = [replace(_sentence(text, "2022-06-15"), typed=1.0, score=0.6)]
    info = {"2022-06-15": ArticleInfo("Sharks", "2022-06-15", None)}
    generator = ExtractiveGenerator(2, is_person=lambda run: run != "Harbor Sharks")
    assert generator.compose(question, AnswerType.PERSON, evidence, info, 0.42).refused


def test_dates_before_the_article_are_told_from_dates_to_come() -> None:
    written = date(2023, 3, 20)
    assert dated_before("The dam was pictured on March 7.", written)
    assert dated_before("It opened in 2019 and closed in January 2023.", written)
    assert dated_before("On 2 February the board met.", written)
    assert not dated_before("It will open on April 2.", written)
    assert not dated_before("It closed in 2019 and reopens in May 2023.", written)
    assert not dated_before("It opens next week.", written)  # no calendar date at all
    assert not dated_before("It is due to open in May.", written)


def test_a_question_about_what_is_to_come_is_not_answered_by_a_past_date() -> None:
    question = "When is the Lakeside dam expected to reopen?"
    assert asks_about_the_future(question) and not asks_about_the_future("When did it open?")
    info = {"2023-03-20": ArticleInfo("Dam", "2023-03-20", None)}

    def answer(text: str) -> Draft:
        evidence = [replace(_sentence(text, "2023-03-20"), typed=1.0, score=0.6)]
        return ExtractiveGenerator().compose(question, AnswerType.DATE, evidence, info, 0.42)

    caption = answer("The Lakeside dam, pictured on March 7, was closed for repairs.")
    assert caption.refused and caption.notes == ["the evidence dates only what came before it"]
    assert not answer("The Lakeside dam is expected to reopen on June 1.").refused


def test_the_earliest_day_a_text_dates_its_subject_by() -> None:
    assert earliest_day("Who did the council elect on May 3, 2030?") == date(2030, 5, 3)
    assert earliest_day("after the March 2031 storms and the 4 April 2031 vote") == date(2031, 3, 1)
    assert earliest_day("What did she say ahead of the May 3, 2030 vote?") is None
    assert earliest_day("What was pictured on March 7?") is None  # no year: no day
    assert earliest_day("Who won the 2030 cup?") is None  # a year is checked as a figure


def test_articles_written_before_the_day_asked_about_do_not_answer() -> None:
    question = "Who won the Harbor County runoff on May 3, 2030?"
    preview = "The Harbor County runoff on May 3 pits Mara Olsen against Tomas Vell."
    assert unmet(question, [(preview, "2030-04-20")], [preview]) == (
        "the articles cited were written before 2030-05-03, the question's date"
    )
    assert unmet(question, [(preview, "2030-05-04")], [preview]) is None
    assert unmet(question, [(preview, "2030-04-20"), (preview, None)], [preview]) is None
    upcoming = "Who is expected to win the Harbor County runoff on May 3, 2030?"
    assert unmet(upcoming, [(preview, "2030-04-20")], [preview]) is None
    scheduled = "Where is the Harbor County runoff held on May 3, 2030?"  # a preview answers
    assert unmet(scheduled, [(preview, "2030-04-20")], [preview]) is None


def test_a_question_about_something_done() -> None:
    assert asks_about_the_past("Who did the council elect on May 3?")
    assert asks_about_the_past("How many people were evacuated?")
    assert asks_about_the_past("Who won the Harbor County runoff?")
    assert asks_about_the_past("Which firm bought the plant?")
    assert not asks_about_the_past("Where is the summit held in May?")
    assert not asks_about_the_past("Who is expected to win the runoff?")
    assert not asks_about_the_past("What is the expected date of the vote?")
    assert not asks_about_the_past("Who is due to speak at the opening?")
    # "due to" giving a cause is no future
    assert asks_about_the_past("Due to rising rents, which town did the families move to?")
    assert not asks_about_the_future("The delay was due to the storm. When did it open?")


class _PairReadsLower:
    """A cross-encoder that reads a sentence with the one before it ``loss`` logits lower."""

    def __init__(self, loss: float) -> None:
        self.loss = loss

    def score(self, query: str, texts: list[str]) -> np.ndarray:
        return np.array([6.0 - self.loss if "Acme" in t else 6.0 for t in texts], np.float32)


def test_a_fitting_sentence_that_says_the_company_is_quoted_after_the_one_naming_it() -> None:
    """The best sentence fits the question (it holds a name) but calls the thing asked for "the
    company": the sentence before, which names it, is quoted with it when the two read together
    lose at most the echo tolerance (default 2 logits) against the best alone."""
    question = "Which company said its jars may contain pieces of plastic?"
    best = _in_recall("The company said the jars may contain small pieces of plastic.", 1.0, 6.0)
    for loss, quoted in ((1.5, True), (2.5, False)):
        out = with_antecedent(question, [best], {"acme": RECALL}, _PairReadsLower(loss),
                              Relevance(2, 1.0, antecedent_gain=0.5))  # fmt: skip
        lead = out[0].antecedent
        assert (lead is not None and lead.text.startswith("Acme Foods")) is quoted
    narrow = Relevance(2, 1.0, antecedent_gain=0.5, echo_tolerance=1.0)
    assert with_antecedent(question, [best], {"acme": RECALL}, _PairReadsLower(1.5), narrow) == [
        best
    ]


def test_a_sentence_that_refers_back_to_the_kind_of_thing_asked_for() -> None:
    show = "Which much-loved cartoon was renewed for a fifth season?"
    assert refers_back(show, "The studio said the much-loved Danish cartoon returns in May.")
    assert refers_back(show, "The cartoon, which follows two otters, was renewed.")
    # a description with four modifiers ("the wildly popular South Korean show")
    assert refers_back(
        show, "The studio said the hugely popular hand-drawn Danish cartoon is back."
    )
    assert not refers_back(show, "Otter Bay was renewed for a fifth season.")
    firm = "Which major EU retailer said it is cutting prices?"
    assert refers_back(firm, "Analysts said the retailer had too much stock.")
    assert not refers_back("Which EU body fined the firm?", "It is the EU rule on data.")
    assert not refers_back("What did the images show?", "The show opened on Friday.")


def test_a_person_question_whose_best_sentence_reads_low_is_a_refusal() -> None:
    question = "Who designed the new Lakeside bridge?"
    text = "Mara Olsen praised the new Lakeside bridge at its opening on Sunday."
    info = {"2022-06-15": ArticleInfo("Bridge", "2022-06-15", None)}

    def answer(relevance: float, kind: AnswerType = AnswerType.PERSON) -> Draft:
        best = replace(_sentence(text, "2022-06-15"), typed=1.0, score=0.6, relevance=relevance)
        generator = ExtractiveGenerator(2, person_relevance=3.0)
        return generator.compose(question, kind, [best], info, 0.42)

    low = answer(1.2)
    assert low.refused and low.notes == ["no sentence says who, by the cross-encoder"]
    assert not answer(5.5).refused
    assert not answer(1.2, AnswerType.PLACE).refused  # the floor is for person questions
    assert not ExtractiveGenerator(2).compose(
        question, AnswerType.PERSON, [replace(_sentence(text, "2022-06-15"), typed=1.0,
                                              score=0.6, relevance=1.2)], info, 0.42
    ).refused  # fmt: skip


def test_the_kind_of_thing_a_which_question_asks_for() -> None:
    assert asked_kind("Which wildly popular cartoon was renewed?") == "cartoon"
    assert asked_kind("In which towns did the band play?") == "towns"
    assert asked_kind("Which firm plans to merge?") == "firm"
    assert asked_kind("Which two rival bakeries plan to merge?") == "bakeries"  # a verb before to
    assert asked_kind("Which town this week agreed to pay?") == "town"
    assert asked_kind("Who won?") is None and asked_kind("Which EU body fined it?") == "body"
    assert asks_for_several("In which towns did the band play?")
    assert asks_for_several("Where did the two bands play, respectively?")
    assert not asks_for_several("Which town did the band play in?")


def test_a_question_for_several_things_quotes_another_article_for_another() -> None:
    question = "In which towns did the band play its two concerts?"
    info = {d: ArticleInfo("Tour", d, None) for d in ("2022-06-15", "2022-06-16")}
    first = replace(_sentence("The band played in Lakeside on Friday.", "2022-06-15"),
                    typed=1.0, score=0.6)  # fmt: skip
    second = replace(_sentence("The band played in Pine Valley on Saturday.", "2022-06-16"),
                     typed=1.0, score=0.6)  # fmt: skip
    both = ExtractiveGenerator(2).compose(question, AnswerType.PLACE, [first, second], info, 0.4)
    assert "Lakeside" in both.text and "Pine Valley" in both.text
    one = "In which town did the band play its first concert?"
    alone = ExtractiveGenerator(2).compose(one, AnswerType.PLACE, [first, second], info, 0.4)
    assert "Pine Valley" not in alone.text  # another article's other answer is not support


def test_ordinals_are_the_numbered_things_a_text_speaks_of() -> None:
    assert ordinals("How many came to the band's second concert?") == {(2, "concert")}
    assert ordinals("its 41st goals and the twenty-first season") == {(41, "goal"), (21, "season")}
    assert ordinals("The band played on Friday.") == set()
    assert ordinal_word(2) == "second" and ordinal_word(22) == "twenty-second"


def test_an_answer_about_another_of_the_things_numbered_is_a_refusal() -> None:
    question = "How many people came to the band's second concert in Lakeside?"
    info = {"2022-06-15": ArticleInfo("Tour", "2022-06-15", None)}

    def answer(text: str) -> Draft:
        evidence = [replace(_sentence(text, "2022-06-15"), typed=1.0, score=0.6)]
        return ExtractiveGenerator().compose(question, AnswerType.NUMBER, evidence, info, 0.42)

    first = answer("About 4,000 people came to the band's first concert in Lakeside.")
    assert first.refused
    assert first.notes == ["the evidence speaks of the first concert, the question of the second"]
    assert not answer(
        "About 3,000 people came to the second concert, after 4,000 at the first."
    ).refused
    assert not answer("About 3,000 people came to the band's concert in Lakeside.").refused


def test_a_number_question_answered_without_a_fitting_figure_is_a_refusal() -> None:
    # The strong evidence holds an amount (a gift shop's $75 wine), but the sentence the answer
    # quotes, first by the cross-encoder, gives none: it is no answer to "how much".
    question = "How much did tickets cost for the Lakeside Arena concerts?"
    info = {"2022-02-09": ArticleInfo("Concerts", "2022-02-09", None)}
    ticketless = replace(
        _sentence("The band is heading to Lakeside Arena for six concerts.", "2022-02-09"),
        typed=0.0, score=0.6,
    )  # fmt: skip
    wine = replace(
        _sentence("The gift shop sells $75 bottles of the band's wine.", "2022-02-09"),
        typed=1.0, score=0.6, start=2000, end=2050,  # not beside it
    )  # fmt: skip
    generator = ExtractiveGenerator(max_sentences=1)
    draft = generator.compose(question, AnswerType.NUMBER, [ticketless, wine], info, 0.42)
    assert draft.refused and draft.notes == ["the answering sentences give no number"]
    priced = replace(ticketless, text="Tickets for the six concerts cost $85 to $500.", typed=1.0)
    assert not generator.compose(question, AnswerType.NUMBER, [priced, wine], info, 0.42).refused


def test_the_speaker_a_question_attributes_its_answer_to() -> None:
    assert speaker("According to the Harbor Authority, how many boats sank?") == [
        "Harbor", "Authority",
    ]  # fmt: skip
    assert speaker("How many boats did Olsen say were lost?") == ["Olsen"]
    assert speaker("What did the inquiry find, according to Gen. Diaz's aides?") == ["Diaz"]
    assert speaker("How does Olsen characterise the storm?") == ["Olsen"]
    # no name right after "did": the speaker is described, not named
    assert speaker("How many boats did the mayor of Lakeside say were lost?") == []
    assert speaker("Boats sank, according to the Harbor Authority. How many?") == []  # not asked
    assert said_in("The Lakeside harbor authority's count ...", ["Harbor", "Authority"])
    assert not said_in("The port authority's count ...", ["Harbor", "Authority"])


def test_an_attributed_question_is_answered_from_the_articles_naming_the_speaker(
    tmp_path: Path,
) -> None:
    folder = write(tmp_path / "news", {
        "storm.txt": "Storm hits Lakeside harbor\n\nForty boats sank in the storm that hit Lakeside"
        " harbor on Monday, the harbor master said. Crews worked through the night.",
        "count.txt": "Harbor count disputed\n\nMara Olsen, who runs the boat club, said 65 boats"
        " were lost in the storm at Lakeside harbor.",
    })  # fmt: skip
    assistant = fake_assistant(folder, tmp_path / "home")
    answer = assistant.ask("How many boats did Olsen say sank in the storm at Lakeside harbor?")
    assert not answer.refused and "65 boats" in answer.text
    assert {c.article_id for c in answer.citations} == {"count"}


def test_a_question_pinning_a_figure_is_answered_from_the_articles_naming_it(
    tmp_path: Path,
) -> None:
    """The best-matching sentence is from an article of another settlement ($26 million): the
    answer comes from the article that names the $36 million asked about, not a refusal."""
    folder = write(tmp_path / "news", {
        "harbor.txt": "Harbor settlement\n\nThe city will pay $26 million to settle the harbor"
        " workers' lawsuit, and attorney Mara Olsen, representing the workers, confirmed the"
        " settlement.",
        "dock.txt": "Dock deal\n\nThe dock deal is worth $36 million in all. Attorney Tomas Bell,"
        " representing the workers, confirmed the settlement of their lawsuit on Sunday.",
    })  # fmt: skip
    # the fakes read no one as a person and no sentence above the real model's floor for "who"
    assistant = fake_assistant(folder, tmp_path / "home", person_check=False, person_relevance=None)
    answer = assistant.ask(
        "Which attorney representing the workers confirmed the city's $36 million settlement of"
        " the workers' lawsuit?"
    )
    assert not answer.refused and "Tomas Bell" in answer.text
    assert {c.article_id for c in answer.citations} == {"dock"}


def test_british_and_american_spellings_of_a_role_are_one_role() -> None:
    assert spelling("Defence") == spelling("defense") == "defense"
    assert spelling("organisation") == spelling("organization")
    assert spelling("labour") == spelling("labor") and spelling("centre") == spelling("center")
    asked = expectation("Which US defence secretary resigned on Friday?", AnswerType.PERSON)
    # "Department" of "Department of Defense" is the office's name, not another country's
    assert asked.match("Department of Defense Secretary Mara Olsen resigned on Friday.") == 1.0
    chile = expectation("Which Chilean finance minister resigned?", AnswerType.PERSON)
    assert chile.match("Peruvian Finance Minister Ana Torres resigned on Friday.") == -1.0


def test_a_figure_joined_to_what_it_counts_and_zero_are_figures() -> None:
    council = expectation("How many members does the harbor council have?", AnswerType.NUMBER)
    assert council.match("The 15-member harbor council voted on Tuesday.") == 1.0
    boats = expectation("How many lifeboats did the ferry carry?", AnswerType.NUMBER)
    assert boats.match("The ferry carried zero lifeboats, inspectors said.") > 0
    assert boats.match("The ferry carried no cargo, inspectors said.") < 0


def test_a_headline_in_title_case_names_no_one_by_its_capitals() -> None:
    headline = "Mayor Says Harbor Port Will Reopen Friday"
    assert title_case(headline) and not title_case("Mara Olsen said the port will reopen.")
    assert people(headline, lambda run: True) == set()
    assert people("Mara Olsen said the port will reopen.", lambda run: True) == {"mara olsen"}


def test_how_far_or_how_heavy_wants_a_length_or_a_weight() -> None:
    far = "How far from the harbor is the lighthouse?"
    assert answer_type(far) is AnswerType.NUMBER
    lighthouse = expectation(far, AnswerType.NUMBER)
    assert lighthouse.match("The lighthouse stands 12 miles from the harbor.") == 1.0
    assert lighthouse.match("The lighthouse was painted on January 19.") <= 0.0
    heavy = expectation("How heavy was the catfish?", AnswerType.NUMBER)
    assert heavy.match("The 215-pound catfish was caught on Sunday.") == 1.0
    assert heavy.match("The catfish was caught by 3 anglers.") <= 0.0


def test_a_question_is_typed_by_its_first_question_word() -> None:
    chain = "A survey found which chain has the slowest checkout, largely because of how many buy?"
    assert answer_type(chain) is AnswerType.ORGANISATION  # not a number question
    assert answer_type("What is the name of the mayor who resigned?") is AnswerType.PERSON
    assert answer_type("How many boats did the mayor who resigned buy?") is AnswerType.NUMBER
    # a relative clause after a comma asks nothing
    assert answer_type("Which firm, whose owner resigned, was fined?") is AnswerType.ORGANISATION


def test_the_counted_noun_stops_at_the_verb_and_its_modifier_counts_when_joined() -> None:
    assert focus_noun("How many people died in the floods?", AnswerType.NUMBER) == "person"
    assert focus_noun("How many armed officers were there?", AnswerType.NUMBER) == "officer"
    assert counted_modifier("How many member states does the council have?") == "member"
    assert counted_modifier("How many people fled?") is None
    seats = expectation("How many member states does the harbor council have?", AnswerType.NUMBER)
    assert seats.match("The 15-member harbor council voted on Tuesday.") == 1.0
    titles = expectation(
        "How many book titles were pulled from the harbor library?", AnswerType.NUMBER
    )
    assert titles.match("The harbor library saw 2,532 book bans last year.") == 0.0


def test_a_list_of_figures_leads_with_an_article_that_names_the_year_asked() -> None:
    question = "How many people died in the 2030 harbor floods?"
    old = ("Floods in the harbor killed 116 people.", "2015-10-26")
    new = ("The harbor floods of 2030 killed 41 people.", "2030-08-02")
    assert unmet(question, [old, new], [old[0], new[0]]) is None
    assert unmet(question, [old, new], [old[0], new[0]], listed=True) == (
        "the articles cited never mention 2030, which the question names"
    )
    assert unmet(question, [new, old], [old[0], new[0]], listed=True) is None


def test_a_surname_after_to_is_no_place() -> None:
    sentence = "Mara Olsen has married, a source close to Olsen told the Harbor Times."
    assert entities(sentence, AnswerType.PLACE) == set()
    assert entities("Mara Olsen flew to Lisbon, then to Porto.", AnswerType.PLACE) == {
        "lisbon", "porto",
    }  # fmt: skip


QUOTED = (
    "“The cracks are a red line,” the mayor said on Friday. “I hope the bridge reopens by May.”"
    " The council met on Monday."
)


def _in_quoted(text: str) -> Sentence:
    start = QUOTED.index(text)
    passage = Passage(1, "bridge", "Bridge", None, None, 0, len(QUOTED), QUOTED, 0.0)
    return Sentence("bridge", start, start + len(text), text, passage, 0.5, 0.5, 0.0, 0.6)


def test_a_quote_that_goes_on_is_read_with_the_sentence_saying_who_speaks() -> None:
    hope = _in_quoted("“I hope the bridge reopens by May.”")
    assert with_speaker(hope) == (
        "“The cracks are a red line,” the mayor said on Friday. “I hope the bridge reopens by May.”"
    )
    said = _in_quoted("“The cracks are a red line,” the mayor said on Friday.")
    assert with_speaker(said) == said.text  # it says who speaks itself
    council = _in_quoted("The council met on Monday.")
    assert with_speaker(council) == council.text  # no quotation
    question = "What did the mayor say she hoped for?"
    ranked = rerank(question, [council, hope], OverlapCrossEncoder(), Relevance(2, 0.0))
    assert ranked[0] is not council and ranked[0].text == hope.text


def test_a_list_of_figures_leads_with_an_article_that_names_what_was_asked() -> None:
    question = "How many homes did Storm Ada flood in Peru?"
    other = ("Storm Bruno flooded 300 homes in Chile.", "2030-02-01")
    ada = ("Storm Ada flooded 120 homes in Peru.", "2030-03-01")
    found = [other[0], ada[0]]
    assert unmet(question, [other, ada], found) is None  # a plain answer: any cited article
    assert unmet(question, [other, ada], found, listed=True) == (
        "the article the figures lead with never mentions Ada"
    )
    assert unmet(question, [ada, other], found, listed=True) is None


def test_a_question_for_a_maker_retailer_airline_or_team_asks_for_an_organisation() -> None:
    for noun in ("candy maker", "automaker", "retailer", "airline", "bank", "team", "chain"):
        question = f"Which {noun} cut its prices this week?"
        assert answer_type(question) is AnswerType.ORGANISATION, question


def test_a_question_asking_for_a_name_is_answered_only_by_one() -> None:
    """ "What is the name of X?" over a sentence that says X exists, without its name, is a
    refusal; a name beside the word for the thing, or after "called", answers it. Made-up news,
    not the seeds."""
    from qa.near_misses import unnamed_thing
    from qa.question import named_thing

    assert named_thing("What is the official name of the naval drill that began on Monday?") == (
        "drill"
    )
    assert named_thing("What was the title of the band's new album with its old drummer?") == (
        "album"
    )
    assert named_thing("What was the name of the small dairy they ran?") == "dairy"  # a clause
    assert named_thing("What is the capital of Norway?") is None
    assert named_thing("What is the dispatcher's name?") == "dispatcher"
    assert named_thing("Two died. What was that person's name?") == "person"
    assert named_thing("What is Norland's name for the drill?") is None  # a name, not a thing
    dispatcher = "A dispatcher heard the call. What is the dispatcher's name?"
    heard = "He left the line open so a dispatcher could hear his talk with the intruder."
    assert unnamed_thing(dispatcher, [_sentence(heard, "2030-05-06")]) is not None
    named = "The dispatcher, Mara Olsen, sent two officers at once."
    assert unnamed_thing(dispatcher, [_sentence(named, "2030-05-06")]) is None
    assert named_thing("What is it called?") is None
    drill = "What is the official name of the naval drill that began on Monday?"
    album = "What was the title of the band's new album?"
    answered = [
        (drill, "The naval drill, called Harbor Shield, began on Monday off the coast."),
        (drill, "The Harbor Shield drill began on Monday off the coast."),
        (album, "The band announced its new album, “Low Tide,” on Sunday."),
        (drill, "Harbor Shield, the largest naval drill in a decade, began on Monday."),
    ]
    for question, text in answered:
        assert unnamed_thing(question, [_sentence(text, "2030-05-06")]) is None, text
    unnamed = [
        (drill, "Ships from six navies joined the naval drill on Monday, officials said."),
        (album, "The band announced a new album on Sunday, “to thank our fans,” it said."),
    ]
    for question, text in unnamed:
        reason = unnamed_thing(question, [_sentence(text, "2030-05-06")])
        assert reason is not None and "name" in reason, text
    # as an answer: a refusal
    evidence = [_sentence(unnamed[0][1], "2030-05-06")]
    draft = ExtractiveGenerator().compose(
        drill, AnswerType.OTHER, evidence, {"2030-05-06": ArticleInfo("t", None, None)}, 0.3
    )
    assert draft.refused and draft.notes == ["the evidence never gives the drill's name"]


def test_a_sentence_that_only_looks_ahead_speaks_of_no_past() -> None:
    assert only_looks_ahead("Port officials are due to meet union leaders on Monday.")
    assert only_looks_ahead('The mayor will open the bridge, and "it closed twice" is moot.')
    assert not only_looks_ahead("The union said it will strike on Monday.")  # a past form
    assert not only_looks_ahead("Port officials met union leaders on Monday.")  # no future
    # the marker and a participle after "be" are no past forms
    assert only_looks_ahead("The rowing final will be held on the lake on Sunday.")
    assert only_looks_ahead("Lena Ortiz is expected to win the regional chess final.")
    assert only_looks_ahead("The talks are scheduled to resume in the harbour office.")
    assert not only_looks_ahead("The crew won the heat and will be honoured on Friday.")


def _answer(question: str, text: str) -> Draft:
    evidence = [replace(_sentence(text, "2022-06-15"), typed=1.0, score=0.6)]
    info = {"2022-06-15": ArticleInfo("Talks", "2022-06-15", None)}
    return ExtractiveGenerator().compose(question, answer_type(question), evidence, info, 0.42)


def test_a_preview_does_not_answer_a_question_about_what_was_done() -> None:
    asked = "Who won the regional chess final?"
    preview = "Grandmaster Lena Ortiz is the favourite and will face Tomas Bell in the final."
    assert _answer(asked, preview).refused
    assert not _answer(
        asked, "Lena Ortiz won the regional chess final, beating Tomas Bell."
    ).refused
    assert not _answer("Who will win the regional chess final?", preview).refused  # a preview
    talks = "What was agreed at the harbour talks?"
    assert _answer(talks, "Port officials are due to meet union leaders on Monday.").refused
    # the act asked about named as a thing: it was done, whatever comes next
    ban = "Which city council banned gas leaf blowers?"
    assert not _answer(
        ban, "The Maplewood council's leaf blower ban will take effect in March."
    ).refused
    assert _answer(ban, "The Maplewood council will vote to ban leaf blowers in March.").refused


JACKPOT = (
    "A lone winning ticket for the record $900 million jackpot was sold in Pine Valley,"
    " officials said Tuesday. The jackpot had rolled over 30 times since August. The winning"
    " ticket was sold at Hal's Corner Market on Main Street, the state lottery said."
)
JACKPOT_QUESTION = (
    "A single ticket sold in Pine Valley won the record $900 million jackpot."
    " At which Pine Valley store was the winning ticket sold?"
)


def _in_jackpot(text: str, relevance: float, to_the_point: float, article: str = "pv",
                score: float = 0.3) -> Sentence:  # fmt: skip
    start = JACKPOT.index(text)
    passage = Passage(1, article, "Jackpot", None, None, 0, len(JACKPOT), JACKPOT, 0.0)
    return Sentence(article, start, start + len(text), text, passage, 0.5, 0.5, 0.0, score,
                    relevance=relevance, to_the_point=to_the_point)  # fmt: skip


def test_the_scene_is_what_a_question_says_before_it_asks() -> None:
    assert scene(JACKPOT_QUESTION) == (
        "A single ticket sold in Pine Valley won the record $900 million jackpot."
    )
    assert (
        asking_clause(JACKPOT_QUESTION) == "At which Pine Valley store was the winning ticket sold?"
    )
    assert scene("Who won? Tell me briefly.") == "Tell me briefly."
    assert scene("Which store sold the winning ticket?") == ""


def test_a_lead_that_only_retells_the_scene_is_completed_by_a_sentence_to_the_point() -> None:
    """The lead reads no better with the question than with its scene alone; of its article's
    sentences that read clearly better with the question, the most relevant one is quoted
    second (not the one that only reads far from the scene, nor another article's)."""
    retold = _in_jackpot(JACKPOT.split(" officials")[0] + " officials said Tuesday.", 7.7, -0.8,
                         score=0.6)  # fmt: skip
    rolled = _in_jackpot("The jackpot had rolled over 30 times since August.", 2.4, 10.1)
    store = JACKPOT[JACKPOT.index("The winning ticket") :]
    sold_at = _in_jackpot(store, 4.1, 4.1)
    elsewhere = _in_jackpot(store, 6.0, 6.0, "other")
    info = {a: ArticleInfo("Jackpot", None, None) for a in ("pv", "other")}

    def answer(*evidence: Sentence) -> str:
        draft = ExtractiveGenerator(2).compose(
            JACKPOT_QUESTION, AnswerType.OTHER, list(evidence), info, 0.3
        )
        return draft.text

    both = answer(retold, elsewhere, rolled, sold_at)
    assert both == f"{retold.text} [1] {store} [2]"
    assert [c.article_id for c in ExtractiveGenerator(2).compose(
        JACKPOT_QUESTION, AnswerType.OTHER, [retold, elsewhere, rolled, sold_at], info, 0.3
    ).citations] == ["pv", "pv"]  # fmt: skip
    # Not when: the lead reads better with the question; it holds a fitting answer; the
    # question sets no scene; no sentence reads clearly better with the question; one answer
    # sentence only.
    alone = f"{retold.text} [1]"
    assert answer(replace(retold, to_the_point=0.5), rolled, sold_at) == alone
    assert answer(replace(retold, typed=1.0), rolled, sold_at) == alone
    assert answer(replace(retold, to_the_point=None), rolled, sold_at) == alone
    assert answer(retold, replace(sold_at, to_the_point=0.9)) == alone
    one = ExtractiveGenerator(1).compose(JACKPOT_QUESTION, AnswerType.OTHER, [retold, sold_at],
                                         info, 0.3)  # fmt: skip
    assert one.text == alone
