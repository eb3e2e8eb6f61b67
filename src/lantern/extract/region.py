"""Which country's numbering plan a record's national-format phone numbers follow.

Ads carry national formats (``07700 900123`` in London, ``0491 570 156`` in Sydney), which are only
parseable with the right region. Evidence, strongest first: the site-stated location, the URL's
country-code TLD, a country or city in the URL path, then the configured default.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Final
from urllib.parse import urlsplit

import phonenumbers

from lantern.extract.places import country_of, gazetteer, lookup

if TYPE_CHECKING:
    from lantern.records import InputRecord

_GENERIC_TLDS: Final = frozenset({"com", "net", "org", "info", "biz", "io", "me", "co", "xyz", "app", "site"})
_PATH_WORD: Final = re.compile(r"[a-z]+(?:[-_][a-z]+)?", re.IGNORECASE)
SUPPORTED_REGIONS: Final = frozenset(phonenumbers.SUPPORTED_REGIONS)


def _supported(region: str) -> str:
    return region if region in SUPPORTED_REGIONS else ""


@lru_cache(maxsize=4096)
def region_from_url(url: str) -> str:
    """Region from a URL's country-code TLD, or from a country/major city in its path."""
    try:
        parts = urlsplit(url if "//" in url else "//" + url)
    except ValueError:
        return ""
    host = (parts.hostname or "").lower()
    labels = host.split(".")
    tld = labels[-1] if labels else ""
    if tld and tld not in _GENERIC_TLDS:
        iso = gazetteer().tlds.get(tld, "")
        if iso == "GB" or tld == "uk":
            return "GB"
        if iso:
            return _supported(iso)
    gaz = gazetteer()
    for word in _PATH_WORD.findall(parts.path[:300]):
        key = word.lower().replace("-", " ").replace("_", " ")
        if key in gaz.countries and len(key) > 2:
            return _supported(gaz.countries[key])
        if key in ("uk", "us", "usa", "au", "ca", "in"):
            return _supported(gaz.countries.get(key, key.upper()))
        place = lookup(key)
        if place and gaz.population.get(place, 0) >= 500_000:
            return _supported(place.country)
    return ""


def infer_region(record: InputRecord, default: str) -> str:
    """Best region for the record's national-format numbers, falling back to ``default``."""
    if record.location:
        iso = country_of(record.location[:200])
        if iso and _supported(iso):
            return iso
    if record.url:
        iso = region_from_url(record.url[:2000])
        if iso:
            return iso
    return default
