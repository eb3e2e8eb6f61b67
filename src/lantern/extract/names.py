"""Provider names introduced by the usual phrases ("I'm Jess", "ask for Mia", "Mia is back").

Names are only taken after an introducing phrase and must be capitalised, because free-standing
capitalised words in ads are mostly places, brands and marketing terms. Several names per phone is a
structural signal, so recall of the introduced names matters more than finding every mention.
"""

from __future__ import annotations

import re

_NAME = r"([A-Z][a-z]{1,14}(?:[- ][A-Z][a-z]{1,14})?)"
_INTRO = re.compile(
    rf"(?:\b(?:[Ii]'?m|I am|[Mm]y name is|[Nn]ame\s*[:\-]|[Aa]sk for|[Cc]all for|[Tt]his is|[Ii]t'?s|"
    rf"[Hh]i,? (?:it'?s|I'?m)|[Cc]ome see)\s+){_NAME}\b"
    rf"|(?<![\w.])\b{_NAME}\s+(?:is|here is)\s+(?:back|here|available|in town)\b"
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
    ]
)


def find_names(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, name)`` for each introduced provider name."""
    out: list[tuple[int, int, str]] = []
    for m in _INTRO.finditer(text):
        gi = 1 if m.group(1) else 2
        name = m.group(gi)
        first = name.split()[0].split("-")[0]
        if first in _NOT_NAMES or name in _NOT_NAMES:
            continue
        out.append((m.start(gi), m.end(gi), name))
    return out
