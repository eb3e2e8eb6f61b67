"""The generated world: deterministic, valid input records, fictional contacts, truth consistent with text."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from pathlib import Path

import orjson
import pytest

from lantern.records import InputRecord
from lantern.synth import TECHNIQUES, WorldConfig, generate, pool_sizes
from lantern.synth.fictional import is_fictional_email, is_fictional_phone
from lantern.synth.vocab import COPIED_PHRASES, SITES


def _read(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict], list[dict], dict]:
    out = tmp_path_factory.mktemp("world")
    generate(out, 4000, seed=11)
    return (
        _read(out / "records.jsonl"),
        _read(out / "_truth.jsonl"),
        orjson.loads((out / "_world.json").read_bytes()),
    )


def test_same_seed_gives_identical_bytes_and_another_seed_differs(tmp_path: Path) -> None:
    for name in ("a", "b", "c"):
        generate(tmp_path / name, 600, seed=5 if name != "c" else 6, images=False)
    for file in ("records.jsonl", "_truth.jsonl", "_world.json"):
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()
    assert (tmp_path / "a" / "records.jsonl").read_bytes() != (tmp_path / "c" / "records.jsonl").read_bytes()


def test_records_validate_and_truth_lines_up(world: tuple[list[dict], list[dict], dict]) -> None:
    records, truths, summary = world
    assert len(records) == len(truths) == summary["records"] == 4000
    keys = set()
    for record, truth in zip(records, truths, strict=True):
        parsed = InputRecord.model_validate(record)
        assert (truth["source"], truth["id"]) == (record["source"], record["id"])
        keys.add(parsed.key)
        assert record["kind"] in ("ad", "post")
        if record["kind"] == "post":
            assert record["author"] and truth["operator"].startswith("op-")
    assert len(keys) == len(records)
    posted = [r["posted_at"] for r in records]
    assert posted == sorted(posted), "records stream in time order"
    assert posted[-1][:7] >= "2024-05", "posted_at spans months"


def test_every_contact_is_fictional(world: tuple[list[dict], list[dict], dict]) -> None:
    records, truths, _ = world
    support = {site.support_phone for site in SITES}
    for record, truth in zip(records, truths, strict=True):
        assert all(is_fictional_phone(p) for p in truth["phones"]), truth["phones"]
        assert not support & set(truth["phones"]), "site boilerplate is never a provider's number"
        assert all(is_fictional_email(e) for e in truth["emails"])
        text = " ".join(filter(None, (record["url"], record["title"], record["body"])))
        for email in re.findall(r"[\w.+-]+@[\w.-]+", text):
            assert is_fictional_email(email.rstrip(".")), email
        for handle in truth["handles"] + truth["payments"]:
            assert "fict" in handle["handle"]


def _digits(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if ch.isascii() and ch.isdigit())


def test_truth_phones_are_written_in_the_record(world: tuple[list[dict], list[dict], dict]) -> None:
    # For techniques a Unicode normaliser alone undoes, the true digits must be in the text's digits.
    undone_by_nfkc = {
        "fullwidth",
        "math_bold",
        "circled",
        "keycap",
        "zero_width",
        "spaced",
        "separators",
        "url_slug",
        "email_words",
    }
    checked = 0
    for record, truth in zip(world[0], world[1], strict=True):
        if not set(truth["obfuscation"]) <= undone_by_nfkc:
            continue
        text = _digits(" ".join(filter(None, (record["url"], record["title"], record["body"]))))
        for phone in truth["phones"]:
            national = phone[2:] if phone.startswith("+1") else phone[3:]
            assert national in text, (phone, record["body"])
            checked += 1
    assert checked > 1000


def test_world_has_every_ingredient(world: tuple[list[dict], list[dict], dict]) -> None:
    records, truths, summary = world
    assert all(summary["techniques"][t] > 0 for t in TECHNIQUES), summary["techniques"]
    assert summary["operators"] > 5 and summary["minors"] > 0
    assert summary["independent_records"] > summary["operator_records"], "independents are the majority"
    assert summary["posts"] > 0 and set(summary["by_country"]) == {"US", "GB", "AU"}
    assert len(summary["by_source"]) == 6
    minors = [t for t in truths if t["minor"]]
    assert minors and all(t["operator"].startswith("op-") for t in minors)
    assert all(a in (18, 19) for t in minors for a in t["ages"])
    # Phones rotate: an operator network shows several numbers over the period.
    phones_per_operator: dict[str, set[str]] = defaultdict(set)
    for truth in truths:
        phones_per_operator[truth["operator"]].update(truth["phones"])
    assert max(len(v) for k, v in phones_per_operator.items() if k.startswith("op-")) >= 4
    # Operators move along circuits.
    cities: dict[str, set[str]] = defaultdict(set)
    for truth in truths:
        cities[truth["operator"]].add(truth["city"])
    assert max(len(v) for v in cities.values()) >= 3
    # Traps: copied phrases appear in unrelated independents' ads.
    users: dict[str, set[str]] = defaultdict(set)
    for record, truth in zip(records, truths, strict=True):
        for phrase in COPIED_PHRASES:
            if phrase in (record["body"] or "") and truth["operator"].startswith("ind-"):
                users[phrase].add(truth["operator"])
    assert max(len(v) for v in users.values()) >= 5


def test_text_only_and_image_only_operators(tmp_path: Path) -> None:
    config = WorldConfig(operator_text_only=0.5, operator_image_only=0.5, post_share=0.0)
    generate(tmp_path, 1500, seed=3, config=config, images=True)
    records, truths = _read(tmp_path / "records.jsonl"), _read(tmp_path / "_truth.jsonl")
    seen = set()
    for truth in truths:
        if truth["operator"].startswith("op-"):
            assert truth["link_via"] in (["text"], ["image"]), truth
            seen.add(truth["link_via"][0])
    assert seen == {"text", "image"}
    # Stock images are shared by unrelated independents and never count as a tie.
    stock_users: dict[str, set[str]] = defaultdict(set)
    for truth in truths:
        for base in truth["image_bases"]:
            if base.startswith("stock-"):
                stock_users[base].add(truth["operator"])
    assert max(len(v) for v in stock_users.values()) >= 2
    assert len(records) == 1500


def test_images_are_written_reused_and_abstract(tmp_path: Path) -> None:
    from PIL import Image

    generate(tmp_path, 400, seed=2, images=True)
    records = _read(tmp_path / "records.jsonl")
    references = [path for record in records for path in record["images"]]
    files = set(references)
    assert references and len(files) < len(references), "the same photo file is reused across ads"
    assert files == {f"images/{p.name}" for p in (tmp_path / "images").iterdir()}
    for path in sorted(files)[:40]:
        with Image.open(tmp_path / path) as image:
            assert 48 <= image.width <= 256 and 48 <= image.height <= 256
    assert any(p.endswith(".jpg") for p in files) and any("-v1." in p for p in files)


def test_without_images_records_have_none_and_nothing_is_written(tmp_path: Path) -> None:
    generate(tmp_path, 200, seed=2, images=False)
    assert all(r["images"] == [] for r in _read(tmp_path / "records.jsonl"))
    assert not (tmp_path / "images").exists()


def test_live_pools_are_bounded_for_any_size() -> None:
    config = WorldConfig()
    small, huge = pool_sizes(1000, config), pool_sizes(100_000_000, config)
    assert small.independents < huge.independents <= config.max_active_independents
    assert huge.operators <= config.max_active_operators


def test_truth_lists_the_site_boilerplate_contacts_written_in_each_ad(
    world: tuple[list[dict], list[dict], dict],
) -> None:
    by_source = {site.source: site for site in SITES}
    for record, truth in zip(world[0], world[1], strict=True):
        boilerplate = truth["boilerplate"]
        assert set(boilerplate) == {"phones", "emails"}
        if record["kind"] == "post":
            assert boilerplate == {"phones": [], "emails": []}
            continue
        site = by_source[record["source"]]
        assert boilerplate == {"phones": [site.support_phone], "emails": [site.support_email]}
        assert site.support_email in record["body"]
        assert not set(boilerplate["phones"]) & set(truth["phones"])
        assert not set(boilerplate["emails"]) & set(truth["emails"])


def test_scoring_ignores_boilerplate_predictions_and_only_those() -> None:
    from lantern.evaluate.store_eval import score_fields

    truth = {
        "phones": ["+17135550142"],
        "emails": [],
        "boilerplate": {"phones": ["+12125550100"], "emails": ["support-citylist@example.com"]},
    }
    extracted = {
        "phones": ["+12125550100", "+17135550142", "+13055550199"],
        "emails": ["support-citylist@example.com"],
    }
    counts = {"phones": [0, 0, 0], "emails": [0, 0, 0]}
    score_fields(extracted, truth, counts)
    assert counts == {"phones": [1, 1, 0], "emails": [0, 0, 0]}  # the unlisted 305 number still counts
    counts = {"phones": [0, 0, 0], "emails": [0, 0, 0]}
    score_fields(extracted, {k: v for k, v in truth.items() if k != "boilerplate"}, counts)
    assert counts == {"phones": [1, 2, 0], "emails": [0, 1, 0]}  # old truth files score as before
