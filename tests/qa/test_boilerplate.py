"""Page furniture is never quoted as an answer, and prose is never mistaken for furniture.

Every sentence here is made up in the style of news pages; none is copied from an article. A
flagged real sentence makes its question unanswerable, so the prose cases matter as much as the
boilerplate ones.
"""

from __future__ import annotations

import doctest
import time

import pytest

import index.boilerplate
from index.boilerplate import is_boilerplate
from qa.evidence import quotable

BOILERPLATE = {
    "link text run into the next link": [
        "Maria GonzalezMaria GonzalezCity council approves new bike lanes downtown…",
        "Lee ParkLee ParkSchool board delays vote on new start times",
        "WeatherWeatherStorms expected through the weekend",
    ],
    "headlines joined by separators": [
        "Weather | Traffic | Sports | Obituaries | Opinion",
        "Election results: Governor | Senate | House | Ballot measures",
        "Bake sale raises $900 • Library hours change • Parade route announced • Road work",
    ],
    "a labelled link with no full stop": [
        "More:City council approves new bike lanes downtown",
        "Holiday travel:Airports brace for record crowds this weekend",
        "► Holiday travel: Airports brace for record crowds this weekend",
        "Related: How to keep your pipes from freezing",
        "Read more: Five ways to cut your grocery bill",
        "Watch: Crews battle the warehouse fire overnight",
        "Previously: School board delays vote on new start times",
        # a headline that ends in a quoted title or remark is still no sentence
        "Last week:'Gravity Falls' tops holiday box office, riding its star's 'Moon Run'",
        "Opinion:Mayor says downtown plan is 'as good as done'",
    ],
    "a byline or sign-off": [
        "By Jane Doe, CNN",
        "By Jane Doe and Sam Roe",
        "Analysis from CNN Business' Jane Doe",
        "Analysis by Sam Roe, Politics Editor",
        "— Sam Roe, The Daily Ledger",
        "Associated Press Science Writer",
        "Special to The Daily Ledger",
        "Contributing: Sam Roe and Lee Park, The Daily Ledger",
        "Reporting by Jane Doe; Editing by Sam Roe",
        "The Associated Press contributed to this report.",
        "From staff and wire reports",
    ],
    "a time stamp alone": [
        "Updated 10:42 AM ET, Tue June 14, 2022",
        "Published 6:05 a.m. ET Jan. 3, 2023",
        "March 4, 2024 Updated March 5, 2024, 9:15 p.m. ET",
        "Aug. 9, 2023, 12:02 a.m. ET",
    ],
    "a dateline alone": ["Chicago —", "Paris CNN —", "Denver, Colorado —"],
    "a photo credit or caption": [
        "(Harbor Imaging/Reuters)",
        "(AP Photo/Jane Doe)",
        "(Photo by Sam Roe/Getty Images)",
        "Sam Roe/AFP/Getty Images",
        "Sam Roe/AP A firefighter sprays water on a burning barn on Sunday.",
        "Photo: Getty Images",
        "Credit: AP",
        "Courtesy of the Doe family",
        "Volunteers fill sandbags along the river (Image credit: Sam Roe/Getty Images)",
        "Hide Caption 3 of 12 Photos: Spring floods Volunteers fill sandbags on Tuesday.",
    ],
    "a call to action": [
        "Sign up for our weekly newsletter.",
        "SCIENCE NEWSLETTER: The week's discoveries, straight to your inbox",
        "Subscribe to our podcast on your favorite app",
        "Click here to see the full list of winners.",
        "Follow Jane Doe on Twitter @janedoe.",
        "Contact Sam Roe at sroe@dailyledger.com or follow him on X @samroe.",
        "She can be reached at jdoe@dailyledger.com.",
        "Get the Acme Travel Mug at Amazon for $19.99",
        "Share this article",
        "Read the full story here.",
    ],
    "an ad or a video widget": [
        "Advertisement",
        "Video Ad Feedback Crews battle the warehouse fire 02:14 • Source: CNN",
        "JUST WATCHED Crews battle the warehouse fire Replay More Videos ...",
        "MUST WATCH Flooding closes the main highway 01:15",
        "Watch the storm roll across the lake 02:43",
    ],
    "a note to the reader": [
        "© 2024 Acme Media Group.",
        "Copyright 2023 The Daily Ledger.",
        "All rights reserved.",
        "This story has been updated with new information.",
        "An earlier version of this story misstated the mayor's age.",
        "News: A previous version of this story gave the wrong date for the parade.",
        "Correction: A previous version of this article misspelled the coach's name.",
        "The views and opinions expressed in this column are the author's own.",
        "If you buy through our links, we may earn a commission.",
        "A version of this story appeared in our weekly science newsletter.",
        "https://www.dailyledger.com/news/2024/03/04/flood-update",
    ],
}

