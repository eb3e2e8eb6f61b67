"""Prices with currency and duration ("$150 hh", "200 roses/hr", "half hour 120").

Ads price by time; the pairs (amount, minutes) feed market-rate comparisons across ads. "Roses" and
similar code words stand for dollars.
"""

from __future__ import annotations

import re
from typing import Final

from lantern.extract.normalise import fold_case
from lantern.extract.scan import LOWER_ALNUM, matches_not_after
from lantern.extract.spans import SpanSet
from lantern.extract.trie import trie_pattern

_SYMBOLS: Final = {"$": "USD", "£": "GBP", "€": "EUR", "₹": "INR", "a$": "AUD", "au$": "AUD", "c$": "CAD",
            "ca$": "CAD", "us$": "USD"}  # fmt: skip
_WORDS: Final = {"usd": "USD", "dollars": "USD", "dollar": "USD", "bucks": "USD", "roses": "USD", "rose": "USD",
          "gbp": "GBP", "pounds": "GBP", "quid": "GBP", "eur": "EUR", "euros": "EUR", "aud": "AUD",
          "cad": "CAD", "inr": "INR", "rs": "INR", "donation": "USD", "donations": "USD"}  # fmt: skip
_DURATIONS: Final = {
    "hh": 30, "hhr": 30, "half hour": 30, "half hr": 30, "half an hour": 30, "1/2 hr": 30, "1/2hr": 30,
    "1/2 hour": 30, "30 min": 30, "30 mins": 30, "30min": 30, "30mins": 30, "15 min": 15, "15min": 15,
    "15 mins": 15, "45 min": 45, "45min": 45, "hr": 60, "hour": 60, "1hr": 60, "1 hr": 60, "1 hour": 60,
    "h": 60, "60 min": 60, "60min": 60, "2hr": 120, "2hrs": 120, "2 hrs": 120, "2 hours": 120,
    "90 min": 90, "90min": 90, "qv": None, "quick visit": None, "overnight": None, "ovn": None,
}  # fmt: skip
_DUR_ALT: Final = trie_pattern(_DURATIONS)
_WORD_ALT: Final = trie_pattern(_WORDS)

_PRE_DUR: Final = re.compile(rf"(?<![a-z])({_DUR_ALT})\s*[:=\-@/]?\s*$")
# Both price patterns open by consuming one character of a small class (a currency sign or a digit), so
# ``re`` skips in C to the next candidate instead of trying the pattern at every position; the checks on
# the character before come after it as look-behinds. Letter prefixes of ``$`` (``A$``, ``US$``) are
# read back in Python (``_symbol``).
_PRICE: Final = re.compile(
    rf"(?P<first>[$£€₹\d])(?:"
    rf"(?<=[$£€₹])\s?(?P<a1>\d{{2,5}}(?:[.,]\d{{2}})?)(?:\s*(?P<w1>{_WORD_ALT})(?![a-z]))?"
    rf"|(?<=\d)(?<![\w.,$]\d)(?P<a2>\d{{1,4}}(?:[.,]\d{{2}})?)\s*(?P<w2>{_WORD_ALT})(?![a-z]))"
    rf"(?:\s*(?:/|per|for|an?|each|-)?\s*(?P<dur>{_DUR_ALT})(?![a-z]))?",
)
_AMOUNT_PER: Final = re.compile(rf"(\d(?<![\w.,$]\d)\d{{1,3}})\s*(?:/|per|an?|each)\s*({_DUR_ALT})(?![a-z])")
_DOLLAR_PREFIXES: Final = ("au", "ca", "us", "a", "c")
_ALNUM: Final = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_BARE_DUR: Final = re.compile(  # not after a letter or digit: ``matches_not_after``
    rf"({_DUR_ALT})\s*[:=\-@/]?\s*(?<![\d$])(\d{{2,4}})(?![\d,.%']|\s*[-.]?\s*\d|\s*(?:lbs?|kg|cm|yrs?|years?|yo)\b)",
)


