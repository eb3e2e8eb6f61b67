"""What the page readers (WARC, CDR) share: decoding a page, mapping it by site rules, making the item.

A page becomes a :class:`RawItem` whose ``data`` is the mapped record (with its provenance under the
unknown key ``provenance``, which validation moves into ``extra``) or whose ``problem`` says why it
could not be mapped, so ingest stores it or quarantines it, and never loses it.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import Any

from lantern.sources.files import RawItem
from lantern.sources.sites import SiteRegistry, Unmapped, active_sites, map_page, page_records_problem

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)


def _known_codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def page_charset(payload: bytes, content_type: str | None) -> str:
    """The page's charset: HTTP header, then ``<meta>`` in the first 4 KiB, then UTF-8."""
    found = _HEADER_CHARSET.search(content_type or "")
    charset = _known_codec(found.group(1) if found else None)
    if charset is None:
        meta = _META_CHARSET.search(payload[:4096])
        charset = _known_codec(meta.group(1).decode("ascii", "replace") if meta else None)
    return charset or "utf-8"


def decode_page(payload: bytes, content_type: str | None) -> tuple[str, bytes, str | None]:
    """(text, raw, transcoded_from): the page as text, and the bytes to keep as the record's raw.

    The store keeps ``raw`` as UTF-8 text, so a page already in UTF-8 is kept byte for byte; a page
    in another charset is kept transcoded to UTF-8 and ``transcoded_from`` names the original
    charset (its exact bytes stay in the WARC or CDR file, which provenance points to).
    """
    try:
        text = payload.decode("utf-8")
        return text, payload, None
    except UnicodeDecodeError:
        pass
    charset = page_charset(payload, content_type)
    if charset == "utf-8":
        charset = "cp1252"  # mislabelled pages are almost always Windows-1252
    text = payload.decode(charset, "replace")
    return text, text.encode("utf-8"), charset


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
