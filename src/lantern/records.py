"""The input record (ARCHITECTURE.md, "The input record") and the extracted-fields object.

Records arrive from adversaries, so validation is strict about types: a number where a string belongs is
quarantined rather than silently coerced, and every string is bounded. Unknown fields are never dropped;
they are kept under ``extra`` so nothing a source supplied is lost.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr, field_validator, model_validator

MAX_FIELD_BYTES = 1_000_000
"""A single field over 1 MB is hostile or broken input; the record is quarantined."""

KNOWN_FIELDS = (
    "id",
    "source",
    "kind",
    "url",
    "posted_at",
    "collected_at",
    "title",
    "body",
    "location",
    "author",
    "images",
)


class InputRecord(BaseModel):
    """One ad or post as a source delivers it. ``source`` + ``id`` identify it."""

    model_config = ConfigDict(extra="forbid", frozen=False, str_strip_whitespace=False)

    id: StrictStr = Field(min_length=1, max_length=1000)
    source: StrictStr = Field(min_length=1, max_length=1000)
    kind: Literal["ad", "post"] = "ad"
    url: StrictStr | None = None
    posted_at: datetime | None = None
    collected_at: datetime | None = None
    title: StrictStr | None = None
    body: StrictStr | None = None
    location: StrictStr | None = None
    author: StrictStr | None = None
    images: list[StrictStr] = Field(default_factory=list, max_length=1000)
    extra: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _move_unknown_fields_to_extra(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            raise ValueError("a record must be a JSON object")
        unknown = {k: v for k, v in data.items() if k not in KNOWN_FIELDS and k != "extra"}
        if not unknown and "extra" not in data:
            return data
        known = {k: v for k, v in data.items() if k in KNOWN_FIELDS}
        extra = dict(unknown)
        if "extra" in data:
            # A source field literally called "extra" is kept too, under its own name.
            extra["extra"] = data["extra"]
        known["extra"] = extra
        return known

    @field_validator("id", "source")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value

    @field_validator("posted_at", "collected_at", mode="before")
    @classmethod
    def _iso8601_only(cls, value: Any) -> Any:
        # Pydantic would accept Unix timestamps as numbers; the format says ISO 8601 strings.
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise ValueError("must be an ISO 8601 string")
        return value

    @property
    def key(self) -> str:
        """The record's identity as people type it: ``source:id``."""
        return f"{self.source}:{self.id}"

    def text_fields(self) -> dict[str, str]:
        """The fields extraction reads, each separately (contacts hide in URL slugs too)."""
        return {name: value for name in ("url", "title", "body") if (value := getattr(self, name))}


MAX_DEPTH = 64
"""Lists and objects nested deeper than this are hostile or broken input (real feeds nest a handful of
levels); the record is quarantined before anything walks it. Serialising, hashing and printing all
recurse, and fail at a few hundred levels."""


def _size(value: str) -> int:
    return len(value) if value.isascii() else len(value.encode("utf-8", "surrogatepass"))


def _field_size(value: Any, max_bytes: int | None, max_depth: int) -> int | str:
    """About the JSON size of one field's value, or why it is refused (stopping at the first bound)."""
    if isinstance(value, str):
        return _size(value)
    if not isinstance(value, list | dict):
        return 8
    size = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        current, depth = stack.pop()
        if depth > max_depth:
            return f"nested more than {max_depth} levels deep"
        children = current.items() if isinstance(current, dict) else enumerate(current)
        size += 2
        for key, child in children:
            if isinstance(key, str):
                size += _size(key) + 3
            if isinstance(child, str):
                size += _size(child) + 3
            elif isinstance(child, list | dict):
                stack.append((child, depth + 1))
            else:
                size += 8
        if max_bytes is not None and size > max_bytes:
            break
    return size


def value_problem(
    data: dict[str, Any], max_bytes: int | None = MAX_FIELD_BYTES, max_depth: int = MAX_DEPTH
) -> tuple[str, str] | None:
    """(field, reason) for the first field nested deeper than ``max_depth`` or larger than ``max_bytes``
    (about its JSON size: keys count as much as values), else None.

    Iterative, so it cannot itself run out of stack, and it stops as soon as a bound is passed: it is
    the check that must come before anything else walks a value from outside.
    """
    extra = 0  # unknown fields are kept together under ``extra``, which is bounded as one field
    for name, value in data.items():
        if type(value) is str:  # most fields: no walk
            size: int | str = len(value) if value.isascii() else _size(value)
        else:
            size = _field_size(value, max_bytes, max_depth)
            if isinstance(size, str):
                return name, size
        if max_bytes is None:
            continue
        if size > max_bytes:
            return name, f"field is over the {max_bytes:,}-byte limit"
        if name not in KNOWN_FIELDS:
            extra += size + _size(name)
            if extra > max_bytes:
                return "extra", f"unknown fields together are over the {max_bytes:,}-byte limit"
    return None


EXTRACTED_KEYS = (
    "phones",  # E.164 strings
    "emails",
    "handles",  # {platform, handle}
    "payments",  # {platform, handle} or {platform: "bitcoin"|"ethereum", address}
    "urls",
    "ages",  # ints, never clamped to 18+
    "names",
    "locations",  # {name, admin1, country, lat, lon}
    "prices",
    "images",  # image hashes
    "indicators",  # {id, span, weight, source}
    "risk",  # {"trafficking": float, "minor": float}
)


def empty_extraction() -> dict[str, Any]:
    """The extracted-fields object with every key present, as later stages fill it in.

    ``mentions`` carries provenance for every extracted value: field, character span, the text as
    written, and how it was disguised, so an investigator can show a prosecutor where a fact came from.
    """
    fields: dict[str, Any] = {key: [] for key in EXTRACTED_KEYS}
    fields["risk"] = {"trafficking": 0.0, "minor": 0.0}
    fields["mentions"] = []
    return fields


MAX_STORED_MENTIONS = 1000
"""Mentions kept with a record: a 1 MB body repeating one phone number holds tens of thousands of them,
which would make a column of megabytes for nothing a reader needs twice."""


def bound_extraction(extracted: dict[str, Any], limit: int = MAX_STORED_MENTIONS) -> dict[str, Any]:
    """Keep at most ``limit`` mentions: the first of every distinct value before any repeat, in text
    order, and say how many were left out (``mentions_dropped``). The value lists (phones, ages...) are
    already complete; only the provenance of repeats is cut."""
    mentions = extracted.get("mentions") or []
    if len(mentions) <= limit:
        return extracted
    seen: set[tuple[Any, str]] = set()
    firsts, repeats = [], []
    for index, mention in enumerate(mentions):
        key = (mention.get("type"), str(mention.get("value")))
        (repeats if key in seen else firsts).append(index)
        seen.add(key)
    kept = sorted(firsts[:limit] + repeats[: max(0, limit - len(firsts))])
    extracted["mentions"] = [mentions[index] for index in kept]
    extracted["mentions_dropped"] = len(mentions) - len(kept)
    return extracted
