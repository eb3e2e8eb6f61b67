"""Splitting a byte stream into physical lines, the way every line-based reader counts them.

* ``\\n``, ``\\r\\n`` and a bare ``\\r`` each end a line (universal newlines, as editors number lines):
  a file written with bare CR endings is as many records as it has lines, not one.
* A run of empty lines comes back as one :class:`Line` marked ``blank`` with the number of lines it
  covers, counted in C: a compressed file of nothing but newlines expands to hundreds of millions of
  them, and a Python step per line would spend minutes on nothing.
* A line longer than ``MAX_LINE_BYTES`` is never held whole: only its first ``KEPT_PREFIX_BYTES`` are
  kept, with the full size and SHA-256 so a quarantine entry still proves what was there.
* A UTF-8 byte order mark at the very start of the stream marks the encoding and is not content: it is
  dropped, so line 1 reads like any other.

Written by hand because ``readline`` knows only ``\\n`` and ``io.TextIOWrapper`` decodes (it would lose
the exact bytes a quarantine keeps).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

MAX_LINE_BYTES = 16 * 1024 * 1024
"""Lines longer than this are never held whole in memory: they are quarantined from a bounded prefix."""

KEPT_PREFIX_BYTES = 1024 * 1024
BLOCK = 1024 * 1024
BOM = b"\xef\xbb\xbf"

_BLANKS = re.compile(rb"[\r\n]+")


@dataclass(slots=True)
class Line:
    """One physical line (``data`` with its terminator), or a run of blank lines (``blank``).

    ``number`` is the line's number (the first, for a run); ``count`` how many lines it covers. When
    ``complete`` is false the line was over the limit: ``data`` is its prefix, ``size`` and ``sha256``
    describe all of it.
    """

    number: int
    data: bytes
    count: int = 1
    blank: bool = False
    complete: bool = True
    size: int = 0
    sha256: str = ""


def _line_count(run: bytes) -> int:
    return run.count(b"\n") + run.count(b"\r") - run.count(b"\r\n")


class _Buffer:
    """Bytes read ahead of the current position, refilled a block at a time."""

    def __init__(self, handle: BinaryIO) -> None:
        self._read = getattr(handle, "read1", handle.read)
        self.data = b""
        self.pos = 0
        self.eof = False

    def fill(self) -> bool:
        """Read another block onto what is left; False at the end of the stream."""
        if self.eof:
            return False
        more = self._read(BLOCK)
        if not more:
            self.eof = True
            return False
        self.data = self.data[self.pos :] + more
        self.pos = 0
        return True

    def whole_lines(self) -> bytes:
        """Take the complete lines buffered (b"" when there is none yet). A CR at the very end of what
        was read stays behind: it may be the first half of a CRLF."""
        data, pos = self.data, self.pos
        if pos >= len(data):
            return b""
        newline, carriage = data.rfind(b"\n", pos), data.rfind(b"\r", pos)
        if self.eof:
            cut = len(data)
        elif carriage > newline:
            if carriage + 1 < len(data):
                cut = carriage + 1
            else:  # the lines before the one this CR may end
                cut = max(newline + 1, data.rfind(b"\r", pos, carriage) + 1)
        else:
            cut = newline + 1
        if cut <= pos:
            return b""
        self.pos = cut
        return data[pos:cut]

    def pending(self) -> int:
        return len(self.data) - self.pos


def physical_lines(handle: BinaryIO) -> Iterator[Line]:
    """Every physical line of ``handle`` in order (see the module docstring)."""
    buffer = _Buffer(handle)
    while len(buffer.data) < len(BOM) and buffer.fill():
        pass
    if buffer.data.startswith(BOM):
        buffer.pos = len(BOM)
    number = 1
    while True:
        whole = buffer.whole_lines()
        if whole:
            terminators = whole.count(b"\n") + whole.count(b"\r")
            if terminators * 16 < len(whole) and len(whole) <= MAX_LINE_BYTES:
                for data in whole.splitlines(True):  # bytes split only at \n, \r\n and \r
                    yield Line(number, data, 1, data[0] in (0x0A, 0x0D))
                    number += 1
            else:  # many blank lines, or a line over the limit among them
                for line in _dense_lines(whole, number):
                    yield line
                    number += line.count
            continue
        if buffer.pending() > MAX_LINE_BYTES:
            yield _over_long(buffer, number)
            number += 1
        elif not buffer.fill() and buffer.pending() == 0:
            return


def _dense_lines(whole: bytes, number: int) -> Iterator[Line]:
    """The lines of complete-line bytes, with runs of blank lines counted in C."""
    pos = 0
    while pos < len(whole):
        if whole[pos] in (0x0A, 0x0D):
            run = whole[pos : _BLANKS.match(whole, pos).end()]  # type: ignore[union-attr]
            count = _line_count(run)
            yield Line(number, run, count=count, blank=True)
            number += count
            pos += len(run)
            continue
        newline = whole.find(b"\n", pos)
        carriage = whole.find(b"\r", pos, newline if newline >= 0 else len(whole))
        if carriage >= 0:
            end = carriage + 2 if whole[carriage + 1 : carriage + 2] == b"\n" else carriage + 1
        else:
            end = newline + 1 if newline >= 0 else len(whole)
        data = whole[pos:end]
        if len(data) > MAX_LINE_BYTES:
            yield Line(
                number,
                data[:KEPT_PREFIX_BYTES],
                complete=False,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
            )
        else:
            yield Line(number, data)
        number += 1
        pos = end


def _over_long(buffer: _Buffer, number: int) -> Line:
    """Consume a line over MAX_LINE_BYTES that has no end in sight, keeping its prefix, size and SHA-256."""
    prefix = buffer.data[buffer.pos : buffer.pos + KEPT_PREFIX_BYTES]
    digest = hashlib.sha256()
    size = 0
    while True:
        data, pos = buffer.data, buffer.pos
        newline = data.find(b"\n", pos)
        carriage = data.find(b"\r", pos, newline if newline >= 0 else len(data))
        end = -1
        if carriage >= 0 and (carriage + 1 < len(data) or buffer.eof):
            end = carriage + 2 if data[carriage + 1 : carriage + 2] == b"\n" else carriage + 1
        elif carriage < 0 and newline >= 0:
            end = newline + 1
        elif buffer.eof:
            end = len(data)
        if end >= 0:
            digest.update(data[pos:end])
            size += end - pos
            buffer.pos = end
            return Line(number, prefix, complete=False, size=size, sha256=digest.hexdigest())
        keep = 1 if data.endswith(b"\r") else 0  # half a CRLF stays for the next look
        digest.update(data[pos : len(data) - keep])
        size += len(data) - keep - pos
        buffer.pos = len(data) - keep
        buffer.fill()


def strip_eol(line: bytes) -> bytes:
    """A line without its terminator (a line has one at most: ``\r\n``, ``\n`` or ``\r``)."""
    return line.rstrip(b"\r\n")
