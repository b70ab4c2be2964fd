"""What an answer must hold: answer types, date grains, roles, figures, and the checks that the
evidence holds the thing asked for. Every sentence here is made up for the test: the rules are
about English and news prose, not about any article we ship."""

from __future__ import annotations

from datetime import date

from qa.dates import dated_before
from qa.entities import entities, names
from qa.expectation import expectation, focus_noun
from qa.figures import ATTRIBUTED, COMPARE
from qa.inflection import singular
from qa.question import AnswerType, answer_type, date_grain


def fit(question: str, sentence: str) -> float:
    return expectation(question, answer_type(question)).match(sentence)


def test_answer_types_of_modified_and_duration_questions() -> None:
    assert answer_type("According to the agency, how quickly can the vaccine ship?") is (
        AnswerType.NUMBER
    )
    assert answer_type("In which year did the bridge open?") is AnswerType.DATE
    assert answer_type("Which research company ran the poll?") is AnswerType.ORGANISATION
    assert answer_type("What is the name of Chile's finance minister?") is AnswerType.PERSON
    assert answer_type("Which US senator told reporters?") is AnswerType.PERSON
    assert answer_type("What is the name of Chile’s new ferry?") is AnswerType.OTHER


def test_date_grain_follows_the_question() -> None:
    assert date_grain("On what calendar date did they sign?") == "calendar"
    assert date_grain("On which day did the court rule?") == "weekday"
    assert date_grain("In what year did the plant close?") == "year"
    assert date_grain("On what exact date was it signed?") == "calendar"  # one word between
    assert date_grain("In which fiscal year did sales fall?") == "year"
    assert answer_type("On what exact date was it signed?") is AnswerType.DATE
    assert date_grain("What this year's theme is, who knows?") is None  # a time, not the object
    assert date_grain("By when must the company repay the loan?") == "deadline"
    assert date_grain("When did she say that?") is None


def test_a_weekday_does_not_answer_what_date() -> None:
    sentence = "The two leaders met on Thursday in Geneva."
    assert fit("On what calendar date did the two leaders meet?", sentence) < 0
    assert fit("On which day did the two leaders meet?", sentence) == 1.0
    assert fit("On what date did they meet?", "They met on March 3 in Geneva.") == 1.0


def test_deadline_questions_prefer_a_by_date() -> None:
    q = "By when must the company repay the loan?"
    assert fit(q, "The company must repay the loan by the end of June, the bank said.") == 1.0
    assert fit(q, "The company took out the loan in 2019.") < 1.0


def test_a_role_with_another_named_qualifier_contradicts_the_question() -> None:
    q = "Who is Chile's finance minister?"
    assert fit(q, "Peruvian Finance Minister Ana Torres said prices would fall.") == -1.0
    assert fit(q, "Chilean Finance Minister Mario Soto said prices would fall.") == 1.0
    # the country is often named elsewhere: the role alone still fits
    assert fit(q, "Finance Minister Mario Soto said prices would fall.") == 1.0
    assert fit(q, "Prices will fall, Chile's trade minister, Ana Ruiz, said.") == -1.0
    # every qualifier asked is there: the other capitalised words are the title's own
    q = "Which Reuters correspondent asked the minister about tariffs?"
    asked = "It was a reply to a question by Reuters Senior Trade Correspondent Jane Doe."
    assert fit(q, asked) == 1.0
    assert fit(q, "It was a reply to a question by AP Senior Trade Correspondent Jo Li.") == -1.0
    # a name before a comma is not the role's qualifier
    q = "Who is the city's press secretary who denied the report?"
    assert fit(q, "It was denied in Lyon, city press secretary Marc Roux said.") == 1.0


def test_a_described_qualifier_is_met_by_any_named_one() -> None:
    """ "Which state attorney general" asks for the attorney general of some state: the one of
    Ohio answers it. A named qualifier ("Ohio's") is still contradicted by another name."""
    q = "Which state attorney general led the inquiry with Illinois' Dana Reyes?"
    assert fit(q, "The inquiry was led by Ohio Attorney General Jane Roe, the office said.") == 1.0
    q = "Which Ohio attorney general led the inquiry?"
    assert fit(q, "The inquiry was led by Texas Attorney General Jo Li, the office said.") == -1.0
    # the word just before the role must still be there
    q = "Which deputy minister resigned on Friday?"
    assert fit(q, "Trade Minister Ana Torres resigned on Friday.") == -1.0


def test_role_in_one_sentence_leaves_the_name_to_the_next() -> None:
    q = "Who is the finance minister who warned prices could rise?"
    assert fit(q, "Prices could rise, the finance minister said Friday.") == 0.0


