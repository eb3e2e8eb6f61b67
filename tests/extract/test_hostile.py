"""Hostile input: size, invisible characters, mixed scripts, and the normaliser's offset map."""

from __future__ import annotations

import time

from lantern.extract import ExtractConfig, extract_text, normalise

CFG = ExtractConfig()


def test_one_megabyte_completes_quickly() -> None:
    chunk = "Sweet and friendly 💋 call 713-555-0142, $150 hh, 5'4\" age 22. a s i a n ".ljust(100)
    text = (chunk * 10_000)[:1_000_000]
    start = time.perf_counter()
    out = extract_text(text, CFG)
    assert time.perf_counter() - start < 30
    assert out["phones"] == ["+17135550142"]


def test_one_megabyte_single_word_and_digits() -> None:
    for text in ("a" * 1_000_000, "1" * 1_000_000, "1 " * 500_000, "@." * 500_000):
        start = time.perf_counter()
        extract_text(text, CFG)
        assert time.perf_counter() - start < 30


def test_only_zero_width() -> None:
    out = extract_text("\u200b\u200c\u200d\ufeff" * 1000, CFG)
    assert out["phones"] == [] and out["mentions"] == []


def test_mixed_scripts() -> None:
    text = "Привет, Олег. 東京 مرحبا call ７１３-５５５-０１４２ ok"
    out = extract_text(text, CFG)
    assert out["phones"] == ["+17135550142"]
    (m,) = [m for m in out["mentions"] if m["type"] == "phone"]
    assert m["text"] == "７１３-５５５-０１４２"
    assert normalise("Олег").text == "Олег"  # genuine Cyrillic is left alone


def test_normalise_map_and_trace() -> None:
    original = "a\u200bb５c7️⃣"
    n = normalise(original)
    assert n.text == "ab5c7"
    assert n.to_original(2, 3) == (3, 4)  # "5" came from the fullwidth digit
    assert original[slice(*n.to_original(4, 5))] == "7️⃣"
    assert {s.step for s in n.trace} == {"zero_width", "fullwidth", "keycap_emoji"}
    ascii_text = normalise("plain text")
    assert ascii_text.text == "plain text" and ascii_text.to_original(0, 5) == (0, 5)
