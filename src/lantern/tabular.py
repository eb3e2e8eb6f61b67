"""Cells that a spreadsheet shows as text: the one writer for every CSV (and XLSX) Lantern produces.

Ad text is written by adversaries. A cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or a line
break, which spreadsheets skip before such a character) is read by Excel, LibreOffice and Google Sheets
as a formula: ``=HYPERLINK(...)`` becomes a live link and ``=cmd|...`` a command (OWASP, "CSV
Injection"). :func:`safe_cell` prefixes such text with an apostrophe, which every spreadsheet takes as
"text follows" and hides; numbers and booleans stay numbers. CSV files start with a UTF-8 byte-order
mark so that Excel reads accents and scripts other than Latin correctly.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import IO, Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
"""Leading characters that make a spreadsheet evaluate a cell (the full-width forms are folded first)."""

_FULLWIDTH = str.maketrans({"＝": "=", "＋": "+", "－": "-", "＠": "@"})

BOM = "\ufeff"


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet could take ``text`` for a formula."""
    return text[:1].translate(_FULLWIDTH) in FORMULA_STARTS


def safe_cell(value: Any) -> Any:
    """``value`` as a spreadsheet cell that shows what it says: text that could run as a formula is
    prefixed with ``'``; ``None`` is empty; numbers and booleans pass unchanged; dates are ISO 8601."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = value if isinstance(value, str) else str(value)
    return "'" + text if text and is_formula_like(text) else text


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in values]


class SafeCsvWriter:
    """A ``csv.writer`` whose every cell goes through :func:`safe_cell`; writes the BOM first if asked."""

    def __init__(self, out: IO[str], *, bom: bool = True) -> None:
        if bom:
            out.write(BOM)
        self._writer = csv.writer(out)

    def writerow(self, values: Iterable[Any]) -> None:
        self._writer.writerow(safe_row(values))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def write_csv(out: IO[str], header: Sequence[str], rows: Iterable[Iterable[Any]], *, bom: bool = True) -> int:
    """Write ``header`` and ``rows`` formula-safe; returns the number of data rows written."""
    writer = SafeCsvWriter(out, bom=bom)
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count
