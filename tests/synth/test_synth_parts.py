"""Obfuscation techniques, fictional ranges and the TOML config, one piece at a time."""

from __future__ import annotations

import random
import re
import unicodedata
from pathlib import Path

import pytest

from lantern.synth.config import WorldConfig, load_config
from lantern.synth.fictional import PhoneBook, is_fictional_email, is_fictional_phone
from lantern.synth.obfuscate import FORMATS, GLYPHS, render_email, render_phone
from lantern.synth.vocab import CITIES

HOUSTON = CITIES[0]
LONDON = next(c for c in CITIES if c.name == "London")
SYDNEY = next(c for c in CITIES if c.name == "Sydney")


def test_phone_book_hands_out_only_fictional_distinct_numbers() -> None:
    rng = random.Random(1)
    book = PhoneBook(rng)
    numbers = [book.allocate(city, rng).e164 for city in (HOUSTON, LONDON, SYDNEY) for _ in range(300)]
    assert all(is_fictional_phone(n) for n in numbers)
    assert len(set(numbers)) == len(numbers), "no two live actors share a number"
    assert any(n.startswith("+44") for n in numbers) and any(n.startswith("+61") for n in numbers)


def test_released_numbers_are_recycled_only_after_the_range_is_used() -> None:
    rng = random.Random(2)
    book = PhoneBook(rng)
    first = book.allocate(HOUSTON, rng)
    book.release(first)
    assert book.allocate(HOUSTON, rng).e164 != first.e164


def test_fictional_checks() -> None:
    assert is_fictional_phone("+17135550142")
    assert not is_fictional_phone("+17135550200") and not is_fictional_phone("+17135551234")
    assert is_fictional_phone("+447700900123") and not is_fictional_phone("+447700901123")
    assert is_fictional_phone("+61491570156") and is_fictional_phone("+61255501234")
    assert is_fictional_email("a.b1@example.org") and not is_fictional_email("a@example.co.uk")


@pytest.mark.parametrize("technique", sorted([*FORMATS, *GLYPHS, "zero_width"]))
def test_every_technique_hides_the_plain_number(technique: str) -> None:
    rng = random.Random(3)
    book = PhoneBook(rng)
    phone = book.allocate(HOUSTON, rng)
    for _ in range(20):
        text, used = render_phone(phone, technique, rng)
        assert technique in used
        naive = re.search(r"\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}", text, re.ASCII)  # \d is Unicode otherwise
        assert naive is None, text


@pytest.mark.parametrize("technique", sorted(GLYPHS))
def test_unicode_digit_techniques_decode_with_nfkc_or_keycap_strip(technique: str) -> None:
    rng = random.Random(4)
    phone = PhoneBook(rng).allocate(HOUSTON, rng)
    text, _ = render_phone(phone, technique, rng)
    cleaned = unicodedata.normalize("NFKC", text.replace("\ufe0f", "").replace("\u20e3", ""))
    assert phone.national in "".join(ch for ch in cleaned if ch.isascii() and ch.isdigit())


def test_combined_techniques_are_all_recorded() -> None:
    rng = random.Random(5)
    phone = PhoneBook(rng).allocate(HOUSTON, rng)
    _, used = render_phone(phone, "fullwidth", rng, combine=True)
    assert "fullwidth" in used and len(used) == 2


def test_email_words() -> None:
    text, used = render_email("rose12@example.com", True, random.Random(1))
    assert "@" not in text and "example" in text and used == ["email_words"]
    assert render_email("rose12@example.com", False, random.Random(1)) == ("rose12@example.com", [])


def test_config_from_toml(tmp_path: Path) -> None:
    path = tmp_path / "world.toml"
    path.write_text("operator_ad_share = 0.5\ndays = 90\n[technique_weights]\nkeycap = 3\n")
    config = load_config(path)
    assert config.operator_ad_share == 0.5 and config.days == 90
    assert config.technique_weights["keycap"] == 3.0 and config.technique_weights["spelled"] == 1.0
    assert load_config(None) == WorldConfig()


@pytest.mark.parametrize(
    "text",
    ["no_such_key = 1\n", "operator_ad_share = 1.5\n", "days = 'many'\n", "[technique_weights]\nnope = 1\n"],
)
def test_config_rejects_bad_values(tmp_path: Path, text: str) -> None:
    path = tmp_path / "world.toml"
    path.write_text(text)
    with pytest.raises(ValueError):
        load_config(path)
