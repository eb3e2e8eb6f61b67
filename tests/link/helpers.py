"""Fictional test records: 555-01xx phones, example.com emails, neutral wording."""

from __future__ import annotations

from lantern.link import LinkDoc

TEMPLATE = (
    "Hello my name is {name} and I am visiting {city} this week only. Friendly and easy going, "
    "message ahead to set a time, thank you for reading and have a nice day"
)


def phone(n: int) -> str:
    """A fictional E.164 number, +1713555 0100..0199."""
    assert 0 <= n <= 99
    return f"+1713555{100 + n:04d}"


def doc(key: str, day: int = 1, city: str | None = None, **fields) -> LinkDoc:
    """A LinkDoc with the source taken from the key and a January 2024 posting day."""
    source = key.split(":", 1)[0]
    return LinkDoc(key=key, source=source, posted_at=f"2024-01-{day:02d}T12:00:00Z", city=city, **fields)


def flip(hex_hash: str, bits: int) -> str:
    """The hash with its ``bits`` lowest bits inverted (a near-duplicate at that Hamming distance)."""
    value = int(hex_hash, 16) ^ ((1 << bits) - 1)
    return f"{value:016x}"
