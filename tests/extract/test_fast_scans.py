"""The fast forms of the extraction patterns find exactly what their plain forms find.

Several patterns are written for speed rather than clarity (no leading look-behind, so ``re`` can skip
ahead in C; scans limited to windows around a gate such as ``@`` or ``.com``). Each test here runs the
plain, obviously correct form beside the fast one on thousands of random texts built from the
characters and words that matter to it, so a later edit that changes what is found fails here.
"""

from __future__ import annotations

import random
import re

from lantern.extract.contacts import _EMAIL, _URL, _at_windows, _at_words, _url_runs
from lantern.extract.normalise import fold_case
from lantern.extract.phones import _EXCL_WORD
from lantern.extract.places import _cued
from lantern.extract.scan import LETTERS, LOWER_ALNUM, matches_not_after
from lantern.extract.trie import trie_pattern

RUNS = 4000


def _texts(seed: int, pieces: list[str], longest: int = 14) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(0, longest))) for _ in range(RUNS)]


def test_keyword_trie_not_after_a_letter_matches_the_look_behind_form() -> None:
    words = ["snap", "sc", "x", "ig", "insta", "instagram", "👻", "whats app", "1/2 hr", "hh", "h", "hr"]
    plain = re.compile(r"(?<![a-z0-9])(" + trie_pattern(words) + r")\s*:?\s*(\w+)")
    fast = re.compile("(" + trie_pattern(words) + r")\s*:?\s*(\w+)")
    for text in _texts(1, [*words, " ", ":", "a", "9", "-", "ram", "x1"]):
        expected = [(m.span(), m.groups()) for m in plain.finditer(text)]
        found = [(m.span(), m.groups()) for m in matches_not_after(fast, text, LOWER_ALNUM)]
        assert found == expected, text


def test_urls_found_in_gate_windows_equal_a_whole_text_scan() -> None:
    pieces = [
        "a",
        "b9",
        ".",
        "-",
        "_",
        "@",
        " ",
        "/",
        ":",
        "(",
        ".com",
        ".co",
        ".org",
        "www.",
        "http://",
        "x.uk",
    ]
    for text in _texts(2, pieces, 18):
        expected = [m.span() for m in _URL.finditer(text)]
        assert [m.span() for lo, hi in _url_runs(text) for m in _URL.finditer(text, lo, hi)] == expected, text


def test_emails_found_around_each_at_sign_equal_a_whole_text_scan() -> None:
    pieces = ["a", "b9", ".", "-", "_", "%", "+", "@", " ", "x.com", ".org", "@@", "a" * 70]
    for text in _texts(3, pieces):
        expected = [m.span() for m in _EMAIL.finditer(text)]
        assert [m.span() for lo, hi in _at_windows(text) for m in _EMAIL.finditer(text, lo, hi)] == expected


def test_at_word_scan_finds_the_same_at_signs_and_words() -> None:
    plain = re.compile(r"@|[(\[{<]\s*at\s*[)\]}>]|(?<=\s)at(?=\s)")
    pieces = [
        "at",
        " ",
        "\n",
        "\t",
        "\u00a0",
        "(",
        "[",
        "{",
        "@",
        ")",
        "]",
        "}",
        "a",
        "t",
        "x",
        "<",
        ">",
        "ata",
    ]
    for text in _texts(4, pieces, 20):
        assert _at_words(text) == [m.span() for m in plain.finditer(text)], text


def test_keyword_exclusions_match_the_look_behind_form() -> None:
    plain = re.compile(
        r"(?<![a-z])(?:"
        r"(?:usd|aud|gbp|eur|cad)\s?\d[\d,]*(?:\.\d+)?"
        r"|(?<!/)(?:hh|hhr|hr|hour|qv|min)\s*[:=-]?\s*\$?\d{2,3}(?![\d,]|[^\w$£€]{1,6}\d)"
        r"|(?:zip|postal|post)\s*(?:code)?\s*[:#]?\s*\d{5}(?:-\d{4})?\b"
        r"|(?:order|ref|reference|invoice|tracking|confirmation|ticket|case|listing|item|ad|post|id|sku)"
        r"\s*(?:no\.?|num(?:ber)?|id)?\s*[:#]?\s*#?\s*\d[\d-]{3,})",
    )
    pieces = ["usd", "hh", "hhr", "hr", "hour", "min", "qv", "zip", "post", "postal", "code", "order", "ref",
              "reference", "id", "ad", "sku", "no.", "#", ":", "/", "x", " ", "1", "12", "123", "12345", "-", "$"]  # fmt: skip
    for text in _texts(5, pieces):
        expected = [m.span() for m in plain.finditer(text)]
        assert [m.span() for m in matches_not_after(_EXCL_WORD, text, LETTERS)] == expected, text


