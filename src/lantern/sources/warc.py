"""Reading WARC files (plain or gzipped, ISO 28500): each captured ad page becomes one record.

Which WARC records are pages: ``response`` records with an HTTP status 2xx and ``resource`` records,
whose content type is HTML. Requests, metadata, redirects, errors, images and other media are not
records and are passed over (they stay in the WARC, which is itself the evidence), as are pages the
site rules call listings or that do not match the site's ad pattern. Every other page becomes a
record through the site rules or is quarantined with the reason; none is lost.

``RawItem.raw`` is the response's HTTP payload: the entity body with transfer and content encodings
removed (the HTML as a browser renders it), byte for byte when it is UTF-8. ``line`` is the WARC
record's ordinal in the file, and ``extra.provenance`` holds the file, the record's byte offset (seek
there and read one record to get the exact capture back), its WARC-Record-ID, date and digests.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from lantern.sources.files import MAX_LINE_BYTES, RawItem
from lantern.sources.pages import decode_page, page_item
from lantern.sources.sites import active_sites

MAX_PAGE_BYTES = MAX_LINE_BYTES
"""A page payload over this is quarantined from a bounded prefix, with its full size and SHA-256."""

CHUNK = 1024 * 1024


def _is_html(content_type: str, payload_start: bytes) -> bool:
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind in ("text/html", "application/xhtml+xml"):
        return True
    if kind:
        return False
    return payload_start.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html"))


def _read_bounded(stream: Any) -> tuple[bytes, int, str, bool]:
    """(kept bytes, full size, sha256, truncated), reading at most MAX_PAGE_BYTES into memory."""
    digest = hashlib.sha256()
    kept = bytearray()
    size = 0
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            break
        digest.update(chunk)
        size += len(chunk)
        if len(kept) < MAX_PAGE_BYTES:
            kept.extend(chunk[: MAX_PAGE_BYTES - len(kept)])
    return bytes(kept), size, digest.hexdigest(), size > MAX_PAGE_BYTES


def _page(record: Any) -> tuple[str, str] | None:
    """(url, content type) when a WARC record is a page worth reading, else None."""
    url = record.rec_headers.get_header("WARC-Target-URI") or ""
    if record.rec_type == "response":
        if record.http_headers is None:
            return None
        status = record.http_headers.get_statuscode() or ""
        if not status.startswith("2"):
            return None
        return url, record.http_headers.get_header("Content-Type") or ""
    if record.rec_type == "resource":
        return url, record.rec_headers.get_header("Content-Type") or ""
    return None


class _Counting:
    """A forward-only stream that knows its position, so offsets work when a WARC arrives on stdin."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._position = 0

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self._position += len(data)
        return data

    def readline(self, size: int = -1) -> bytes:
        data = self._raw.readline(size)
        self._position += len(data)
        return data

    def tell(self) -> int:
        return self._position

    def close(self) -> None:
        self._raw.close()


def _open_warc(path: str) -> BinaryIO | _Counting:
    """The file as stored: warcio itself reads gzip members, so offsets are offsets in the file."""
    return _Counting(sys.stdin.buffer) if path == "-" else open(path, "rb")


def read_warc(path: str, base_dir: Path) -> Iterator[RawItem]:
    """One RawItem per ad page in a WARC file; a broken file ends in one quarantined item saying where."""
    origin = "<stdin>" if path == "-" else path
    registry = active_sites()
    number = 0
    offset = 0
    handle = _open_warc(path)
    try:
        records = ArchiveIterator(handle, arc2warc=True)
        for record in records:
            number += 1
            page = _page(record)
            if page is not None:
                url, content_type = page
                site = registry.for_url(url)
                if site is not None and (site.is_listing(url) or not site.is_ad(url)):
                    page = None
            if page is None:
                offset = records.get_record_offset()
                continue
            payload, size, sha256, truncated = _read_bounded(record.content_stream())
            offset = records.get_record_offset()
            if not _is_html(content_type, payload[:64]):
                continue
            yield _warc_item(
                _Capture(origin, number, offset, record, url, content_type),
                payload,
                size,
                sha256,
                truncated,
                base_dir,
            )
        # warcio ends quietly at a cut-off last record; bytes left over mean a capture was lost.
        size = None if path == "-" else Path(path).stat().st_size
        end = getattr(records, "offset", None)
        if size is not None and isinstance(end, int) and end < size:
            reason = (
                f"WARC ends in an incomplete record: bytes {end}..{size} after record {number} "
                "could not be read (a cut-off file?)"
            )
            yield RawItem(origin, number + 1, reason.encode(), "warc", base_dir, problem=("record", reason))
    except (ArchiveLoadFailed, OSError, EOFError, ValueError) as error:  # truncated gzip, bad headers
        reason = f"unreadable WARC after record {number} at byte offset {offset}: {type(error).__name__}: {str(error)[:200]}"
        yield RawItem(origin, number + 1, reason.encode(), "warc", base_dir, problem=("record", reason))
    finally:
        handle.close()


@dataclass(slots=True)
class _Capture:
    origin: str
    number: int
    offset: int
    record: Any
    url: str
    content_type: str


def _warc_item(
    capture: _Capture, payload: bytes, size: int, sha256: str, truncated: bool, base_dir: Path
) -> RawItem:
    origin, number, offset, url = capture.origin, capture.number, capture.offset, capture.url
    headers = capture.record.rec_headers
    if truncated:
        return RawItem(
            origin,
            number,
            payload[: 1024 * 1024],
            "warc",
            base_dir,
            raw_size=size,
            raw_sha256=sha256,
            truncated=True,
            problem=("record", f"page {url} is {size} bytes, over the {MAX_PAGE_BYTES}-byte limit"),
        )
    html, raw, transcoded_from = decode_page(payload, capture.content_type)
    provenance: dict[str, Any] = {
        "format": "warc",
        "file": origin,
        "record_offset": offset,
        "record_number": number,
        "warc_record_id": headers.get_header("WARC-Record-ID"),
        "warc_date": headers.get_header("WARC-Date"),
        "target_uri": url,
        "payload_digest": headers.get_header("WARC-Payload-Digest"),
        "payload_sha256": sha256,
        "raw": "http payload (transfer and content encodings removed)",
    }
    if transcoded_from:
        provenance["raw_transcoded_from"] = transcoded_from
    return page_item(
        origin=origin,
        line=number,
        raw=raw,
        fmt="warc",
        base_dir=base_dir,
        url=url,
        html=html,
        collected_at=headers.get_header("WARC-Date"),
        provenance=provenance,
    )
