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
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from lantern.sources.files import KEPT_PREFIX_BYTES, MAX_LINE_BYTES, RawItem
from lantern.sources.guard import describe, mapped
from lantern.sources.pages import decode_page, page_item
from lantern.sources.sites import active_sites
from lantern.terminal import printable

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


def _read_bounded(stream: Any, keep: int, limit: int | None = None) -> tuple[bytes, int, str]:
    """(the first ``keep`` bytes, the full size, its SHA-256) of a stream, up to ``limit`` bytes if given;
    never more than ``keep`` bytes in memory."""
    digest = hashlib.sha256()
    kept = bytearray()
    size = 0
    while limit is None or size < limit:
        chunk = stream.read(CHUNK if limit is None else min(CHUNK, limit - size))
        if not chunk:
            break
        digest.update(chunk)
        size += len(chunk)
        if len(kept) < keep:
            kept.extend(chunk[: keep - len(kept)])
    return bytes(kept), size, digest.hexdigest()


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


GZIP_MAGIC = b"\x1f\x8b\x08"


def _record_kind(head: bytes) -> str | None:
    """``warc`` or ``arc`` when bytes at a position start such a record (in a gzip member or not)."""
    if head.startswith(GZIP_MAGIC):
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 64)
        except zlib.error:
            return None
    head = head.lstrip(b"\r\n")
    return "warc" if head.startswith(b"WARC/") else "arc" if head.startswith(b"filedesc://") else None


def _next_record_start(handle: BinaryIO, after: int) -> int | None:
    """The offset of the next WARC record (or gzip member holding one) after ``after``, if any."""
    position = after
    tail = b""
    while True:
        handle.seek(position)
        chunk = handle.read(CHUNK)
        if not chunk:
            return None
        data = tail + chunk
        base = position - len(tail)
        for marker in (GZIP_MAGIC, b"\nWARC/"):
            found = data.find(marker)
            while found >= 0:
                at = base + found + (1 if marker.startswith(b"\n") else 0)
                if at > after:
                    handle.seek(at)
                    if _record_kind(handle.read(4096)) is not None:
                        return at
                found = data.find(marker, found + 1)
        tail = data[-16:]
        position += len(chunk)


def _skipped(handle: BinaryIO, start: int, end: int | None) -> tuple[bytes, int, str]:
    """(kept prefix, size, sha256) of the unreadable bytes from ``start`` to ``end`` (or the end)."""
    handle.seek(start)
    return _read_bounded(handle, KEPT_PREFIX_BYTES, None if end is None else end - start)


def read_warc(path: str, base_dir: Path) -> Iterator[RawItem]:
    """One RawItem per ad page in a WARC file.

    Bytes that are not a WARC record (a file that is not WARC at all, garbage between records, a
    corrupt gzip member) become one quarantined item each, with their byte offset, and reading resumes
    at the next record after them; on stdin, which cannot be searched, reading ends there.
    """
    origin = "<stdin>" if path == "-" else path
    handle = _open_warc(path)
    scan = _Scan(origin, base_dir)
    try:
        start: int | None = 0
        while start is not None:
            if path == "-":
                yield from scan.records(handle, start)
                break
            handle.seek(start)
            kind = _record_kind(handle.read(4096))
            if kind is None:
                if start == 0 and handle.tell() == 0:
                    return  # an empty file
                scan.failure = (start, "no WARC record begins here")
            else:
                scan.kind = scan.kind or kind
                handle.seek(start)
                yield from scan.records(handle, start)
            if scan.failure is None:
                yield from scan.leftover(Path(path).stat().st_size)
                break
            at, why = scan.failure
            scan.failure = None
            start = _next_record_start(handle, at)  # type: ignore[arg-type]
            raw, size, sha256 = _skipped(handle, at, start)
            if at == 0 and start is None:
                why = f"not a WARC file (it begins '{printable(raw[:40].decode('latin-1'))}')"
            resumed = (
                f"reading resumed at byte {start}" if start is not None else "nothing after it could be read"
            )
            reason = f"unreadable WARC data at byte offset {at} ({size:,} bytes): {why}; {resumed}"
            scan.number += 1
            yield RawItem(
                origin,
                scan.number,
                raw,
                "warc",
                base_dir,
                problem=("record", reason),
                raw_size=size,
                raw_sha256=sha256,
                truncated=size > len(raw),
            )
    finally:
        handle.close()


class _Scan:
    """Reading WARC records from one position on, remembering where and why it stopped, if it did."""

    def __init__(self, origin: str, base_dir: Path) -> None:
        self.origin = origin
        self.base_dir = base_dir
        self.registry = active_sites()
        self.number = 0
        self.end: int | None = None
        self.kind: str | None = None  # the format of the file's first record, warc or arc
        self.failure: tuple[int, str] | None = None

    def records(self, handle: Any, start: int) -> Iterator[RawItem]:
        records = ArchiveIterator(handle, arc2warc=True)
        try:
            if self.kind == "warc":  # else warcio reads any line of five words as an ARC record header
                records.known_format, records.mixed_arc_warc = "warc", False
            for record in records:
                self.number += 1
                item = self._item(records, record)
                if item is not None:
                    yield item
            self.end = getattr(records, "offset", None)
        except Exception as error:  # bad headers, corrupt gzip, a cut-off stream: said, then resumed
            at = getattr(records, "offset", start)
            why = "no WARC record begins here" if isinstance(error, ArchiveLoadFailed) else describe(error)
            self.failure = (at if isinstance(at, int) else start, why)
            if self.origin == "<stdin>":
                reason = f"unreadable WARC after record {self.number} at byte offset {self.failure[0]}: {self.failure[1]}"
                self.failure = None
                self.number += 1
                yield RawItem(
                    self.origin,
                    self.number,
                    reason.encode(),
                    "warc",
                    self.base_dir,
                    problem=("record", reason),
                )

    def _item(self, records: ArchiveIterator, record: Any) -> RawItem | None:
        page = _page(record)
        if page is not None:
            url, content_type = page
            site = self.registry.for_url(url)
            if site is not None and (site.is_listing(url) or not site.is_ad(url)):
                page = None
        if page is None:
            return None
        payload, size, sha256 = _read_bounded(record.content_stream(), MAX_PAGE_BYTES)
        truncated = size > MAX_PAGE_BYTES
        offset = records.get_record_offset()
        if not _is_html(content_type, payload[:64]):
            return None
        capture = _Capture(self.origin, self.number, offset, record, url, content_type)
        return mapped(
            RawItem(self.origin, self.number, payload, "warc", self.base_dir),
            lambda _item: _warc_item(capture, payload, size, sha256, truncated, self.base_dir),
        )

    def leftover(self, size: int) -> Iterator[RawItem]:
        """warcio ends quietly at a cut-off last record; bytes left over mean a capture was lost."""
        if isinstance(self.end, int) and self.end < size:
            reason = (
                f"WARC ends in an incomplete record: bytes {self.end}..{size} after record {self.number} "
                "could not be read (a cut-off file?)"
            )
            self.number += 1
            yield RawItem(
                self.origin, self.number, reason.encode(), "warc", self.base_dir, problem=("record", reason)
            )


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
    page = decode_page(payload, capture.content_type)
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
    if page.transcoded_from:
        provenance["raw_transcoded_from"] = page.transcoded_from
    if page.charset_note:
        provenance["charset_note"] = page.charset_note
    return page_item(
        origin=origin,
        line=number,
        raw=page.raw,
        fmt="warc",
        base_dir=base_dir,
        url=url,
        html=page.text,
        collected_at=headers.get_header("WARC-Date"),
        provenance=provenance,
    )
