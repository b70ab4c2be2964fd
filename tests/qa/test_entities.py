"""What an answer must hold: answer types, date grains, roles, figures, and the refusal checks
that the evidence holds the thing asked for."""

from __future__ import annotations

from qa.compose import _ATTRIBUTED, _COMPARE
from qa.entities import expectation, names, unmet
from qa.question import AnswerType, answer_type, date_grain


def fit(question: str, sentence: str) -> float:
    return expectation(question, answer_type(question)).match(sentence)


def test_answer_types_of_modified_and_duration_questions() -> None:
    assert (
        answer_type("According to Janes, how quickly can troops be deployed?") is AnswerType.NUMBER
    )
    assert answer_type("In which year was a ceasefire agreed?") is AnswerType.DATE
    assert answer_type("Which defence intelligence company assessed it?") is AnswerType.ORGANISATION
    assert answer_type("What is the name of Russia's defense minister?") is AnswerType.PERSON
    assert answer_type("Which US general told Reuters?") is AnswerType.PERSON
    assert answer_type("What is the name of Russia's pipeline?") is AnswerType.OTHER


def test_date_grain_follows_the_question() -> None:
    assert date_grain("On what calendar date did they meet?") == "calendar"
    assert date_grain("On what date did Zelensky speak?") == "calendar"
    assert date_grain("On which day did NATO reply?") == "weekday"
    assert date_grain("In what year did Russia annex Crimea?") == "year"
    assert date_grain("By when did Reznikov say Russia could invade?") == "deadline"
    assert date_grain("When did he say that?") is None


def test_a_weekday_does_not_answer_what_date() -> None:
    sentence = "Blinken met Lavrov on Thursday in Stockholm."
    assert fit("On what calendar date did Blinken and Lavrov meet?", sentence) < 0
    assert fit("On which day did Blinken and Lavrov meet?", sentence) == 1.0
    assert fit("On what date did they meet?", "They met on January 28 in Kyiv.") == 1.0


def test_deadline_questions_prefer_a_by_date() -> None:
    q = "By when did Reznikov say Russia could invade?"
    assert fit(q, "Russia could invade by the end of January, the minister said.") == 1.0
    assert fit(q, "Reznikov said the troops annexed Crimea in 2014.") < 1.0


def test_another_nations_minister_contradicts_the_question() -> None:
    q = "Who is Ukraine's foreign minister?"
    assert fit(q, "German Foreign Minister Annalena Baerbock said yesterday it was wrong.") == -1.0
    assert fit(q, "Ukrainian Foreign Minister Dmytro Kuleba said it was wrong.") == 1.0
    other_role = "Russian Foreign Minister Sergey Lavrov met Blinken."
    assert fit("What is the name of Russia's defense minister?", other_role) == -1.0


def test_role_in_one_sentence_leaves_the_name_to_the_next() -> None:
    q = "Who is the Ukrainian defense minister who warned Russia could invade?"
    assert fit(q, "Russia could invade, the Ukrainian defense minister said Friday.") == 0.0


def test_figures_must_count_the_asked_noun_near_the_asked_words() -> None:
    q = "How many Russian troops are stationed in Belarus for the joint exercises?"
    assert fit(q, "With forces stationed in Belarus, Ukraine is surrounded on three sides.") == 0.0
    assert fit(q, "Russia has stationed 30,000 troops in Belarus for the exercises.") == 1.0
    far = (
        "The deployments would number approximately 1,000 personnel to each country and would be"
        " similar to the forward battle groups currently stationed in the Baltic States and Poland."
    )
    assert fit("How many US troops are currently stationed in Poland?", far) == 0.0
    assert fit("How quickly can troops be deployed?", "Troops can deploy in 72 hours.") == 1.0
    assert fit("How much have flights increased?", "Flights are tripling since last year.") > 0


def test_lone_surnames_next_to_speech_verbs_are_people() -> None:
    assert names("“We watch closely,” said Cranny-Evans.") == {"cranny-evans"}
    assert "kirby" in names("No decision has been made, Kirby said.")
    assert names("The minister said Friday that it was not certain.") == set()


def test_unmet_event_and_unnamed_kind() -> None:
    call = ["French President Emmanuel Macron and Putin are due to speak via telephone."]
    assert unmet("What was agreed during the phone call between Macron and Putin?", call)
    assert unmet("What did he and Zelensky agree at that meeting?", ["Blinken arrived in Kiev."])
    assert unmet("What was agreed in Minsk?", ["The sides agreed a ceasefire in Minsk."]) is None
    assert unmet("What did the US defense secretary say about it?", ["Austin spoke."]) is None
    q = "What type of Russian fighter jet forced the plane to turn back?"
    assert unmet(q, ["Russia claimed that one of its fighter planes forced a plane back."])
    assert unmet(q, ["A Russian Su-35 fighter jet forced the plane back."]) is None


def test_one_sources_figure_is_not_a_survey_but_a_comparison_is() -> None:
    assert _ATTRIBUTED.search("How many troops did Ukraine's defense minister say had massed?")
    assert _ATTRIBUTED.search("According to the Defense Ministry, how many soldiers are there?")
    assert not _ATTRIBUTED.search("How many Russian troops are massed near Ukraine's border?")
    assert _COMPARE.search("Does the ministry's estimate match the general's estimate?")


def test_counted_noun_is_the_head_of_the_phrase() -> None:
    from qa.entities import focus_noun

    assert (
        focus_noun("How many positive monkeypox cases are in the US?", AnswerType.NUMBER) == "case"
    )
    assert focus_noun("How many Russian troops did he cite?", AnswerType.NUMBER) == "troop"
    assert focus_noun("How many Russians could be conscripted?", AnswerType.NUMBER) is None
    assert focus_noun("How many of those are ground forces?", AnswerType.NUMBER) is None


def test_another_nations_troops_do_not_answer_how_many_of_ours() -> None:
    q = "How many Russian troops did Zelensky say were near the border?"
    assert (
        fit(q, "Peskov said Russia was worried about the 120,000 Ukrainian troops near it.") == -1
    )
    assert fit(q, "Zelensky said nearly 100,000 Russian troops were near the border.") == 1.0
    # a place after the counted noun is where they are, not whose they are
    assert fit(q, "Zelensky said 100,000 troops were near the border with Belarus.") == 1.0


def test_the_agency_said_is_answered_by_the_sentence_naming_it() -> None:
    q = "Which defence intelligence company said troops could be deployed in 72 hours?"
    expect = expectation(q, AnswerType.ORGANISATION)
    sentence = "Troops can be deployed in less than 72 hours, the agency said."
    assert expect.match(sentence) == -0.5
    assert expect.match(sentence, "A sizable formation is in Belarus, Janes said.") == 0.5
    assert expect.match(sentence, "They need only be sent by plane or train.") == -0.5


def test_a_place_and_a_month_are_no_organisation() -> None:
    from qa.entities import entities

    text = "A satellite image shows battle groups parked in Yelnya, Russia on January 19."
    assert entities(text, AnswerType.ORGANISATION) == set()
    assert entities("The Defense Ministry said so.", AnswerType.ORGANISATION) == {
        "defense ministry"
    }
