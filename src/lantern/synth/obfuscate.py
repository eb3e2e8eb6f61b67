"""Write contacts the way adversaries do: every obfuscation technique of INDICATORS.md §4.1.

The generator records which techniques it used, so the extractor's per-technique recall can be measured
(INDICATORS.md §4.3 step 9). Each function takes the number's national digit groups and returns text; the
caller decides the rate. All digits stay those of a fictional number (fictional.py).
"""

from __future__ import annotations

import random
from collections.abc import Callable

from lantern.synth.fictional import Phone

WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
LEET_WORDS = ("zer0", "0ne", "tw0", "thr3e", "f0ur", "f1ve", "s1x", "sev3n", "e1ght", "n1ne")
LOOKALIKES = {"0": ("O", "o"), "1": ("l", "I"), "5": ("S", "s")}
ODD_SEPARATORS = (" ~ ", "//", " * ", "_", " | ", "✨", "⭐", "..", "-.-", " ♡ ")
ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff")
GLYPH_TECHNIQUES = ("fullwidth", "math_bold", "circled", "keycap")
FORMAT_TECHNIQUES = ("spelled", "oh_zero", "mixed_words", "leet_words", "lookalike", "separators", "spaced")


def _fullwidth(d: str) -> str:
    return chr(0xFF10 + int(d))


def _math_bold(d: str) -> str:
    return chr(0x1D7CE + int(d))


def _circled(d: str) -> str:
    return "\u24ea" if d == "0" else chr(0x2460 + int(d) - 1)


def _keycap(d: str) -> str:
    return d + "\ufe0f\u20e3"


GLYPHS: dict[str, Callable[[str], str]] = {
    "fullwidth": _fullwidth,
    "math_bold": _math_bold,
    "circled": _circled,
    "keycap": _keycap,
}


def plain(phone: Phone, rng: random.Random) -> str:
    """A number written plainly, in one of the national or international shapes people use."""
    g = phone.groups
    if phone.country == "US":
        shapes = (
            f"({g[0]}) {g[1]}-{g[2]}",
            f"{g[0]}-{g[1]}-{g[2]}",
            f"{g[0]}.{g[1]}.{g[2]}",
            f"{g[0]}{g[1]}{g[2]}",
            f"{g[0]} {g[1]} {g[2]}",
            f"+1 {g[0]} {g[1]} {g[2]}",
            f"1-{g[0]}-{g[1]}-{g[2]}",
        )
    elif phone.country == "GB":
        shapes = (f"{g[0]} {g[1]}", f"+44 {g[0][1:]} {g[1]}", f"{g[0]}{g[1]}")
    elif g[0].startswith("04"):
        shapes = (f"{g[0]} {g[1]} {g[2]}", f"+61 {g[0][1:]} {g[1]} {g[2]}", f"{g[0]}{g[1]}{g[2]}")
    else:
        shapes = (f"({g[0]}) {g[1]} {g[2]}", f"{g[0]} {g[1]} {g[2]}", f"+61 {g[0][1:]} {g[1]} {g[2]}")
    return shapes[rng.randrange(len(shapes))]


def _case(word: str, rng: random.Random) -> str:
    roll = rng.random()
    return word.upper() if roll < 0.2 else word.capitalize() if roll < 0.35 else word


def spelled(phone: Phone, rng: random.Random) -> str:
    sep = (" ", "-", " ", ", ")[rng.randrange(4)]
    return sep.join(_case(WORDS[int(d)], rng) for d in phone.national)


def oh_zero(phone: Phone, rng: random.Random) -> str:
    # Digits in groups, each zero written "oh": "713 555 oh123".
    return " ".join(group.replace("0", " oh ").strip().replace("  ", " ") for group in phone.groups)


def mixed_words(phone: Phone, rng: random.Random) -> str:
    groups = []
    changed = False
    for group in phone.groups:
        parts = []
        for d in group:
            if rng.random() < 0.45:
                parts.append(_case(WORDS[int(d)], rng))
                changed = True
            else:
                parts.append(d)
        groups.append("".join(parts))
    if not changed:
        groups[-1] = groups[-1][:-1] + _case(WORDS[int(phone.groups[-1][-1])], rng)
    return (" ", "-", " ")[rng.randrange(3)].join(groups)