PROSE = [
    # datelines lead into the story: only the text after them is the answer, the line is prose
    "WASHINGTON (Reuters) - The Pentagon said on Friday it would send more engineers to the region.",
    "CHICAGO (AP) — The city council approved a new budget on Tuesday.",
    "Denver, Colorado (CNN) The mayor declared a snow emergency late Sunday.",
    # names and titles
    "Transportation Secretary Maria Gonzalez said on Friday that the bridge would reopen in May.",
    "Acme Corp. Chief Executive Sam Roe told analysts the company would cut 300 jobs.",
    "The team's new owner, Lee Park, bought the franchise from the DeMarco family in 2019.",
    "McCarthy and DeSantis met with JetBlue and PlayStation executives on Monday.",
    # quotes, short sentences, figures
    "“We are not going anywhere,” the mayor told reporters.",
    "Her verdict:'The best season we have had.'",
    "The coach said: 'We will be back next year.'",
    "He declined to comment.",
    "Wright was 34.",
    "The company reported revenue of $4.2 billion, up 12% from a year earlier.",
    "The race started at 10:30 a.m. and ended shortly after noon.",
    "Final score: Lakeside 3, Riverton 2",
    "Jane Doe, Sam Roe, Lee Park 1:57 p.m.: Ann Cole, Ben Dale, Kim Lee",
    # sentences that begin like furniture but are not
    "By Tuesday, the fire had burned 12,000 acres.",
    "By the end of the season, the team had won 60 games.",
    "Analysis from the senator’s office found the plan would cost $3 billion.",
    "More than 300 people attended the vigil.",
    "Watch parties were held across the city.",
    "Sign-ups for the summer program opened Monday.",
    "Millions of people rushed to sign up for health insurance.",
    "The photo, taken by a neighbor, shows the car leaving the lot.",
    "Updated figures released Monday show the jobless rate fell to 3.9%.",
    "The bad feedback from customers pushed the company to recall the heater.",
    "I just watched the game with my father.",
    "The survey, conducted by Ipsos/Reuters, found 40% approval.",
    "A Reuters/Ipsos poll found that 62% of voters support the plan.",
    "The Defense POW/MIA Accounting Agency said the sailor was identified in June.",
    "People with information are asked to contact the sheriff's office at tips@county.gov.",
    # headlines, sub-heads and data lines are kept: they can hold the answer
    "City Council Approves Budget After Marathon Session",
    "Flood waters recede as residents return home",
    "Winner: Jane Doe, “The Long Road Home”",
    "• Acceptance rate: 27.8%",
    "Game 1: Wednesday, June 3, at Lakeside | 8:30 p.m. | ABC",
    "Lakeside v Riverton | Group Stage | Saturday, June 27, starting at 7:30 p.m.",
    "Best actor in a drama series",
    "Jane Doe, Sam Roe and Lee Park",
    "Coronavirus testing: What to know before you go.",
]


@pytest.mark.parametrize(
    "sentence", [s for group in BOILERPLATE.values() for s in group], ids=lambda s: s[:40]
)
def test_page_furniture_is_flagged(sentence: str) -> None:
    assert is_boilerplate(sentence)


@pytest.mark.parametrize("sentence", PROSE, ids=lambda s: s[:40])
def test_prose_is_kept(sentence: str) -> None:
    assert not is_boilerplate(sentence)


def test_surrounding_whitespace_and_empty_lines() -> None:
    assert is_boilerplate("  Sign up for our weekly newsletter.\n")
    assert not is_boilerplate("\tHe declined to comment.  ")
    assert is_boilerplate("   ")


def test_docstring_examples_hold() -> None:
    assert doctest.testmod(index.boilerplate).failed == 0


def test_fast_enough_for_every_candidate_sentence() -> None:
    """The answer core runs it on ~1,000 candidate sentences per question."""
    sentences = [s for group in BOILERPLATE.values() for s in group] + PROSE
    batch = (sentences * (1000 // len(sentences) + 1))[:1000]
    start = time.perf_counter()
    for s in batch:
        is_boilerplate(s)
    assert time.perf_counter() - start < 0.5


# A scraped page that kept only a video player's feedback form, as some pages of a news crawl do.
AD_FORM = (
    "1. How relevant is this ad to you?\n\nVideo player was slow to load content Video content"
    " never loaded Ad froze or did not finish loading Audio on ad was too loud Other issues"
)


def test_a_page_of_furniture_alone_holds_nothing_to_quote() -> None:
    assert not quotable(AD_FORM)
    assert not quotable(f"{AD_FORM}\nSign up for our weekly newsletter.\n(Jo Roe/AP)\n")
    assert not quotable("")
    assert quotable(f"{AD_FORM}\nThe council approved the new budget on Tuesday.\n")
    assert quotable("Bake sale\nVolunteers raised $900 for the library.")
