"""Extraction over a whole record or one text: the orchestration of the one-job modules.

Each text field (URL, title, body) is normalised and read separately, so every mention keeps the field
and the character span in that field's original text. Phones are found first and masked, so their
digits never turn into ages or prices (as HTI does, INDICATORS.md §4.2).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from lantern.extract.ages import find_ages
from lantern.extract.config import ExtractConfig
from lantern.extract.contacts import Hit, find_emails, find_handles, find_payments, find_urls
from lantern.extract.crypto import find_crypto
from lantern.extract.ethnicity import find_ethnicity
from lantern.extract.names import find_names
from lantern.extract.normalise import Normalised, fold_case, normalise
from lantern.extract.phones import find_phones
from lantern.extract.places import Place, find_places, geocode_stated
from lantern.extract.prices import find_prices
from lantern.extract.region import SUPPORTED_REGIONS, infer_region
from lantern.extract.spans import SpanSet
from lantern.records import InputRecord, empty_extraction


def _mention(
    norm: Normalised,
    field: str,
    kind: str,
    value: Any,
    start: int,
    end: int,
    extra_steps: Iterable[str] = (),
    obscured: bool | None = None,
) -> dict[str, Any]:
    ostart, oend = norm.to_original(start, end)
    steps = sorted(set(extra_steps).union(norm.steps_in(start, end)) if norm.trace else set(extra_steps))
    return {
        "type": kind,
        "value": value,
        "field": field,
        "span": [ostart, oend],
        "text": norm.original[ostart:oend],
        "obscured": bool(steps) if obscured is None else obscured,
        "techniques": steps,
    }


def _regions(region: str, cfg: ExtractConfig) -> tuple[str, ...]:
    seen: list[str] = []
    for r in (region, cfg.default_region, *cfg.extra_regions):
        if r and r not in seen:
            seen.append(r)
    return tuple(seen)


FIELD_CACHE_ENTRIES: dict[str, int] = {"title": 32768}
"""Fields remembered per process by ``_extract_field_cached``, by field. Reposted ads repeat their titles
word for word, and reading a field again gives the same mentions, so a repeat costs a dictionary look-up
instead of a dozen regular-expression scans: on 20,000 synthetic ads, 12.9 µs a title read, 0.7 µs
remembered. In the synthetic world 84 % of titles repeat; a reading process holding the 32,768 most
recent finds 85 % of its titles there (titles are short: a few MB in all). Bodies are not remembered: none
repeats in the synthetic world, and keeping them cost 3-10 µs a record for nothing; URLs hold each ad's
own id."""
FIELD_CACHE_MAX_CHARS = 4000
"""Longer fields are read every time: they would make the cache large."""
_field_caches: dict[str, OrderedDict[tuple[str, tuple[str, ...], ExtractConfig], list[dict[str, Any]]]] = {
    field: OrderedDict() for field in FIELD_CACHE_ENTRIES
}


def _extract_field_cached(
    text: str, field: str, regions: tuple[str, ...], cfg: ExtractConfig
) -> list[dict[str, Any]]:
    """``_extract_field``, remembered for short titles (least recently used out first). Each
    caller gets its own mention dicts, so a later stage that adds to one cannot change what the next
    record with the same text receives."""
    cache = _field_caches.get(field)
    if cache is None or len(text) > FIELD_CACHE_MAX_CHARS:
        return _extract_field(text, field, regions, cfg)
    key = (text, regions, cfg)
    mentions = cache.get(key)
    if mentions is not None:
        cache.move_to_end(key)
    else:
        mentions = _extract_field(text, field, regions, cfg)
        if len(cache) >= FIELD_CACHE_ENTRIES[field]:
            cache.popitem(last=False)
        cache[key] = mentions
    return [dict(m) for m in mentions]


def _extract_field(text: str, field: str, regions: tuple[str, ...], cfg: ExtractConfig) -> list[dict]:
    """All mentions in one field's text."""
    text = text[: cfg.max_field_chars]
    norm = normalise(text)
    ntext = norm.text
    low = fold_case(ntext)  # one lower-cased copy, same offsets, for every case-insensitive matcher
    mentions: list[dict[str, Any]] = []
    masked = SpanSet()

    for p in find_phones(norm, regions, field, low):
        mentions.append(_mention(norm, field, "phone", p.e164, p.start, p.end, p.techniques, p.obscured))
        masked.add(p.start, p.end)

    for h in find_emails(ntext, low):
        mentions.append(_mention(norm, field, "email", h.value, h.start, h.end, h.techniques))
        masked.add(h.start, h.end)
    for c_start, c_end, platform, address in find_crypto(ntext):
        m = _mention(norm, field, "crypto", {"platform": platform, "address": address}, c_start, c_end)
        mentions.append(m)
        masked.add(c_start, c_end)
    hits: list[Hit] = find_handles(ntext, masked, low) + find_payments(ntext, low)
    for h in hits:
        value: dict[str, str] = {"platform": h.platform, "handle": h.value}
        mentions.append(_mention(norm, field, h.type, value, h.start, h.end, h.techniques))
    if field != "url":
        for h in find_urls(ntext, low):
            mentions.append(_mention(norm, field, "url", h.value, h.start, h.end))
            masked.add(h.start, h.end)

    for a in find_ages(ntext, masked, title=field == "title", low=low):
        steps = {"spelled_digits"} if a.spelled else set()
        mentions.append(_mention(norm, field, "age", a.value, a.start, a.end, steps))
    region_currency = cfg.currency_for(regions[0])
    for pr in find_prices(low, masked, region_currency):
        value_p = {"amount": pr.amount, "currency": pr.currency, "minutes": pr.minutes}
        mentions.append(_mention(norm, field, "price", value_p, pr.start, pr.end))
    if field != "url":
        for n_start, n_end, name in find_names(ntext, low):
            mentions.append(_mention(norm, field, "name", name, n_start, n_end))
        for p_start, p_end, place in find_places(ntext, low):
            mentions.append(_mention(norm, field, "location", place.as_dict(), p_start, p_end))
        for e_start, e_end, term, spaced in find_ethnicity(low):
            steps_e = {"letter_spaced"} if spaced else set()
            mentions.append(_mention(norm, field, "ethnicity", term, e_start, e_end, steps_e))
    return mentions