def leet_words(phone: Phone, rng: random.Random) -> str:
    return " ".join(LEET_WORDS[int(d)] if rng.random() < 0.6 else WORDS[int(d)] for d in phone.national)


def lookalike(phone: Phone, rng: random.Random) -> str:
    text = plain(phone, rng)
    eligible = [i for i, ch in enumerate(text) if ch in LOOKALIKES and 0 < i < len(text) - 1]
    if not eligible:
        return text
    chosen = {i for i in eligible if rng.random() < 0.6} or {eligible[rng.randrange(len(eligible))]}
    chars = list(text)
    for i in chosen:
        options = LOOKALIKES[chars[i]]
        chars[i] = options[rng.randrange(len(options))]
    return "".join(chars)


def separators(phone: Phone, rng: random.Random) -> str:
    sep = ODD_SEPARATORS[rng.randrange(len(ODD_SEPARATORS))]
    if rng.random() < 0.3:
        return sep.join(phone.national)
    return sep.join(phone.groups)


def spaced(phone: Phone, rng: random.Random) -> str:
    return (" ", ".", " . ", "  ")[rng.randrange(4)].join(phone.national)


FORMATS: dict[str, Callable[[Phone, random.Random], str]] = {
    "spelled": spelled,
    "oh_zero": oh_zero,
    "mixed_words": mixed_words,
    "leet_words": leet_words,
    "lookalike": lookalike,
    "separators": separators,
    "spaced": spaced,
}


def apply_glyphs(text: str, technique: str, rng: random.Random) -> str:
    """Swap ASCII digits for Unicode lookalikes; most but not all, as people mix them."""
    glyph = GLYPHS[technique]
    digits = [i for i, ch in enumerate(text) if ch.isascii() and ch.isdigit()]
    chosen = {i for i in digits if rng.random() < 0.8} or set(digits)
    return "".join(glyph(ch) if i in chosen else ch for i, ch in enumerate(text))


def insert_zero_width(text: str, rng: random.Random) -> str:
    """Hide zero-width characters between digits: invisible to a reader, fatal to a naive regex."""
    out = []
    inserted = 0
    for i, ch in enumerate(text):
        out.append(ch)
        if ch.isdigit() and i < len(text) - 1 and (rng.random() < 0.35 or inserted == 0):
            out.append(ZERO_WIDTH[rng.randrange(len(ZERO_WIDTH))])
            inserted += 1
    return "".join(out)


def render_phone(
    phone: Phone, technique: str | None, rng: random.Random, combine: bool = False
) -> tuple[str, list[str]]:
    """Write ``phone`` with ``technique`` (None for plain); return the text and the techniques used.

    With ``combine`` a glyph technique is layered on a spaced or separated layout, or a format
    technique gets zero-width characters too, as real ads stack tricks.
    """
    if technique is None:
        return plain(phone, rng), []
    used = [technique]
    if technique in FORMATS:
        text = FORMATS[technique](phone, rng)
        if combine and technique in ("spaced", "separators", "lookalike"):
            text = insert_zero_width(text, rng)
            used.append("zero_width")
    elif technique in GLYPHS:
        if combine:
            base = ("spaced", "separators")[rng.randrange(2)]
            used.append(base)
            text = FORMATS[base](phone, rng)
        else:
            text = plain(phone, rng)
        text = apply_glyphs(text, technique, rng)
    elif technique == "zero_width":
        text = insert_zero_width(plain(phone, rng), rng)
    else:
        raise ValueError(f"not a phone technique: {technique}")
    return text, sorted(used)


def render_email(email: str, obfuscate: bool, rng: random.Random) -> tuple[str, list[str]]:
    """Write an email plainly or as "name at domain dot com" in one of its common shapes."""
    if not obfuscate:
        return email, []
    local, domain = email.split("@")
    name, tld = domain.rsplit(".", 1)
    shapes = (
        f"{local} at {name} dot {tld}",
        f"{local} (at) {name} (dot) {tld}",
        f"{local}[at]{name}[.]{tld}",
        f"{local} AT {name} DOT {tld}",
    )
    return shapes[rng.randrange(len(shapes))], ["email_words"]
