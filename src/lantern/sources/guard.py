"""Where every reader's failure becomes a quarantined item, so that reading goes on.

Readers (JSON lines, CSV, WARC, CDR, social posts) yield :class:`RawItem`s. What can go wrong, and
what becomes of it here:

* one record cannot be mapped (a page whose mapping raises on something no rule foresaw):
  :func:`mapped` quarantines that record with the reason, and the reader goes on with the next;
* the stream itself breaks (a truncated or corrupt compressed file, an I/O error, bytes no reader can
  get past): :func:`guarded` turns the exception into one quarantined item at the line after the last
  one read, ``file:line: record: reason``; what was read before stays, and ingest goes on with the
  next file (the WARC reader resumes after a broken record by itself);
* a file yields nothing but refusals: :class:`QuarantineCap` stops reading it after a run of them
  and says so in one quarantined item, so that a small hostile file cannot write millions of rows.
"""

from __future__ import annotations

import gzip
import lzma
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

from lantern.sources.files import RawItem
from lantern.terminal import printable

REASON_CHARS = 300
BZ2_BROKEN = "Invalid data stream"
"""What ``bz2`` raises (as a bare OSError) on corrupt data."""


def describe(error: BaseException) -> str:
    """What broke, in words a person can act on (bounded, one line)."""
    if isinstance(error, EOFError):
        reason = f"the compressed stream ends early (a cut-off file?): {error}"
    elif isinstance(error, gzip.BadGzipFile | zlib.error | lzma.LZMAError) or str(error) == BZ2_BROKEN:
        reason = f"corrupt compressed data: {error}"
    elif isinstance(error, OSError):
        reason = f"cannot be read: {error.strerror or error}"
    elif isinstance(error, RecursionError):
        reason = "nested too deeply to read"
    elif isinstance(error, MemoryError):
        reason = "too large to read"
    else:
        reason = f"{type(error).__name__}: {error}"
    return printable(reason, REASON_CHARS)


def broken_item(origin: str, line: int, fmt: str, base_dir: Path, reason: str, raw: bytes = b"") -> RawItem:
    """A quarantined item standing for something that could not be read as a record."""
    return RawItem(origin, line, raw, fmt, base_dir, problem=("record", reason))


def guarded(items: Iterator[RawItem], origin: str, fmt: str, base_dir: Path) -> Iterator[RawItem]:
    """A reader's items; if the reader raises, one quarantined item saying where and why, then the end."""
    last = 0
    try:
        for item in items:
            last = max(last, item.line)
            yield item
    except Exception as error:  # whatever the stream raised: said, not fatal
        yield broken_item(origin, last + 1, fmt, base_dir, f"unreadable after line {last}: {describe(error)}")


def mapped(item: RawItem, make: Callable[[RawItem], RawItem]) -> RawItem:
    """``make(item)``, or the item quarantined with the reason when mapping it raises."""
    try:
        return make(item)
    except Exception as error:  # a bug on hostile input must not stop the file
        item.data = None
        item.problem = ("record", f"cannot be read: {describe(error)}")
        return item


class QuarantineCap:
    """Stops reading a file once ``limit`` of its records in a row were quarantined.

    A file of empty objects or of garbage lines is one problem, not millions: past the limit the rest of
    the file is not read, one quarantined item names the file and the count, and the summary accounts for
    every record that was read. A record stored in between starts the count again.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.stopped: set[str] = set()
        self._streak: dict[str, int] = {}

    def note(self, item: RawItem, quarantined: bool) -> RawItem | None:
        """Count one outcome; the item that says the file is no longer read, when this one hit the limit."""
        if not quarantined:
            self._streak[item.origin] = 0
            return None
        streak = self._streak.get(item.origin, 0) + 1
        self._streak[item.origin] = streak
        if self.limit <= 0 or streak < self.limit:
            return None
        self.stopped.add(item.origin)
        reason = (
            f"stopped reading {printable(item.origin, 200)} after {streak:,} records in a row were quarantined; "
            f"the lines after {item.line} are not read (is it a record file? LANTERN_QUARANTINE_LIMIT)"
        )
        return broken_item(item.origin, item.line + 1, item.fmt, item.base_dir, reason)