def _add_unique(target: list, seen: set, key: Any, value: Any) -> None:
    if key not in seen:
        seen.add(key)
        target.append(value)


def _collect(mentions: list[dict[str, Any]]) -> dict[str, Any]:
    """Fold mentions into the extracted-fields object (unique values, first-seen order)."""
    fields = empty_extraction()
    seen: dict[str, set] = {k: set() for k in fields}
    for m in mentions:
        kind, value = m["type"], m["value"]
        if kind == "phone":
            _add_unique(fields["phones"], seen["phones"], value, value)
        elif kind == "email":
            _add_unique(fields["emails"], seen["emails"], value, value)
        elif kind == "handle":
            _add_unique(fields["handles"], seen["handles"], (value["platform"], value["handle"]), dict(value))
        elif kind == "payment":
            _add_unique(
                fields["payments"], seen["payments"], (value["platform"], value["handle"]), dict(value)
            )
        elif kind == "crypto":
            _add_unique(fields["payments"], seen["payments"], (value["platform"], value["address"]),
                        dict(value))  # fmt: skip
        elif kind == "url":
            _add_unique(fields["urls"], seen["urls"], value, value)
        elif kind == "age":
            _add_unique(fields["ages"], seen["ages"], value, value)
        elif kind == "name":
            _add_unique(fields["names"], seen["names"], value, value)
        elif kind == "location":
            key = (value["name"], value["admin1"], value["country"])
            _add_unique(fields["locations"], seen["locations"], key, dict(value))
        elif kind == "price":
            key = (value["amount"], value["currency"], value["minutes"])
            _add_unique(fields["prices"], seen["prices"], key, {**value, "text": m["text"]})
    fields["phones"].sort()
    fields["emails"].sort()
    fields["mentions"] = mentions
    return fields


def extract_text(text: str, cfg: ExtractConfig | None = None, field: str = "body",
                 region: str | None = None) -> dict[str, Any]:  # fmt: skip
    """Extract from one text, e.g. a disguised phone typed into a search box."""
    cfg = cfg or ExtractConfig()
    return _collect(_extract_field(text, field, _regions(region or cfg.default_region, cfg), cfg))


def _stated_location(location: str) -> list[dict[str, Any]]:
    place: Place | None = geocode_stated(location[:300])
    if place is None:
        return []
    return [{
        "type": "location", "value": place.as_dict(), "field": "location", "span": [0, len(location)],
        "text": location, "obscured": False, "techniques": [],
    }]  # fmt: skip


def _record_regions(record: InputRecord, cfg: ExtractConfig) -> tuple[str, ...]:
    """Regions to read national-format numbers in, best first.

    With no stated location and no telling URL (a social post, say), the countries of places the text
    names ("now in Adelaide") are tried *after* the default region: weaker evidence, so a number that is
    valid in the default region keeps that reading, and only one that is not (``(08) 5550 0001``) gets
    the named place's.
    """
    stated = infer_region(record, "")
    if stated:
        return _regions(stated, cfg)
    regions = _regions(cfg.default_region, cfg)
    named: list[str] = []
    for text in (record.title, record.body):
        if text:
            named += [place.country for _, _, place in find_places(text[:5000])]
    return regions + tuple(r for r in dict.fromkeys(named) if r not in regions and r in SUPPORTED_REGIONS)


def _author_handle(record: InputRecord) -> list[dict[str, Any]]:
    """A social post's author is an account on the platform the post came from: a handle, as if written."""
    if record.kind != "post" or not record.author:
        return []
    handle = record.author.strip().lstrip("@").lower()
    if not handle or len(handle) > 100:
        return []
    value = {"platform": record.source.strip().lower(), "handle": handle}
    return [{
        "type": "handle", "value": value, "field": "author", "span": [0, len(record.author)],
        "text": record.author, "obscured": False, "techniques": [],
    }]  # fmt: skip


def extract_record(record: InputRecord, cfg: ExtractConfig | None = None) -> dict[str, Any]:
    """The extracted-fields object (``records.empty_extraction()`` shape) for one record."""
    cfg = cfg or ExtractConfig()
    regions = _record_regions(record, cfg)
    mentions: list[dict[str, Any]] = []
    if record.location:
        mentions += _stated_location(record.location)
    mentions += _author_handle(record)
    for field, text in record.text_fields().items():
        mentions += _extract_field_cached(text, field, regions, cfg)
    return _collect(mentions)
