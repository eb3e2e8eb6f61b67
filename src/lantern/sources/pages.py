"""What the page readers (WARC, CDR) share: decoding a page, mapping it by site rules, making the item.

A page becomes a :class:`RawItem` whose ``data`` is the mapped record (with its provenance under the
unknown key ``provenance``, which validation moves into ``extra``) or whose ``problem`` says why it
could not be mapped, so ingest stores it or quarantines it, and never loses it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import webencodings

from lantern.sources.files import RawItem
from lantern.sources.sites import SiteRegistry, Unmapped, active_sites, map_page, page_records_problem
from lantern.terminal import printable

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)


FALLBACK = "windows-1252"
"""What a page that is not UTF-8 and declares no usable charset is read as (what browsers do)."""


@dataclass(slots=True, frozen=True)
class DecodedPage:
    """A page as text, the bytes kept as the record's raw, and what was done to get there."""

    text: str
    raw: bytes
    transcoded_from: str | None = None
    charset_note: str | None = None


def _declared(payload: bytes, content_type: str | None) -> list[tuple[str, str]]:
    found = _HEADER_CHARSET.search(content_type or "")
    meta = _META_CHARSET.search(payload[:4096])
    declared = [("HTTP header", found.group(1))] if found else []
    if meta:
        declared.append(("<meta>", meta.group(1).decode("ascii", "replace")))
    return declared


def page_charset(payload: bytes, content_type: str | None) -> tuple[webencodings.Encoding, str | None]:
    """The encoding to read a non-UTF-8 page with, and a note when a declared charset was not honoured.

    Only the encodings of the WHATWG Encoding Standard count, by its labels (``webencodings``), as in a
    browser: the HTTP header first, then ``<meta>`` in the first 4 KiB, then windows-1252. A label
    Python happens to know but that is no text encoding (``rot13``, ``zlib``, ``hex``, ``base64``,
    ``unicode_escape``) is passed over and said, never used to decode.
    """
    refused = []
    for where, label in _declared(payload, content_type):
        encoding = webencodings.lookup(label)
        usable = encoding is not None and encoding.name != "replacement"
        if usable and where == "<meta>" and encoding.name.startswith("utf-16"):  # type: ignore[union-attr]
            usable = False  # an ASCII <meta> cannot be UTF-16 (HTML's own rule)
        if usable:
            return encoding, ("; ".join(refused) or None)  # type: ignore[return-value]
        refused.append(f"{where} charset '{printable(label, 40)}' is not a text encoding")
    return webencodings.lookup(FALLBACK), ("; ".join(refused) or None)  # type: ignore[return-value]


def decode_page(payload: bytes, content_type: str | None) -> DecodedPage:
    """The page as text, and the bytes to keep as the record's raw.

    The store keeps ``raw`` as UTF-8 text, so a page already in UTF-8 is kept byte for byte; a page
    in another charset is kept transcoded to UTF-8 and ``transcoded_from`` names the original
    charset (its exact bytes stay in the WARC or CDR file, which provenance points to).
    """
    try:
        return DecodedPage(payload.decode("utf-8"), payload)
    except UnicodeDecodeError:
        pass
    encoding, note = page_charset(payload, content_type)
    name = FALLBACK if encoding.name == "utf-8" else encoding.name  # mislabelled: almost always 1252
    text = webencodings.lookup(name).codec_info.decode(payload, "replace")[0]  # type: ignore[union-attr]
    return DecodedPage(text, text.encode("utf-8", "replace"), name, note and f"{note}; read as {name}")


def page_item(
    *,
    origin: str,
    line: int,
    raw: bytes,
    fmt: str,
    base_dir: Path,
    url: str,
    html: str,
    collected_at: str | None,
    provenance: dict[str, Any],
    images: list[str] | None = None,
    registry: SiteRegistry | None = None,
) -> RawItem:
    """Map one page into a RawItem (record or quarantine), keeping its provenance either way."""
    item = RawItem(origin, line, raw, fmt, base_dir)
    site, problem = page_records_problem(url, registry or active_sites())
    if site is not None:
        mapped = map_page(site, url, html, collected_at=collected_at)
        if isinstance(mapped, Unmapped):
            problem = mapped
        else:
            if images is not None:
                mapped["images"] = images
            mapped["provenance"] = provenance
            item.data = mapped
    if problem is not None:
        item.problem = (problem.field, problem.reason)
    return item
