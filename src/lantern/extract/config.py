"""Extraction settings: a plain dataclass so the same object works in the CLI, web app and Spark jobs."""

from __future__ import annotations

from dataclasses import dataclass

REGION_CURRENCY = {"US": "USD", "GB": "GBP", "AU": "AUD", "CA": "CAD", "IN": "INR", "NZ": "NZD",
                   "IE": "EUR", "DE": "EUR", "FR": "EUR", "ES": "EUR", "IT": "EUR", "NL": "EUR"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ExtractConfig:
    """How to read records.

    ``default_region`` is used when a record gives no better evidence of its country (ISO 3166 code, as
    ``phonenumbers`` spells it: ``GB`` not ``UK``). ``extra_regions`` are tried after the record's own
    region for national-format numbers. ``max_field_chars`` bounds work on hostile input; ingest already
    caps fields at 1 MB, this is a second fence.
    """

    default_region: str = "US"
    extra_regions: tuple[str, ...] = ()
    max_field_chars: int = 1_000_000

    def currency_for(self, region: str) -> str:
        """The currency a bare amount or a ``$`` most likely means in ``region``."""
        return REGION_CURRENCY.get(region, "USD")
