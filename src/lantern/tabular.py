"""Cells that a spreadsheet shows as text: the one writer for every CSV (and XLSX) Lantern produces.

Ad text is written by adversaries. A cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or a line
break, which spreadsheets skip before such a character) is read by Excel, LibreOffice and Google Sheets
as a formula: ``=HYPERLINK(...)`` becomes a live link and ``=cmd|...`` a command (OWASP, "CSV
Injection"). :func:`safe_cell` prefixes such text with an apostrophe, which every spreadsheet takes as
"text follows" and hides; numbers and booleans stay numbers. CSV files start with a UTF-8 byte-order
mark so that Excel reads accents and scripts other than Latin correctly.

XLSX has a cell type for text, so :func:`write_xlsx` stores such text as it is, typed as a string and marked
with the ``quotePrefix`` style Excel itself sets when a user types ``'=``: nothing runs and nothing is added
to the value. It drops the control characters XML cannot carry (shown as U+FFFD) and cuts text at Excel's
32,767 characters a cell, saying so in the cell.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
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


XLSX_MAX_CELL = 32_767
"""Characters Excel keeps in one cell."""
_TRUNCATED = " …[cut at 32,767 characters]"
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xlsx_value(value: Any) -> tuple[Any, bool]:
    """``value`` as an XLSX cell value, and whether it is text a spreadsheet could take for a formula."""
    if value is None:
        return None, False
    if isinstance(value, bool | int | float):
        return value, False
    if isinstance(value, datetime | date):
        return value.isoformat(), False
    text = _XML_ILLEGAL.sub("\ufffd", value if isinstance(value, str) else str(value))
    if len(text) > XLSX_MAX_CELL:
        text = text[: XLSX_MAX_CELL - len(_TRUNCATED)] + _TRUNCATED
    return text, bool(text) and is_formula_like(text)


def write_xlsx(
    out: str | Path | IO[bytes],
    header: Sequence[str],
    rows: Iterable[Iterable[Any]],
    *,
    sheet: str = "records",
) -> int:
    """Write ``header`` and ``rows`` as one sheet of an XLSX workbook, every text cell inert; returns the
    number of data rows. Streams (openpyxl's write-only mode), so memory does not grow with the rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet[:31])
    worksheet.freeze_panes = "A2"

    def cell(value: Any) -> WriteOnlyCell:
        shown, formula_like = xlsx_value(value)
        made = WriteOnlyCell(worksheet, value=shown)
        if isinstance(shown, str):
            made.data_type = "s"
            made.quotePrefix = formula_like
        return made

    worksheet.append([cell(name) for name in header])
    count = 0
    for row in rows:
        worksheet.append([cell(value) for value in row])
        count += 1
    workbook.save(out)
    return count
