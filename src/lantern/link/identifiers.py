"""Normalising identifiers so the same contact written twice is one identifier.

Extraction already normalises phones to E.164; here only case and whitespace are folded, and the kind is
prefixed so a handle and an email with the same text never collide.
"""

from __future__ import annotations

KINDS = ("phone", "email", "handle", "payment", "sha256", "name")
"""Identifier kinds, by code (the index). ``sha256`` is exact image identity; ``name`` never links."""
KIND_CODE = {kind: code for code, kind in enumerate(KINDS)}
CONTACT_CODES = (KIND_CODE["phone"], KIND_CODE["email"], KIND_CODE["handle"], KIND_CODE["payment"])

CASE_SENSITIVE_PLATFORMS = frozenset({"bitcoin", "btc", "litecoin", "ltc", "monero", "xmr", "dogecoin"})
"""Base58 and similar addresses: case is part of the address."""


def evidence_type(kind: str) -> str:
    """The LinkConfig evidence type an identifier kind belongs to."""
    return "image" if kind == "sha256" else kind


def normalise(kind: str, value: str) -> str | None:
    """Canonical text of one identifier, or None when nothing is left."""
    text = value.strip()
    if not text:
        return None
    if kind in ("handle", "payment"):
        platform, sep, rest = text.partition(":")
        if not sep:
            return text.lower()
        platform = platform.strip().lower()
        rest = rest.strip()
        if platform not in CASE_SENSITIVE_PLATFORMS:
            rest = rest.lower()
        return f"{platform}:{rest}"
    if kind == "phone":
        return "".join(text.split())
    if kind == "name":
        return " ".join(text.split()).casefold()
    return text.lower()
