"""Gaps found by scoring against the independent synthetic world (``lantern synth``), one test per fix.

Every example is fictional and neutral: NANP numbers in 555-0100..0199, Ofcom's 07700 900xxx drama range,
ACMA's Australian fiction ranges, addresses at example.com/.net.
"""

from __future__ import annotations

import pytest

from lantern.extract import ExtractConfig, extract_record, extract_text, infer_region
from lantern.records import InputRecord

CFG = ExtractConfig(default_region="US")


def _record(**fields: str | None) -> InputRecord:
    return InputRecord(id="1", source="board", **fields)


# ---- regions ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("location", "region"),
    [
        ("Perth, WA", "AU"),  # WA: Washington or Western Australia; the city decides
        ("Adelaide, SA", "AU"),  # SA: South Australia, not Saudi Arabia
        ("Seattle, WA", "US"),
        ("London, ON", "CA"),
        ("Houston, TX, USA", "US"),
    ],
)
def test_state_codes_shared_between_countries_are_read_by_the_city(location: str, region: str) -> None:
    assert infer_region(_record(location=location), "US") == region


def test_national_number_of_an_ambiguous_state_location_is_read_in_that_country() -> None:
    out = extract_record(_record(location="Perth, WA", body="Text me at 08 5550 0012 today."), CFG)
    assert out["phones"] == ["+61855500012"]


def test_place_named_in_a_post_without_location_lets_its_national_numbers_parse() -> None:
    post = _record(kind="post", url="https://social.example.com/agency/status/1",
                   body="Now taking appointments in Adelaide. Text (08) 5550 0001")  # fmt: skip
    assert extract_record(post, CFG)["phones"] == ["+61855500001"]


def test_place_named_in_text_never_overrides_a_number_valid_in_the_default_region() -> None:
    post = _record(kind="post", body="Just back from London. Text 713-555-0142")
    assert extract_record(post, CFG)["phones"] == ["+17135550142"]


# ---- phones -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "713-SS5-0142",  # s/S for 5 (INDICATORS.md O04)
        "7l3 sSS O142",  # a free-standing lookalike group between digits
        "1-7l3-SsS-Ol42",
        "713SsSOl42",  # a lookalike run glued inside the digits
        "(7l3) S5s-o142",  # a lookalike opening a group
    ],
)
def test_letter_lookalikes_including_s_for_five(written: str) -> None:
    assert extract_text(f"Reach me: {written} (text only).", CFG)["phones"] == ["+17135550142"]


def test_ordinary_words_and_plurals_are_not_lookalike_digits() -> None:
    assert extract_text("Loved the 90s so much, is it 713 or not", CFG)["phones"] == []


@pytest.mark.parametrize("written", ["713 | 555 | 0142", "7 | 1 | 3 | 5 | 5 | 5 | 0 | 1 | 4 | 2"])
def test_spaced_bar_is_a_separator_not_a_one(written: str) -> None:
    assert extract_text(f"Call {written} now", CFG)["phones"] == ["+17135550142"]


def test_number_after_a_per_hour_price_is_not_taken_for_the_rate() -> None:
    text = "$100/30min, $170/hr 713 555 0142 (text only)."
    assert extract_text(text, CFG)["phones"] == ["+17135550142"]
    assert extract_text("hh 150 hr 250", CFG)["phones"] == []


def test_number_in_a_non_id_query_value_is_read_but_ids_are_not() -> None:
    assert extract_text("https://example.com/view?id=00000306&ref=7135550142", CFG, field="url")[
        "phones"
    ] == ["+17135550142"]
    assert extract_text("https://example.com/view?id=7135550142", CFG, field="url")["phones"] == []
    assert extract_text("https://example.com/view?post_id=7135550142", CFG, field="url")["phones"] == []


def test_lookalike_only_disguise_counts_toward_the_digit_threshold() -> None:
    assert extract_text("Text 7l3SsSOl42", CFG)["phones"] == ["+17135550142"]


# ---- emails, handles ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "email"),
    [
        ("jo104[at]example[.]com", "jo104@example.com"),
        ("jo104 (at) example (.) net", "jo104@example.net"),
    ],
)
def test_bracketed_dot_in_spelled_emails(written: str, email: str) -> None:
    assert extract_text(f"Write to {written} for appointments", CFG)["emails"] == [email]


def test_spelled_email_after_a_phone_that_looked_like_a_domain() -> None:
    text = "Text me at 713-555-0142. jo271 AT example DOT net for appointments"
    assert extract_text(text, CFG)["emails"] == ["jo271@example.net"]


@pytest.mark.parametrize(
    "line", ["Booking line: 713-555-0142", "Booking line: seven one three five five five zero one four two"]
)
def test_phone_after_a_line_keyword_is_a_phone_not_a_messenger_handle(line: str) -> None:
    out = extract_text(line, CFG)
    assert out["phones"] == ["+17135550142"]
    assert out["handles"] == []


def test_line_messenger_handle_still_found() -> None:
    assert extract_text("LINE: jo_fict42", CFG)["handles"] == [{"platform": "line", "handle": "jo_fict42"}]


def test_post_author_is_a_handle_on_the_posting_platform() -> None:
    post = InputRecord(id="9", source="chirp", kind="post", author="Agency_Fict9", body="Booking this week")
    out = extract_record(post, CFG)
    assert out["handles"] == [{"platform": "chirp", "handle": "agency_fict9"}]
    (mention,) = [m for m in out["mentions"] if m["type"] == "handle"]
    assert mention["field"] == "author" and post.author[slice(*mention["span"])] == mention["text"]
    assert extract_record(InputRecord(id="9", source="board", author="Jo", body="Hi"), CFG)["handles"] == []


# ---- ages and names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ages"),
    [
        ("Hi! Call me Nova (21). Friendly.", [21]),
        ("Hey everyone! I'm Candy, 26. Warm smile.", [26]),
        ("My name is Ana, twenty-two, new here", [22]),
        ("I'm Jade, 5'6 and friendly", []),  # a height, not an age
        ("Call me Mia (713) 555-0142", []),  # the phone's digits are masked
        ("I'm Mia, 34-24-36", []),
    ],
)
def test_age_right_after_an_introduced_name(text: str, ages: list[int]) -> None:
    assert extract_text(text, CFG)["ages"] == ages


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Hi! Call me Nova (21).", ["Nova"]),
        ("Good evening, Bella here. Warm smile.", ["Bella"]),
        ("<p>Hi there!<br>Sky here, age 26.", ["Sky"]),
        ("Mia is in Brisbane now, limited time", ["Mia"]),
        ("Jade is visiting Dallas", ["Jade"]),
        ("Houston is in Texas", []),  # a big city, not a person
        ("Click here. More here!", []),
        ("Call me Now", []),
    ],
)
def test_names_introduced_by_call_me_here_and_is_in(text: str, names: list[str]) -> None:
    assert extract_text(text, CFG)["names"] == names


def test_number_word_opening_the_text_is_read_once() -> None:
    assert extract_text("thr33 ON3 tw0 FIV3 five fiv3 z3ro 0ne s3ven 0ne", CFG)["phones"] == ["+13125550171"]
