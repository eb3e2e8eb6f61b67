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


def oversized_field(data: dict[str, Any]) -> str | None:
    """Name the first field whose serialised size is over MAX_FIELD_BYTES, if any."""
    for name, value in data.items():
        if isinstance(value, str):
            size = len(value.encode("utf-8", "surrogatepass"))
        elif isinstance(value, list | dict):
            size = sum(len(str(v)) for v in (value.values() if isinstance(value, dict) else value))
        else:
            continue
        if size > MAX_FIELD_BYTES:
            return name
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
