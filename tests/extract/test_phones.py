"""One test per §4.1 technique and per §4.3 exclusion: exact E.164 and spans back into the original."""

from __future__ import annotations

import pytest

from lantern.extract import ExtractConfig, extract_text

CFG = ExtractConfig(default_region="US")
E = "+17135550142"


def phone_mentions(text: str, field: str = "body", region: str | None = None) -> list[dict]:
    out = extract_text(text, CFG, field=field, region=region)
    for m in out["mentions"]:
        assert text[m["span"][0] : m["span"][1]] == m["text"]
    return [m for m in out["mentions"] if m["type"] == "phone"]


@pytest.mark.parametrize(
    ("written", "technique"),
    [
        ("seven one three five five five zero one four two", "spelled_digits"),
        ("s3ven 0ne thr33 f1ve f1ve f1ve zer0 0ne f0ur tw0", "misspelled_digits"),
        ("seven one three five five five oh one four two", "oh_for_zero"),
        ("seven one three five fifty-five oh one forty-two", "tens_words"),
        ("7one3 5five5 0one4two", "mixed_words_digits"),
        ("713-555-O142", "letter_lookalike"),
        ("7l3 555 0142", "letter_lookalike"),
        ("7 1 3 5 5 5 0 1 4 2", "separators"),
        ("7.1.3.5.5.5.0.1.4.2", "separators"),
        ("713/555/0142", "separators"),
        ("713💓555💓0142", "separators"),
        ("７１３５５５０１４２", "fullwidth"),
        ("𝟕𝟏𝟑𝟓𝟓𝟓𝟎𝟏𝟒𝟐", "mathematical"),
        ("⑦①③⑤⑤⑤⓪①④②", "circled"),
        ("❼❶❸❺❺❺⓿❶❹❷", "circled"),
        ("٧١٣٥٥٥٠١٤٢", "unicode_digits"),
        ("7️⃣1️⃣3️⃣5️⃣5️⃣5️⃣0️⃣1️⃣4️⃣2️⃣", "keycap_emoji"),
        ("713\u200b-555\u200d-01\u200b42", "zero_width"),
        ("713 555 О142", "confusable"),
        ("⁷¹³⁵⁵⁵⁰¹⁴²", "superscript"),
    ],
)
def test_obscured_technique(written: str, technique: str) -> None:
    text = f"Friendly and new, reach me at {written} anytime."
    (m,) = phone_mentions(text)
    assert m["value"] == E
    assert m["text"] == written
    assert m["obscured"] is True
    assert technique in m["techniques"]


@pytest.mark.parametrize("written", ["713-555-0142", "(713) 555-0142", "713.555.0142", "+1 713 555 0142",
                                     "7135550142", "1-713-555-0142"])  # fmt: skip
def test_plain_formats_are_not_obscured(written: str) -> None:
    (m,) = phone_mentions(f"Call {written} today")
    assert m["value"] == E
    assert m["text"] == written
    assert m["obscured"] is False
    assert m["techniques"] == []


def test_url_slug() -> None:
    url = "https://example.com/houston/sweet-call-713-555-0142-today/"
    (m,) = phone_mentions(url, field="url")
    assert m["value"] == E
    assert m["field"] == "url"
    assert "url_slug" in m["techniques"]
    assert url[m["span"][0] : m["span"][1]] == "713-555-0142"


def test_url_numeric_ad_id_is_not_a_phone() -> None:
    assert phone_mentions("https://example.com/ad/7135550142", field="url") == []


def test_two_numbers_and_repeats() -> None:
    out = extract_text("Call 713-555-0142 or text two one two five five five zero one nine nine. 713-555-0142",
                       CFG)  # fmt: skip
    assert out["phones"] == ["+12125550199", "+17135550142"]
    assert len([m for m in out["mentions"] if m["type"] == "phone"]) == 3


def test_search_box_phrase() -> None:
    assert extract_text("seven one three five five five zero one four two", CFG)["phones"] == [E]


def test_homophone_needs_digit_neighbours() -> None:
    assert extract_text("Call 713 555 014 for details", CFG)["phones"] == []
    assert extract_text("seven one three five five five zero one for two", CFG)["phones"] == [E]


@pytest.mark.parametrize(
    "text",
    [
        "Rates $150/200/300 per visit",
        "5'4\" and 5 ft 7 tall",
        "Stats 34-24-36 and 36C-26-38",
        "120lbs, 55 kg",
        "Booked 12/25/2025 and 2025-01-01",
        "Open 10:30pm to 2am",
        "Available 24/7",
        "420 friendly",
        "Houston, TX 77002-1234",
        "Order #7135550142 shipped",
        "ref no. 212-555-0199",
        "hh 150 hr 250 and 300 roses",
        "95% reviews",
    ],
)
def test_exclusions(text: str) -> None:
    assert extract_text(text, CFG)["phones"] == []


def test_exclusion_next_to_real_phone() -> None:
    text = "$200 hh. Call 713-555-0142, 5'4\" 120lbs, 24/7"
    (m,) = phone_mentions(text)
    assert m["value"] == E and m["text"] == "713-555-0142"


def test_uk_region_from_location_field() -> None:
    from lantern.extract import extract_record
    from lantern.records import InputRecord

    rec = InputRecord(id="1", source="t", body="Call 07700 900123 today", location="London, UK")
    out = extract_record(rec, CFG)
    assert out["phones"] == ["+447700900123"]


def test_australian_fictional_range() -> None:
    assert extract_text("ring 0491 570 156", CFG, region="AU")["phones"] == ["+61491570156"]


def test_international_with_plus_any_region() -> None:
    assert extract_text("WhatsApp +44 7700 900123", CFG)["phones"] == ["+447700900123"]