def test_place_cues_match_the_plain_pattern() -> None:
    plain = re.compile(
        r"\b(?:in|near|from|visiting|around|at|to|downtown|serving|located in|based in"
        r"|(?i:visiting|touring|booking|serving))\s+"
        r"((?:[A-Z][a-zA-Z'.-]+)(?:\s+[A-Z][a-zA-Z'.-]+){0,2})",
    )
    words = ["in", "In", "near", "from", "visiting", "Visiting", "VISITING", "at", "At", "to", "touring",
             "downtown", "located", "based", "booking", "Houston", "Miami", "Beach", "x", "_in", "9at"]  # fmt: skip
    rng = random.Random(6)
    for _ in range(RUNS):
        text = "".join(
            rng.choice(words) + rng.choice([" ", "  ", "\n", ", ", "-", ""])
            for _ in range(rng.randint(1, 12))
        )
        expected = [m.span(1) for m in plain.finditer(text)]
        assert [m.span(1) for m in _cued(text, fold_case(text))] == expected, text


def test_ethnicity_terms_after_a_non_letter_match_the_look_behind_form() -> None:
    from lantern.extract import ethnicity

    at_start, after_non_letter, canon = ethnicity._lexicon()
    plain = re.compile(r"(?<![a-zA-Z])(?:" + at_start.pattern + ")")
    forms = sorted(canon)
    pieces = [*forms[:: max(1, len(forms) // 12)], " ", "  ", "\n", "-", ".", "x", "s", "é", "9", "ian", "na"]
    for text in _texts(5, pieces, 10):
        expected = [m.span() for m in plain.finditer(text)]
        assert ethnicity._term_spans(text, at_start, after_non_letter) == expected, text


def test_age_number_gate_drops_no_age() -> None:
    """Every text the gate turns away holds no match of any age pattern (read directly, so the test means
    the same in the compiled build, where module constants cannot be patched)."""
    from lantern.extract import ages

    pieces = ["age ", "aged", "19", "2 2", "twenty", "-one", " years old", "yo", "i'm ", "I am ", "Mia, ",
              "call me ", "Ana (", ")", " ", ",", " - ", "30+", "nineteen", "x", "5'4", "lbs", "ten", "o"]  # fmt: skip
    turned_away = 0
    for text in _texts(6, pieces, 9):
        low = fold_case(text)
        if ages._DIGIT.search(low) or ages._SPELLED_NUMBER.search(low):
            continue
        turned_away += 1
        assert not any(p.search(text if p is ages._NAMED else low) for p in ages._PATTERNS), text
        assert not ages._TITLE_SUFFIX.search(text), text
    assert turned_away > RUNS // 10


def test_possessive_place_words_match_the_backtracking_form() -> None:
    from lantern.extract.places import _QUALIFIED

    plain = re.compile(_QUALIFIED.pattern.replace("++", "+"))
    assert plain.pattern != _QUALIFIED.pattern
    pieces = [
        "Houston",
        " ",
        "TX",
        ", ",
        "St. ",
        "Los Angeles",
        "CA",
        "a",
        "Zz",
        "-",
        "O'Neil",
        "\n",
        "NY",
        "Ab Cd",
    ]
    for text in _texts(7, [*pieces, ".", "x", "É", "  "], 12):
        expected = [(m.span(), m.groups()) for m in plain.finditer(text)]
        assert [(m.span(), m.groups()) for m in _QUALIFIED.finditer(text)] == expected, text