def test_figures_must_count_the_asked_noun_near_the_asked_words() -> None:
    q = "How many books were added to the library?"
    assert fit(q, "The library added 12,000 books to its shelves.") == 1.0
    assert fit(q, "The library opened 3 new rooms for children.") == 0.0
    far = (
        "The city hired about 40 people for each branch, and 5 of them will staff the library"
        " cafe that opens next spring near the old market and the bus station."
    )
    assert fit("How many people will staff the library cafe?", far) == 1.0
    assert fit("How quickly can the ferry cross?", "The ferry crosses in 40 minutes.") == 1.0
    assert fit("How much have fares increased?", "Fares are tripling since last year.") > 0


def test_counted_noun_is_the_head_of_the_phrase() -> None:
    assert focus_noun("How many positive flu cases are in the US?", AnswerType.NUMBER) == "case"
    assert focus_noun("How many electric buses did it buy?", AnswerType.NUMBER) == "bus"
    assert focus_noun("How many Canadians voted?", AnswerType.NUMBER) is None
    assert focus_noun("How many of those are new?", AnswerType.NUMBER) is None


def test_plurals_come_from_inflect() -> None:
    assert singular("casualties") == "casualty" and singular("people") == "person"
    assert singular("news") == "news" and singular("buses") == "bus"


def test_lone_surnames_next_to_speech_verbs_are_people() -> None:
    assert names("“We watch closely,” said Okafor-Hale.") == {"okafor-hale"}
    assert "lindqvist" in names("No decision has been made, Lindqvist said.")
    assert names("The minister said Friday that it was not certain.") == set()


def test_one_sources_figure_is_not_a_survey_but_a_comparison_is() -> None:
    assert ATTRIBUTED.search("How many fans did the club say had come?")
    assert ATTRIBUTED.search("According to the police, how many fans were there?")
    assert not ATTRIBUTED.search("How many fans were at the stadium?")
    assert COMPARE.search("Does the club's estimate match the police estimate?")


def test_the_agency_said_is_answered_by_the_sentence_naming_it() -> None:
    q = "Which research company said the survey covered 2,000 voters?"
    expect = expectation(q, AnswerType.ORGANISATION)
    sentence = "The survey covered 2,000 voters, the company said."
    assert expect.match(sentence) == -0.5
    assert expect.match(sentence, "Turnout will be low, Ipsos said on Monday.") == 0.5
    assert expect.match(sentence, "They were reached by phone or online.") == -0.5


def test_organisations_are_acronyms_and_named_bodies_not_a_list() -> None:
    assert entities("The Transport Ministry said so.", AnswerType.ORGANISATION) == {
        "transport ministry"
    }
    assert entities("UNICEF said on Monday.", AnswerType.ORGANISATION) == {"unicef"}


def test_a_place_may_follow_a_word_for_which_part_of_it() -> None:
    def places(text: str) -> set[str]:
        return entities(text, AnswerType.PLACE)

    assert places("The strike hit a house in downtown Lagos on Sunday.") == {"lagos"}
    assert places("Crews worked in rural Marion County and in southwestern Ohio.") == {
        "marion county", "ohio",
    }  # fmt: skip
    assert places("Floods swept the northern Tigray region.") == set()  # no preposition
    assert places("The team moved to a rural area.") == set()  # no name


def test_inflect_is_imported_without_typeguard_recompiling_it() -> None:
    import typeguard

    checked = typeguard.typechecked
    singular("cities")  # makes the engine, if no test has yet
    assert typeguard.typechecked is checked  # the decorator is put back for everyone else
    import inflect  # only qa.inflection imports it, in tests as in the product

    assert "typeguard" not in inflect.engine.singular_noun.__code__.co_names  # not recompiled
    assert singular("access") == "access" and singular("cities") == "city"


def test_a_date_with_an_ordinal_day_or_an_older_year_fits_a_date_question() -> None:
    day = "On what date did the museum reopen?"
    fits = expectation(day, answer_type(day)).match
    assert fits("The museum reopened on Saturday, March 5th, after the flood.", "") == 1.0
    assert fits("It reopened on the 5th of March to long queues.", "") == 1.0
    assert fits("It reopened on Saturday to long queues.", "") < 0
    year = "In what year was the lighthouse built?"
    assert (
        expectation(year, answer_type(year)).match("The lighthouse was built in 1874.", "") == 1.0
    )
    assert dated_before("The mill burned on the 4th of October, 1890.", date(2022, 1, 1))
