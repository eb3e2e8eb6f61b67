"""Reading JSONL and CSV record files (plain or gzipped), whole folders, and stdin.

Readers yield the raw bytes of each record exactly as it was in the file, with the file and line it came
from, and decode nothing they cannot decode: a line that is not UTF-8 is handed on with its bytes so
that ingest can quarantine it verbatim instead of losing it.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import lzma
import os
import sys
from collections import deque
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from lantern.sources.lines import KEPT_PREFIX_BYTES, MAX_LINE_BYTES, Line, physical_lines, strip_eol

__all__ = ["KEPT_PREFIX_BYTES", "MAX_LINE_BYTES", "RawItem", "expand_paths", "read_items"]

RECORD_SUFFIXES = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
}


@dataclass(slots=True)
class RawItem:
    """One record's bytes as read, with where it came from.

    ``problem`` is set by the reader when the bytes cannot even be split into a record (an over-long
    line, a CSV row with the wrong number of columns); ``row`` holds a CSV row already split by header;
    ``data`` holds a record already mapped by a page or post reader (WARC, CDR, social), which ingest
    validates instead of decoding ``raw`` as a record, while ``raw`` stays the bytes the source gave.
    For those formats ``line`` is the record's ordinal in the file (WARC record, JSON line or post).
    """

    origin: str
    line: int
    raw: bytes
    fmt: str
    base_dir: Path
    row: dict[str, str] | None = None
    problem: tuple[str, str] | None = None
    raw_size: int = 0
    raw_sha256: str = ""
    truncated: bool = False
    data: dict[str, Any] | None = None


def detect_format(path: Path) -> str | None:
    """The format of a file in a folder, or None for files that are not records.

    CSV and WARC go by name; JSON lines are sniffed, because a Memex CDR dump or a saved API response
    is also ``.jsonl``; a ``.json`` file is read only when it looks like social posts.
    """
    from lantern.sources.formats import format_by_name, sniff_format

    by_name = format_by_name(path)
    if by_name in ("csv", "warc"):
        return by_name
    if by_name == "jsonl":
        return sniff_format(path) or "jsonl"
    if by_name == "json":
        sniffed = sniff_format(path)
        return sniffed if sniffed in ("twitter", "mastodon") else None
    return None


def expand_paths(paths: Iterable[str]) -> tuple[list[tuple[str, str]], list[str]]:
    """Resolve the command line into (path, format) pairs, walking folders recursively in sorted order.

    Returns the inputs and the files skipped inside folders because their names are not record files
    or start with ``_`` or ``.`` (side files such as ground truth, by the Hadoop convention), so the
    caller can say what it did not read. A file named explicitly is read whatever its name (as JSONL
    unless it ends in .csv).
    """
    inputs: list[tuple[str, str]] = []
    skipped: list[str] = []
    for given in paths:
        if given == "-":
            inputs.append(("-", "jsonl"))
            continue
        path = Path(given)
        if path.is_symlink():
            inputs.append((str(path), SYMLINK))
        elif path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file() or p.is_symlink()):
                if child.is_symlink():
                    inputs.append((str(child), SYMLINK))
                    continue
                fmt = detect_format(child)
                if fmt is None or child.name.startswith(("_", ".")):
                    skipped.append(str(child))
                else:
                    inputs.append((str(child), fmt))
        else:
            inputs.append((str(path), _explicit_format(path)))
    return inputs, skipped


def _explicit_format(path: Path) -> str:
    """A file named on the command line is read whatever its name: sniffed, else as JSONL."""
    from lantern.sources.formats import format_by_name, sniff_format

    by_name = format_by_name(path)
    if by_name in ("csv", "warc"):
        return by_name
    return (sniff_format(path) if path.is_file() else None) or "jsonl"


SYMLINK = "symlink"
"""The format given to a path that is a symbolic link: it is not followed, and ingest says so."""

COMPRESSED = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
"""Compressed inputs by suffix, each read through its decompressor."""


def open_binary(path: str) -> BinaryIO:
    """The file's bytes (decompressed for ``.gz``, ``.bz2``, ``.xz``), or stdin for ``-``."""
    if path == "-":
        return sys.stdin.buffer
    opener = COMPRESSED.get(Path(path).suffix.lower())
    if opener is not None:
        return opener(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


def _over_limit(line: Line) -> tuple[str, str]:
    return ("record", f"line is {line.size} bytes, over the {MAX_LINE_BYTES}-byte limit")


def read_jsonl(path: str, base_dir: Path) -> Iterator[RawItem]:
    """One RawItem per non-blank line."""
    origin = "<stdin>" if path == "-" else path
    with open_binary(path) as handle:
        for line in physical_lines(handle):
            if line.blank:
                continue
            if not line.complete:
                yield RawItem(
                    origin,
                    line.number,
                    line.data,
                    "jsonl",
                    base_dir,
                    raw_size=line.size,
                    raw_sha256=line.sha256,
                    truncated=True,
                    problem=_over_limit(line),
                )
                continue
            raw = strip_eol(line.data)
            if raw.strip():
                yield RawItem(origin, line.number, raw, "jsonl", base_dir)


class _LineFeeder:
    """Feeds decoded physical lines to ``csv.reader`` and remembers the lines of the current row.

    Lines handed back with :meth:`push_back` are fed again before the rest of the file (a stray quote's
    swallowed rows). Blank lines between rows are passed over here; inside a quoted field they are
    content and go to the reader.
    """

    def __init__(self, handle: BinaryIO) -> None:
        self._lines = physical_lines(handle)
        self._again: deque[Line] = deque()
        self.row: list[Line] = []
        self.row_problem: tuple[str, str] | None = None
        self.ended_in_row = False

    def start_row(self) -> None:
        self.row = []
        self.row_problem = None
        self.ended_in_row = False

    def push_back(self, lines: list[Line]) -> None:
        self._again.extendleft(reversed(lines))

    def _next_line(self) -> Line:
        if self._again:
            return self._again.popleft()
        return next(self._lines)

    def __iter__(self) -> _LineFeeder:
        return self

    def __next__(self) -> str:
        try:
            line = self._next_line()
            while line.blank and not self.row:
                line = self._next_line()
        except StopIteration:
            self.ended_in_row = bool(self.row)
            raise
        self.row.append(line)
        if not line.complete:
            self.row_problem = _over_limit(line)
            return "\n"
        try:
            return line.data.decode("utf-8")
        except UnicodeDecodeError as error:
            self.row_problem = ("record", f"invalid UTF-8 at byte {error.start}")
            return line.data.decode("utf-8", "replace")

    @property
    def first_line(self) -> int:
        return self.row[0].number if self.row else 0

    def row_bytes(self) -> bytes:
        return b"".join(line.data for line in self.row)


def _reads_as_row(line: Line, width: int) -> bool:
    """Whether one physical line is, on its own, a well-formed CSV row of the header's width."""
    if line.blank or not line.complete:
        return False
    try:
        cells = next(csv.reader([line.data.decode("utf-8", "replace")], strict=True))
    except (csv.Error, StopIteration):
        return False
    return len(cells) == width


def _swallowed(feeder: _LineFeeder, width: int, complete_row: bool) -> bool:
    """Whether the row just read is a stray quote that ran over lines which are rows of their own.

    A quoted field may hold line breaks, so a row spanning lines is normal. It is a stray quote when the
    quote never closes (the file ended inside it), or when the lines it ran over read, each on its own,
    as rows of the header's width (all of the middle ones; the last holds the closing quote, so it is
    judged only when the row came out the wrong width).
    """
    lines = [line for line in feeder.row[1:] if not line.blank]
    if not lines:
        return False
    if feeder.ended_in_row:
        return True
    middle = lines[:-1]
    if middle:
        return all(_reads_as_row(line, width) for line in middle)
    return not complete_row and _reads_as_row(lines[-1], width)


def read_csv(path: str, base_dir: Path) -> Iterator[RawItem]:
    """One RawItem per CSV row, mapped by the header row; quoted fields may span lines."""
    origin = "<stdin>" if path == "-" else path
    with open_binary(path) as handle:
        feeder = _LineFeeder(handle)
        reader = csv.reader(feeder)
        feeder.start_row()
        try:
            header = next(reader)
        except StopIteration:
            return
        header = [name.strip().lstrip("\ufeff") for name in header]
        while True:
            feeder.start_row()
            error: csv.Error | None = None
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as failure:
                error, values = failure, []
            if _swallowed(feeder, len(header), error is None and len(values) == len(header)):
                first, rest = feeder.row[0], feeder.row[1:]
                closes = "never closes" if feeder.ended_in_row else f"runs over the next {len(rest)} line(s)"
                reason = f"unbalanced quote: a quoted field opened on this line {closes}; they are read as rows of their own"
                yield RawItem(
                    origin, first.number, strip_eol(first.data), "csv", base_dir, problem=("record", reason)
                )
                feeder.push_back(rest)
                continue
            raw = strip_eol(feeder.row_bytes())
            if error is not None:
                yield RawItem(
                    origin,
                    feeder.first_line,
                    raw,
                    "csv",
                    base_dir,
                    problem=("record", f"unreadable CSV: {error}"),
                )
                continue
            if not raw.strip():
                continue
            problem = feeder.row_problem
            if problem is None and len(values) != len(header):
                problem = ("record", f"row has {len(values)} columns, the header has {len(header)}")
            row = None if problem else dict(zip(header, values, strict=True))
            yield RawItem(origin, feeder.first_line, raw, "csv", base_dir, row=row, problem=problem)


def read_items(path: str, fmt: str, stopped: Container[str] = ()) -> Iterator[RawItem]:
    """Raw items of one input; image paths resolve relative to the file's folder (stdin: the cwd).

    Whatever breaks while reading ends this input in one quarantined item saying where and why
    (``sources.guard``), and ingest goes on with the next. An input named in ``stopped`` (by the
    quarantine cap) is read no further. A symbolic link is not followed: one quarantined item says so.
    """
    from lantern.sources.guard import broken_item, guarded

    origin = "<stdin>" if path == "-" else path
    if fmt == SYMLINK:
        target = os.readlink(path)
        reason = f"not read: a symbolic link (to {target!r}); name the file itself to read it"
        yield broken_item(origin, 0, "jsonl", Path(path).parent, reason, os.fsencode(target))
        return
    base_dir = Path.cwd() if path == "-" else Path(path).resolve().parent
    if fmt in ("warc", "cdr", "twitter", "mastodon", "mixed"):
        from lantern.sources.formats import page_reader

        items = page_reader(fmt)(path, base_dir)
    else:
        items = (read_csv if fmt == "csv" else read_jsonl)(path, base_dir)
    for item in guarded(items, origin, fmt, base_dir):
        yield item
        if origin in stopped:
            return


def input_size(path: str) -> int | None:
    """Bytes to read, for progress bars (None for stdin and compressed files)."""
    if path == "-" or Path(path).suffix.lower() in COMPRESSED:
        return None
    try:
        return Path(path).stat().st_size
    except OSError:
        return None
