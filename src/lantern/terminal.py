"""Text from files and records made safe to show on a terminal.

A file name, a quarantine reason or an ad's title comes from whoever made the file. An escape sequence in
it could recolour, hide or rewrite what the operator sees, and a line break could forge a line such as
``read 9: stored 9, revised 0, unchanged 0, quarantined 0``. :func:`printable` shows control characters
(C0, DEL, C1) and the Unicode characters that break lines or reorder text as visible escapes (``\\x1b``,
``\\n``, ``\\u202e``); messages are made from it (``ingest.parse.format_problem``), and the consoles of the
command line (:class:`SafeConsole`) pass everything they print through it, keeping only their own line
breaks. Rich's emoji codes are off too: ``ads.jsonl:100:`` is a file and a line, not an emoji.
"""

from __future__ import annotations

import re
from typing import Any

from rich.console import Console

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_UNSAFE_KEEPING_LINES = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def printable(text: str, limit: int | None = None, *, keep_lines: bool = False) -> str:
    """``text`` with every character that acts on a terminal shown as an escape, cut to ``limit``
    characters (with ``…``); ``keep_lines`` leaves line feeds alone (for a caller's own multi-line text)."""
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    pattern = _UNSAFE_KEEPING_LINES if keep_lines else _UNSAFE
    return pattern.sub(_escape, text)


class SafeConsole(Console):
    """A rich console that prints no control sequence it did not make itself, and no emoji codes."""

    def __init__(self, **options: Any) -> None:
        options.setdefault("emoji", False)
        super().__init__(**options)

    def print(self, *objects: Any, **options: Any) -> None:  # type: ignore[override]
        super().print(
            *(printable(o, keep_lines=True) if isinstance(o, str) else o for o in objects), **options
        )
