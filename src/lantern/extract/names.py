"""Provider names introduced by the usual phrases ("I'm Jess", "ask for Mia", "Mia is back").

Names are only taken after an introducing phrase and must be capitalised, because free-standing
capitalised words in ads are mostly places, brands and marketing terms. Several names per phone is a
structural signal, so recall of the introduced names matters more than finding every mention.
"""

from __future__ import annotations

import re

from lantern.extract.places import gazetteer, lookup

CITY_POPULATION = 100_000

_NAME = r"([A-Z][a-z]{1,14}(?:[- ][A-Z][a-z]{1,14})?)"
_INTRO = re.compile(
    rf"(?:\b(?:[Ii]'?m|I am|[Mm]y name is|[Nn]ame\s*[:\-]|[Aa]sk for|[Cc]all for|[Tt]his is|[Ii]t'?s|"
    rf"[Hh]i,? (?:it'?s|I'?m)|[Cc]ome see|[Cc]all me)\s+){_NAME}\b"
    rf"|(?<![\w.])\b{_NAME}\s+(?:is|here is)\s+(?:back|here|available|in town|(?:now\s+)?(?:in|visiting)"
    rf"\s+(?P<place>[A-Z][a-z]+(?:\s[A-Z][a-z]+)?))\b"
    # "Jess here." opening a sentence, as people sign in: only before punctuation, so "Click here to" is not one
    rf"|(?:^|(?<=[.!?,;:>\n])\s*|(?<=[.!?,;:]\s))(?P<signed>[A-Z][a-z]{{1,14}})\s+here\b(?=\s*(?:[,.!;:]|$))"
)
_NOT_NAMES = frozenset(
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


def find_names(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, name)`` for each introduced provider name."""
    out: list[tuple[int, int, str]] = []
    for m in _INTRO.finditer(text):
        gi = 1 if m.group(1) else 2 if m.group(2) else "signed"
        name = m.group(gi)
        first = name.split()[0].split("-")[0]
        if first in _NOT_NAMES or name in _NOT_NAMES:
            continue
        if m.group("place") and _is_city(name):
            continue  # "Houston is in Texas": a place, not a person
        out.append((m.start(gi), m.end(gi), name))
    return out
