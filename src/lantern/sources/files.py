"""Reading JSONL and CSV record files (plain or gzipped), whole folders, and stdin.

Readers yield the raw bytes of each record exactly as it was in the file, with the file and line it came
from, and decode nothing they cannot decode: a line that is not UTF-8 is handed on with its bytes so
that ingest can quarantine it verbatim instead of losing it.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

MAX_LINE_BYTES = 16 * 1024 * 1024
"""Lines longer than this are never held whole in memory: they are quarantined from a bounded prefix."""

KEPT_PREFIX_BYTES = 1024 * 1024

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
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
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


def open_binary(path: str) -> BinaryIO:
    """The file's bytes (gunzipped for ``.gz``), or stdin for ``-``."""
    if path == "-":
        return sys.stdin.buffer
    if path.lower().endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


def _strip_eol(line: bytes) -> bytes:
    if line.endswith(b"\r\n"):
        return line[:-2]
    if line.endswith(b"\n") or line.endswith(b"\r"):
        return line[:-1]
    return line


def _physical_lines(handle: BinaryIO) -> Iterator[tuple[bytes, bool, int, str]]:
    """Yield (line, complete, size, sha256) for each physical line, bounding memory on huge lines.

    For a line over MAX_LINE_BYTES only its first KEPT_PREFIX_BYTES are kept; its full size and
    SHA-256 are still computed so the quarantine entry proves what was there.
    """
    while True:
        chunk = handle.readline(MAX_LINE_BYTES)
        if not chunk:
            return
        if len(chunk) < MAX_LINE_BYTES or chunk.endswith(b"\n"):
            yield chunk, True, len(chunk), ""
            continue
        digest = hashlib.sha256(chunk)
        size = len(chunk)
        prefix = chunk[:KEPT_PREFIX_BYTES]
        while not chunk.endswith(b"\n"):
            chunk = handle.readline(MAX_LINE_BYTES)
            if not chunk:
                break
            digest.update(chunk)
            size += len(chunk)
        yield prefix, False, size, digest.hexdigest()


def read_jsonl(path: str, base_dir: Path) -> Iterator[RawItem]:
    """One RawItem per non-blank line."""
    origin = "<stdin>" if path == "-" else path
    with open_binary(path) as handle:
        for number, (chunk, complete, size, digest) in enumerate(_physical_lines(handle), start=1):
            if not complete:
                yield RawItem(
                    origin,
                    number,
                    chunk,
                    "jsonl",
                    base_dir,
                    raw_size=size,
                    raw_sha256=digest,
                    truncated=True,
                    problem=("record", f"line is {size} bytes, over the {MAX_LINE_BYTES}-byte limit"),
                )
                continue
            raw = _strip_eol(chunk)
            if raw.strip():
                yield RawItem(origin, number, raw, "jsonl", base_dir)


class _LineFeeder:
    """Feeds decoded physical lines to ``csv.reader`` and remembers the raw bytes of the current row."""

    def __init__(self, handle: BinaryIO) -> None:
        self._lines = _physical_lines(handle)
        self.line_number = 0
        self.row_raw: list[bytes] = []
        self.row_problem: tuple[str, str] | None = None

    def start_row(self) -> None:
        self.row_raw = []
        self.row_problem = None

    def __iter__(self) -> _LineFeeder:
        return self

    def __next__(self) -> str:
        chunk, complete, size, _digest = next(self._lines)
        self.line_number += 1
        self.row_raw.append(chunk)
        if not complete:
            self.row_problem = ("record", f"line is {size} bytes, over the {MAX_LINE_BYTES}-byte limit")
            return "\n"
        try:
            return chunk.decode("utf-8")
        except UnicodeDecodeError as error:
            self.row_problem = ("record", f"invalid UTF-8 at byte {error.start}")
            return chunk.decode("utf-8", "replace")


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
            first_line = feeder.line_number + 1
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                yield RawItem(
                    origin,
                    first_line,
                    b"".join(feeder.row_raw),
                    "csv",
                    base_dir,
                    problem=("record", f"unreadable CSV: {error}"),
                )
                continue
            raw = _strip_eol(b"".join(feeder.row_raw))
            if not raw.strip():
                continue
            problem = feeder.row_problem
            if problem is None and len(values) != len(header):
                problem = ("record", f"row has {len(values)} columns, the header has {len(header)}")
            row = None if problem else dict(zip(header, values, strict=True))
            yield RawItem(origin, first_line, raw, "csv", base_dir, row=row, problem=problem)


def read_items(path: str, fmt: str) -> Iterator[RawItem]:
    """Raw items of one input; image paths resolve relative to the file's folder (stdin: the cwd)."""
    base_dir = Path.cwd() if path == "-" else Path(path).resolve().parent
    if fmt in ("warc", "cdr", "twitter", "mastodon"):
        from lantern.sources.formats import page_reader

        return page_reader(fmt)(path, base_dir)
    reader = read_csv if fmt == "csv" else read_jsonl
    return reader(path, base_dir)


def input_size(path: str) -> int | None:
    """Bytes to read, for progress bars (None for stdin and compressed files)."""
    if path == "-" or path.lower().endswith(".gz"):
        return None
    try:
        return Path(path).stat().st_size
    except OSError:
        return None
