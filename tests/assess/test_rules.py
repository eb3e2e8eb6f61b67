"""Each rule family fires on a fictional, neutral example and not on its negative context."""

from __future__ import annotations

import pytest

from lantern.assess import Assessor
from lantern.extract import extract_record
from lantern.records import InputRecord, empty_extraction


@pytest.fixture(scope="module")
def assessor() -> Assessor:
    return Assessor.load(use_env=False)


def assess(assessor: Assessor, body: str, title: str = "Hello") -> dict:
    record = InputRecord.model_validate({"id": "1", "source": "test", "title": title, "body": body})
    extracted = extract_record(record)
    assessor.assess_record(record, extracted)
    return extracted


def ids(extracted: dict) -> set[str]:
    return {i["id"] for i in extracted["indicators"]}


@pytest.mark.parametrize(
    ("rule", "positive", "negative"),
    [
        ("T01", "Friendly company. 100% real photos.", "Friendly company. Photos on request."),
        ("T03", "Young and cheerful company.", "No teens please, mature company."),
        ("T05", "Just arrived, in town tonight.", "Living in New York, best in town."),
        ("T09", "Come see us downtown, ask for Amber.", "Quiet company downtown."),
        ("T16", "Available 24/7 for bookings.", "Available weekends."),
        ("T22", "Sweet and innocent.", "Visiting from Virginia this week."),
        ("T24", "Still in high school.", "Friendly, finished my degree."),
        ("E04", "Sweet company \U0001f338", "Sweet company \u2728"),
    ],
)
def test_text_rule_fires_and_respects_negative_context(assessor: Assessor, rule: str, positive: str,
                                                       negative: str) -> None:  # fmt: skip
    assert rule in ids(assess(assessor, positive))
    assert rule not in ids(assess(assessor, negative))


def test_firing_carries_span_weight_source_and_explanation(assessor: Assessor) -> None:
    body = "Hi! Satisfaction guaranteed."
    item = next(i for i in assess(assessor, body)["indicators"] if i["id"] == "T01")
    start, end = item["span"]
    assert body[start:end] == item["text"] == "Satisfaction guaranteed"
    assert item["field"] == "body" and item["weight"] == 2.0
    assert "JRSA" in item["source"] and "Satisfaction guaranteed" in item["explanation"]


def test_span_points_into_text_with_emoji(assessor: Assessor) -> None:
    body = "\U0001f338\u2728 Young and sweet"
    item = next(i for i in assess(assessor, body)["indicators"] if i["id"] == "T03")
    assert body[item["span"][0] : item["span"][1]] == "Young"


def test_obscured_phone_fires_from_extractor_mentions(assessor: Assessor) -> None:
    plain = assess(assessor, "Call 713-555-0142 today.")
    hidden = assess(assessor, "Call seven one three five five five zero one four two today.")
    assert "T02" not in ids(plain)
    t02 = next(i for i in hidden["indicators"] if i["id"] == "T02")
    assert t02["field"] == "body" and "spelled" in t02["explanation"]


def test_obscured_phone_from_mentions_without_text(assessor: Assessor) -> None:
    mention = {"type": "phone", "value": "+17135550142", "field": "body", "span": [5, 20],
               "text": "7l3 555 Ol42", "obscured": True, "techniques": ["lookalike"]}  # fmt: skip
    firings = assessor.indicators_for({"body": "Call 7l3 555 Ol42"}, [mention])
    assert [i["id"] for i in firings if i["id"] == "T02"] == ["T02"]


def test_ethnicity_alone_gives_zero(assessor: Assessor) -> None:
    mention = {"type": "ethnicity", "value": "latina", "field": "body", "span": [0, 6], "text": "Latina",
               "obscured": False, "techniques": []}  # fmt: skip
    extracted = empty_extraction()
    extracted["mentions"] = [mention]
    record = InputRecord.model_validate({"id": "1", "source": "t", "body": "Latina, friendly company."})
    assessor.assess_record(record, extracted)
    assert "T04" not in ids(extracted)
    baseline = assessor.risk_of([])
    assert extracted["risk"] == baseline
    # Beside another positive rule, the ethnicity marketing counts.
    record = InputRecord.model_validate({"id": "1", "source": "t", "body": "Latina, no games."})
    assessor.assess_record(record, extracted)
    assert {"T01", "T04"} <= ids(extracted)


def test_stated_age_16_gives_high_minor_score(assessor: Assessor) -> None:
    extracted = assess(assessor, "Hi, I'm Amber, 16 years old. Call 713-555-0142.")
    assert 16 in extracted["ages"]
    assert extracted["risk"]["minor"] >= 0.8
    m1 = next(i for i in extracted["indicators"] if i["id"] == "M1")
    assert "16" in m1["explanation"] and m1["span"] is not None


def test_youth_with_age_19_is_m2_and_scores_above_youth_alone(assessor: Assessor) -> None:
    both = assess(assessor, "Hi, I'm Amber, 19 years old. Young and sweet.")
    alone = assess(assessor, "Hi, I'm Amber. Young and sweet.")
    assert "M2" in ids(both) and "M3" in ids(alone)
    assert (
        both["risk"]["minor"] > alone["risk"]["minor"] > assess(assessor, "Hi, I'm Amber.")["risk"]["minor"]
    )


def test_clearly_adult_stated_age_undercuts_youth_language(assessor: Assessor) -> None:
    """INDICATORS.md §5.2: a stated age is weak evidence against minority; at 22+ youth words are marketing."""
    no_age = assess(assessor, "Hi, I'm Amber. Young and sweet. Ask for Amber.")
    adult = assess(assessor, "Hi, I'm Amber, 27 years old. Young and sweet. Ask for Amber.")
    assert {"M3", "M6"} <= ids(no_age)
    assert not {"M3", "M6"} & ids(adult)
    assert adult["risk"]["minor"] < no_age["risk"]["minor"]


def test_age_18_with_third_party_voice_is_m7_without_youth_words(assessor: Assessor) -> None:
    managed = assess(assessor, "Come see us downtown, ask for Amber. She is 18 years old.")
    own_voice = assess(assessor, "Hi, I'm Amber, 18 years old. Friendly company.")
    older = assess(assessor, "Come see us downtown, ask for Amber. She is 24 years old.")
    assert "M7" in ids(managed) and "M7" not in ids(own_voice) | ids(older)
    m7 = next(i for i in managed["indicators"] if i["id"] == "M7")
    assert m7["span"] is not None and "18" in m7["text"]
    assert managed["risk"]["minor"] > own_voice["risk"]["minor"]
    youth = assess(assessor, "Come see us downtown, ask for Amber. She is 18 years old. Young and sweet.")
    assert "M7" not in ids(youth) and "M2" in ids(youth)  # youth words: M2 and M6 say it already


def test_movement_language_lowers_trafficking_score(assessor: Assessor) -> None:
    base = assess(assessor, "No games. Friendly company.")
    moving = assess(assessor, "No games. Friendly company. Just arrived!")
    assert moving["risk"]["trafficking"] < base["risk"]["trafficking"]


def test_every_rule_cites_known_sources(assessor: Assessor) -> None:
    info = assessor.catalogue_info
    assert {r.id for r in assessor.catalogue} >= {f"T{n:02d}" for n in range(1, 25)} | {
        f"S{n:02d}" for n in range(1, 17)
    }
    assert {"M0", "M1", "M2", "M3", "M4", "M5"} <= {r.id for r in assessor.catalogue}
    for rule in assessor.catalogue:
        assert rule.sources and all(s in info.sources for s in rule.sources)
