"""Ages, prices, places, names, ethnicity mentions, region inference, images and the record API."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image

from lantern.extract import ExtractConfig, extract_record, extract_text, fingerprint_image, infer_region
from lantern.records import EXTRACTED_KEYS, InputRecord, empty_extraction

CFG = ExtractConfig()


@pytest.mark.parametrize(
    ("text", "ages"),
    [
        ("age: 22", [22]),
        ("I am 16 years old", [16]),
        ("nineteen years old", [19]),
        ("im n1neteen", [19]),
        ("I'm twenty-one and friendly", [21]),
        ("age 19-21", [19, 21]),
        ("19yo", [19]),
        ("sweet 23 yrs", [23]),
    ],
)
def test_ages(text: str, ages: list[int]) -> None:
    assert extract_text(text, CFG)["ages"] == ages


@pytest.mark.parametrize(
    "text",
    [
        "30+ only",
        "gentlemen over 40",
        "clients 25-60 welcome",
        "must be 21+",
        "34-24-36",
        "I'm 5'4",
        "I'm 120lbs",
        "men 40 and older",
    ],
)
def test_age_exclusions(text: str) -> None:
    assert extract_text(text, CFG)["ages"] == []


def test_age_never_clamped_and_phone_digits_masked() -> None:
    out = extract_text("I'm 16. Call 713-555-0142", CFG)
    assert out["ages"] == [16]


def test_title_age_suffix() -> None:
    rec = InputRecord(id="1", source="t", title="Sweet and new - 19")
    assert extract_record(rec, CFG)["ages"] == [19]


def test_prices() -> None:
    prices = extract_text("$150 hh, 250/hr, 200 roses half hour, £120 per hour", CFG)["prices"]
    assert {"amount": 150.0, "currency": "USD", "minutes": 30, "text": "$150 hh"} in prices
    assert {"amount": 250.0, "currency": "USD", "minutes": 60, "text": "250/hr"} in prices
    assert {"amount": 200.0, "currency": "USD", "minutes": 30, "text": "200 roses half hour"} in prices
    assert {"amount": 120.0, "currency": "GBP", "minutes": 60, "text": "£120 per hour"} in prices


def test_locations_geocoded() -> None:
    out = extract_text("Visiting Houston, TX this week, then in Dallas. Ask for Charlotte.", CFG)
    names = [(p["name"], p["admin1"], p["country"]) for p in out["locations"]]
    assert names == [("Houston", "TX", "US"), ("Dallas", "TX", "US")]
    houston = out["locations"][0]
    assert abs(houston["lat"] - 29.76) < 0.1 and abs(houston["lon"] + 95.36) < 0.1


def test_stated_location() -> None:
    rec = InputRecord(id="1", source="t", location="Sydney NSW", body="hi")
    out = extract_record(rec, CFG)
    assert out["locations"][0]["country"] == "AU"
    assert out["mentions"][0]["field"] == "location"


def test_names() -> None:
    assert extract_text("Hi, I'm Mia. Ask for Jade. Sasha is back!", CFG)["names"] == ["Mia", "Jade", "Sasha"]


def test_ethnicity_only_as_mentions() -> None:
    out = extract_text("Sweet Latina and a s i a n", CFG)
    eth = [m for m in out["mentions"] if m["type"] == "ethnicity"]
    assert [m["value"] for m in eth] == ["latina", "asian"]
    assert "ethnicity" not in out


@pytest.mark.parametrize(
    ("record", "region"),
    [
        ({"location": "London, UK"}, "GB"),
        ({"location": "Houston, TX"}, "US"),
        ({"url": "https://example.com.au/ads/1"}, "AU"),
        ({"url": "https://example.co.uk/x"}, "GB"),
        ({"url": "https://example.com/mumbai/escorts"}, "IN"),
        ({}, "US"),
    ],
)
def test_infer_region(record: dict, region: str) -> None:
    assert infer_region(InputRecord(id="1", source="t", **record), "US") == region


def test_record_shape_and_json() -> None:
    rec = InputRecord(
        id="1", source="t", url="https://example.com/houston/call-713-555-0142", title="New - 22",
        body="Jess here, snap: jess_22, $150 hh. Email jess at example dot com", location="Houston, TX",
    )  # fmt: skip
    out = extract_record(rec, CFG)
    assert set(empty_extraction()) <= set(out)
    assert set(EXTRACTED_KEYS) <= set(out)
    assert (
        out["images"] == [] and out["indicators"] == [] and out["risk"] == {"trafficking": 0.0, "minor": 0.0}
    )
    assert out["phones"] == ["+17135550142"]
    json.dumps(out)
    texts = {"url": rec.url, "title": rec.title, "body": rec.body, "location": rec.location}
    for m in out["mentions"]:
        start, end = m["span"]
        assert texts[m["field"]][start:end] == m["text"]
        assert set(m) == {"type", "value", "field", "span", "text", "obscured", "techniques"}


def test_fingerprint_image() -> None:
    img = Image.new("RGB", (64, 48))
    for x in range(64):
        for y in range(48):
            img.putpixel((x, y), ((x * 4) % 256, (y * 5) % 256, 128))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    fp = fingerprint_image(buf.getvalue())
    assert (fp.width, fp.height) == (64, 48)
    assert len(fp.sha256) == 64 and len(fp.phash) == 16
    int(fp.phash, 16)


def test_a_repeated_title_reads_as_if_new_and_each_record_gets_its_own_mentions() -> None:
    """Titles are remembered per process (``record.FIELD_CACHE_ENTRIES``): the second record with a title
    gets what reading it afresh gives, and changing one record's mentions leaves the next one's alone."""
    title = "Jess - 22, text 713 555 0142"
    fresh = extract_text(title, CFG, field="title")["mentions"]
    first = extract_record(InputRecord(id="1", source="t", title=title, body="Quiet evening walks."), CFG)
    for mention in first["mentions"]:
        mention["value"] = "changed by a later stage"
    second = extract_record(InputRecord(id="2", source="t", title=title, body="Calm and kind."), CFG)
    in_title = [m for m in second["mentions"] if m["field"] == "title"]
    assert in_title == fresh
    assert [m["type"] for m in in_title] == ["phone"]
    assert second["phones"] == ["+17135550142"]