_HAS_DIGIT: Final = re.compile(r"\d\d")


class PriceHit:
    """A price in one field: amount, ISO currency, minutes (None when not stated) and its span.

    A plain class rather than a dataclass, as ``normalise.TraceStep`` says why."""

    __slots__ = ("amount", "currency", "end", "minutes", "start")

    def __init__(self, amount: float, currency: str, minutes: int | None, start: int, end: int) -> None:
        self.amount = amount
        self.currency = currency
        self.minutes = minutes
        self.start = start
        self.end = end

    def __repr__(self) -> str:
        return f"PriceHit({self.amount}, {self.currency!r}, {self.minutes}, {self.start}, {self.end})"


def _amount(raw: str) -> float:
    if "," in raw and len(raw.split(",")[-1]) == 2:
        raw = raw.replace(",", ".")
    return float(raw.replace(",", ""))


def _symbol(text: str, at: int, sign: str) -> tuple[int, str | None]:
    """The currency symbol ending with ``sign`` at ``at`` (``$``, ``A$``, ``US$``...) and where it starts;
    ``None`` when a letter or digit runs into it (``x$100`` is not a price)."""
    if sign == "$":
        for prefix in _DOLLAR_PREFIXES:
            start = at - len(prefix)
            if (
                start >= 0
                and text.startswith(prefix, start)
                and (start == 0 or text[start - 1] not in _ALNUM)
            ):
                return start, prefix + "$"
    if at and text[at - 1] in _ALNUM:
        return at, None
    return at, sign


def find_prices(text: str, masked: SpanSet, default_currency: str = "USD") -> list[PriceHit]:
    """Every price in ``text`` outside ``masked`` spans (phones).

    Case-insensitive: callers may pass ``fold_case(text)``; the patterns are written in lower case and
    compiled without ``re.IGNORECASE``, which is several times slower.
    """
    text = fold_case(text)
    if not _HAS_DIGIT.search(text):
        return []
    out: list[PriceHit] = []
    taken: list[tuple[int, int]] = []
    for m in _PRICE.finditer(text):
        start = m.start()
        amt1, amt2 = m.group("a1"), m.group("a2")
        word1, word2, post_dur = m.group("w1"), m.group("w2"), m.group("dur")
        sym = None
        if amt1 is not None:
            start, sym = _symbol(text, start, m.group("first"))
            if sym is None:
                continue
        else:
            amt2 = m.group("first") + amt2
        if masked.overlaps(start, m.end()):
            continue
        pre_dur = None
        if not post_dur and (pre := _PRE_DUR.search(text[max(0, start - 16) : start])):
            pre_dur = pre.group(1)
            start = max(0, start - 16) + pre.start()
        amount_raw = amt1 or amt2
        if amount_raw is None:
            continue
        currency = _SYMBOLS.get((sym or "").lower()) or _WORDS.get((word1 or word2 or "").lower())
        currency = currency or default_currency
        dur = (post_dur or pre_dur or "").lower()
        minutes = _DURATIONS.get(dur) if dur else None
        out.append(PriceHit(_amount(amount_raw), currency, minutes, start, m.end()))
        taken.append((start, m.end()))
    masked = masked.union(taken)
    taken = []
    for m in _AMOUNT_PER.finditer(text):
        if masked.overlaps(m.start(), m.end()):
            continue
        out.append(
            PriceHit(
                float(m.group(1)), default_currency, _DURATIONS.get(m.group(2).lower()), m.start(), m.end()
            )
        )
        taken.append(m.span())
    masked = masked.union(taken)
    for m in matches_not_after(_BARE_DUR, text, LOWER_ALNUM):
        if masked.overlaps(m.start(), m.end()):
            continue
        value = int(m.group(2))
        if value < 20:
            continue
        minutes = _DURATIONS.get(m.group(1).lower())
        out.append(PriceHit(float(value), default_currency, minutes, m.start(), m.end()))
    return out
