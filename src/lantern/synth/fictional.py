"""Contacts that cannot reach anyone: fictional phone ranges, example.* emails, invented handles.

PRINCIPLES.md §9 is binding. Phones come only from ranges reserved for drama and fiction:
NANP NXX-555-0100..0199, the UK Ofcom drama range +44 7700 900000..900999, and the Australian ACMA
fiction numbers (mobiles 0491 570 006 and 0491 570 156..159, landlines (0X) 5550 xxxx). The allocator
never hands the same number to two live actors at once; once a range is exhausted it recycles numbers
released by retired actors, as carriers do, which is itself a realistic trap for phone-based linking.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from lantern.synth.vocab import SITES, City


@dataclass(frozen=True, slots=True)
class Phone:
    """A fictional number: E.164 for the truth file, the national digit groups for writing it."""

    e164: str
    country: str
    groups: tuple[str, ...]

    @property
    def national(self) -> str:
        return "".join(self.groups)


_US_EXCLUDED = {"555", "950", "958", "959", "976", "800", "833", "844", "855", "866", "877", "888"}


def us_area_codes() -> list[str]:
    """Every NPA shape N[0-8]X outside easily recognisable (NXX with XX repeated), reserved and
    toll-free codes, in a stable order."""
    codes = []
    for first in "23456789":
        for second in "012345678":
            for third in "0123456789":
                code = first + second + third
                if second == third or code[:2] in ("37", "96") or code in _US_EXCLUDED:
                    continue
                codes.append(code)
    return codes


_AU_MOBILES = ("0491570006", "0491570156", "0491570157", "0491570158", "0491570159")

_FICTIONAL_E164 = re.compile(
    r"^(?:\+1[2-9]\d{2}5550(?:1\d{2})|\+447700900\d{3}|\+61491570(?:006|15[6-9])|\+61[2378]5550\d{4})$"
)


def is_fictional_phone(e164: str) -> bool:
    """True only for numbers inside the reserved fiction ranges; the tests assert it for every record."""
    return bool(_FICTIONAL_E164.match(e164))


def is_fictional_email(email: str) -> bool:
    """True only for addresses at example.com, example.net or example.org."""
    return bool(re.fullmatch(r"[a-z0-9._+-]+@example\.(?:com|net|org)", email))


def _us(code: str, line: int) -> Phone:
    return Phone(f"+1{code}555{line:04d}", "US", (code, "555", f"{line:04d}"))


def _uk(line: int) -> Phone:
    return Phone(f"+447700{900000 + line}", "GB", ("07700", f"{900000 + line}"))


def _au(national: str) -> Phone:
    if national.startswith("04"):
        return Phone(f"+61{national[1:]}", "AU", (national[:4], national[4:7], national[7:]))
    return Phone(f"+61{national[1:]}", "AU", (national[:2], national[2:6], national[6:]))


class PhoneBook:
    """Hands out fictional numbers, never one that a live actor holds; state is bounded by the ranges."""

    def __init__(self, rng: random.Random) -> None:
        self._codes = us_area_codes()
        rng.shuffle(self._codes)
        self._us_cursor = 0
        self._us_wrapped = False
        self._local_cursor: dict[str, int] = {}
        self._uk_cursor = 0
        self._au_cursor: dict[str, int] = {}
        self._au_mobile_cursor = 0
        self._in_use: set[str] = {site.support_phone for site in SITES}
        self._issued: set[str] = set(self._in_use)

    def allocate(self, city: City, rng: random.Random) -> Phone:
        """A free number for an actor based in ``city``; local area codes first while they are fresh."""
        if city.country == "GB":
            phone = self._next_uk()
        elif city.country == "AU":
            phone = self._next_au(city, rng)
        else:
            phone = self._next_us(city, rng)
        self._in_use.add(phone.e164)
        self._issued.add(phone.e164)
        return phone

    def release(self, phone: Phone) -> None:
        """Return a number when its actor rotates it away or retires; it may be recycled later."""
        self._in_use.discard(phone.e164)

    def _next_us(self, city: City, rng: random.Random) -> Phone:
        if city.area_codes and rng.random() < 0.6:
            code = city.area_codes[rng.randrange(len(city.area_codes))]
            cursor = self._local_cursor.get(code, 0)
            start = int(code) * 37 % 100  # spread lines so not every area code starts at 0100
            while cursor < 100:
                phone = _us(code, 100 + (start + cursor) % 100)
                cursor += 1
                if phone.e164 not in self._issued:
                    self._local_cursor[code] = cursor
                    return phone
            self._local_cursor[code] = cursor
        space = len(self._codes) * 100
        for _ in range(space):
            index = self._us_cursor
            self._us_cursor = (self._us_cursor + 1) % space
            if self._us_cursor == 0:
                self._us_wrapped = True
            code = self._codes[index % len(self._codes)]
            phone = _us(code, 100 + (index // len(self._codes) + int(code) * 37) % 100)
            if phone.e164 in self._in_use or (not self._us_wrapped and phone.e164 in self._issued):
                continue
            return phone
        raise RuntimeError("every fictional US number is held by a live actor; lower the pool sizes")

    def _next_uk(self) -> Phone:
        for _ in range(1000):
            self._uk_cursor = (self._uk_cursor + 1) % 1000
            phone = _uk(self._uk_cursor)
            if phone.e164 not in self._in_use:
                return phone
        raise RuntimeError("every fictional UK number is held by a live actor")

    def _next_au(self, city: City, rng: random.Random) -> Phone:
        if rng.random() < 0.3:
            for _ in range(len(_AU_MOBILES)):
                self._au_mobile_cursor = (self._au_mobile_cursor + 1) % len(_AU_MOBILES)
                phone = _au(_AU_MOBILES[self._au_mobile_cursor])
                if phone.e164 not in self._in_use:
                    return phone
        area = city.area_codes[0] if city.area_codes else "2"
        for _ in range(10000):
            cursor = (self._au_cursor.get(area, 0) + 1) % 10000
            self._au_cursor[area] = cursor
            phone = _au(f"0{area}5550{cursor:04d}")
            if phone.e164 not in self._in_use:
                return phone
        raise RuntimeError("every fictional AU number is held by a live actor")


def email_for(stem: str, serial: int, rng: random.Random) -> str:
    """An address at an example.* domain; the serial keeps unrelated actors from colliding by chance."""
    tld = ("com", "net", "org")[rng.randrange(3)]
    return f"{stem.lower()}{serial}@example.{tld}"


def handle_for(stem: str, serial: int) -> str:
    """An obviously invented handle ("fict" in every one), unique per actor through the serial."""
    return f"{stem.lower()}_fict{serial}"


def payment_handle_for(stem: str, serial: int) -> str:
    """A payment-app handle, stored as people search for it: lower case, no leading $ or @."""
    return f"{stem.lower()}fict{serial}"
