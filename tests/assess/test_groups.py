"""Structural rules over a group, network scores and minor propagation with its path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lantern.assess import Assessor, GroupMember
from lantern.records import InputRecord, empty_extraction

START = datetime(2024, 3, 1, tzinfo=UTC)


def indicators(assessor: Assessor, body: str) -> list[dict]:
    extracted = empty_extraction()
    assessor.assess_record(InputRecord.model_validate({"id": "x", "source": "t", "body": body}), extracted)
    return extracted["indicators"]


def test_roster_and_circuit_fire_structural_rules() -> None:
    assessor = Assessor.load(use_env=False)
    cities = ["Houston, TX", "Dallas, TX", "Austin, TX", "Houston, TX", "Dallas, TX"]
    names = ["Amber", "Bella", "Chloe", "Daisy", "Ella"]
    members = [
        GroupMember(
            key=f"t:{i}",
            posted_at=START + timedelta(days=2 * i),
            city=cities[i],
            phones=["+17135550142"],
            names=[names[i]],
            image_hashes=["aaaa0000aaaa0000"],
            source=["a", "b", "c", "a", "b"][i],
        )
        for i in range(5)
    ]
    result = assessor.assess_group(members)
    fired = {i["id"] for i in result.indicators}
    assert {"S02", "S03", "S06", "S08", "S12"} <= fired
    s06 = next(i for i in result.indicators if i["id"] == "S06")
    assert "+17135550142" in s06["explanation"] and "5 names" in s06["explanation"]
    assert result.risk["trafficking"] > 0.5
    assert all(v["trafficking"] > assessor.risk_of([])["trafficking"] for v in result.members.values())


def test_single_independent_fires_nothing() -> None:
    assessor = Assessor.load(use_env=False)
    members = [GroupMember(key=f"t:{i}", posted_at=START + timedelta(days=7 * i), city="Houston, TX",
                           phones=["+17135550142"], names=["Amber"]) for i in range(4)]  # fmt: skip
    assert assessor.assess_group(members).indicators == []


def test_minor_propagation_explains_path() -> None:
    assessor = Assessor.load(use_env=False)
    seed = GroupMember(key="t:1", phones=["+17135550142"], names=["Amber"],
                       indicators=indicators(assessor, "I'm Amber, 16 years old."))  # fmt: skip
    middle = GroupMember(key="t:2", phones=["+17135550142", "+17135550143"], names=["Bella"])
    far = GroupMember(key="t:3", phones=["+17135550143"], names=["Chloe"], image_hashes=["bbbb"])
    result = assessor.assess_group([seed, middle, far])
    m5 = result.propagated["t:3"][0]
    assert m5["id"] == "M5"
    assert m5["path"] == ["t:3", "phone +17135550143", "t:2", "phone +17135550142", "t:1"]
    assert "16" in m5["explanation"] and "t:1" in m5["explanation"]
    assert result.members["t:3"]["minor"] > 0.4
    assert result.risk["minor"] >= 0.8
    assert "t:1" not in result.propagated


def test_young_stated_age_in_a_managed_network_fires_m7_for_that_member_only() -> None:
    """M7 at group level: the network's roster signal (S06) corroborates a stated age of 18; the members
    stating adult ages gain nothing, and the firing names the network evidence it rests on."""
    assessor = Assessor.load(use_env=False)
    names = ["Amber", "Bella", "Chloe", "Daisy", "Ella"]
    ages = [18, 26, 31, 27, 29]
    members = [
        GroupMember(key=f"t:{i}", posted_at=START + timedelta(days=2 * i), city="Houston, TX",
                    phones=["+17135550142"], names=[names[i]], ages=[ages[i]],
                    indicators=indicators(assessor, f"Hi, I'm {names[i]}, {ages[i]} years old."))
        for i in range(5)
    ]  # fmt: skip
    result = assessor.assess_group(members)
    assert "S06" in {i["id"] for i in result.indicators}
    m7 = [i for i in result.propagated.get("t:0", []) if i["id"] == "M7"]
    assert m7 and "+17135550142" in m7[0]["explanation"] and "18" in m7[0]["text"]
    assert not any(
        i["id"] == "M7" for key in ("t:1", "t:2", "t:3", "t:4") for i in result.propagated.get(key, [])
    )
    assert result.members["t:0"]["minor"] > result.members["t:1"]["minor"]
