"""Provider names introduced by the usual phrases ("I'm Jess", "call me Jess", "ask for Mia", "Mia is
back", "Mia is in Boston", "Jess here." opening a sentence).

Names are only taken after an introducing phrase and must be capitalised, because free-standing
capitalised words in ads are mostly places, brands and marketing terms. Several names per phone is a
structural signal, so recall of the introduced names matters more than finding every mention.
"""

from __future__ import annotations

import re
from typing import Final

from lantern.extract.normalise import fold_case
from lantern.extract.places import gazetteer, lookup
from lantern.extract.scan import LETTERS, matches_not_after

CITY_POPULATION: Final = 100_000

_NAME: Final = r"([A-Z][a-z]{1,14}(?:[- ][A-Z][a-z]{1,14})?)"
# Each form is found by its lower-case keyword in ``fold_case(text)`` first (cheap: no IGNORECASE, few
# hits), and only then is the capitalised name read from the original text next to it.
_INTRO_KEY: Final = re.compile(  # not after a letter: tested by ``matches_not_after``, so ``re`` skips ahead
    r"(?:i'?m|i am|my name is|name\s*[:\-]|ask for|call for|this is|it'?s|hi,? (?:it'?s|i'?m)"
    r"|come see|call me)\s+"
)
_NAME_AFTER: Final = re.compile(_NAME + r"\b")
# "Mia is back", "Mia is in Boston now"
_IS_KEY: Final = re.compile(
    r"\s+(?:here\s+)?is\s+(?:(?:back|here|available|in town)(?![a-z])|(?:now\s+)?(?P<at>in|visiting)\s+)"
)
_NAME_BEFORE: Final = re.compile(rf"(?<![\w.]){_NAME}$")
_PLACE_AFTER: Final = re.compile(r"[A-Z][a-z]+(?:\s[A-Z][a-z]+)?\b")
# "Jess here." opening a sentence, as people sign in: only before punctuation, so "Click here to" is not one
_HERE_KEY: Final = re.compile(r"\s+here(?=\s*(?:[,.!;:]|$))")
_SIGNED_BEFORE: Final = re.compile(r"(?:^|[.!?,;:>\n])\s*([A-Z][a-z]{1,14})$")
_NOT_NAMES: Final = frozenset(
    [
        "I",
        "Im",
        "The",
        "A",
        "An",
        "New",
        "Back",
        "Here",
        "Available",
        "Back",
        "Sweet",
        "Young",
        "Real",
        "Hot",
        "Sexy",
        "Your",
        "You",
        "Me",
        "Not",
        "In",
        "Out",
        "Only",
        "Just",
        "Very",
        "So",
        "Now",
        "Ready",
        "Open",
        "Call",
        "Text",
        "Incall",
        "Outcall",
        "Visiting",
        "Asian",
        "Latina",
        "Ebony",
        "Brand",
        "Fresh",
        "Always",
        "Sorry",
        "No",
        "Yes",
        "Hi",
        "Hello",
        "Hey",
        "Today",
        "Tonight",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "Us",
        "We",
        "They",
        "It",
        "Its",
        "This",
        "That",
        "Independent",
        "Discreet",
        "Classy",
        "Petite",
        "Curvy",
        "Cute",
        "Mature",
        "Exotic",
        # greetings, pronouns and sign-post words that open a sentence before "here" or follow "call me"
        "Anytime",
        "Later",
        "Babe",
        "Baby",
        "Daddy",
        "Everyone",
        "Everybody",
        "Someone",
        "Nobody",
        "Click",
        "Tap",
        "Right",
        "Over",
        "Info",
        "Details",
        "Pics",
        "Photos",
        "Reviews",
        "Link",
        "Links",
        "Rates",
        "Book",
        "Booking",
        "Start",
        "Stop",
        "Contact",
        "Message",
        "Apply",
        "Sign",
        "Welcome",
        "Gentlemen",
        "Guys",
        "There",
        "Girls",
        "Ladies",
        "More",
        "All",
        "Everything",
        "Nothing",
        "Something",
        "Anything",
        "Fun",
        "Love",
        "Pleasure",
        "Quality",
        "Parking",
        "Shower",
        "Privacy",
        "Safety",
    ]
)


def _is_city(name: str) -> bool:
    """A city big enough that a sentence about it is likelier than one about a person of that name
    (``Houston``, ``Paris``); small places called ``Pearl`` or ``Stella`` do not count."""
    place = lookup(name)
    return place is not None and gazetteer().population.get(place, 0) >= CITY_POPULATION


def find_names(text: str, low: str | None = None) -> list[tuple[int, int, str]]:
    """``(start, end, name)`` for each introduced provider name, in text order."""
    low = fold_case(text) if low is None else low
    found: list[tuple[int, int, str]] = []
    for m in matches_not_after(_INTRO_KEY, low, LETTERS):
        if n := _NAME_AFTER.match(text, m.end()):
            found.append((n.start(1), n.end(1), n.group(1)))
    if " is " in low:
        for m in _IS_KEY.finditer(low):
            n = _NAME_BEFORE.search(text, max(0, m.start() - 32), m.start())
            if n is None:
                continue
            if m.group("at") and (not _PLACE_AFTER.match(text, m.end()) or _is_city(n.group(1))):
                continue  # "Houston is in Texas": a place, not a person
            found.append((n.start(1), n.end(1), n.group(1)))
    if "here" in low:
        for m in _HERE_KEY.finditer(low):
            n = _SIGNED_BEFORE.search(text, max(0, m.start() - 24), m.start())
            if n is not None:
                found.append((n.start(1), n.end(1), n.group(1)))
    out: list[tuple[int, int, str]] = []
    for start, end, name in sorted(set(found)):
        first = name.split()[0].split("-")[0]
        if first in _NOT_NAMES or name in _NOT_NAMES:
            continue
        out.append((start, end, name))
    return out
