"""Every CSV cell Lantern writes shows as text in a spreadsheet, whatever an ad put in it."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from lantern.tabular import BOM, is_formula_like, safe_cell, write_csv

HOSTILE = [
    '=HYPERLINK("http://example.com/x","click")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_text_that_a_spreadsheet_would_evaluate_is_quoted(text: str) -> None:
    cell = safe_cell(text)
    assert cell == "'" + text
    assert not is_formula_like(cell)


def test_ordinary_values_pass_unchanged() -> None:
    assert safe_cell("Houston, TX") == "Houston, TX"
    assert safe_cell(0.68) == 0.68
    assert safe_cell(-3) == -3
    assert safe_cell(None) == ""
    assert safe_cell(True) is True
    assert safe_cell(datetime(2024, 1, 1, 8, tzinfo=UTC)) == "2024-01-01T08:00:00+00:00"


def test_csv_starts_with_a_bom_and_reads_back_as_written_text() -> None:
    out = io.StringIO()
    written = write_csv(out, ["title", "score"], [[HOSTILE[0], 0.5], ["Café ñandú", 1]])
    text = out.getvalue()
    assert written == 2
    assert text.startswith(BOM)
    rows = list(csv.reader(io.StringIO(text.removeprefix(BOM))))
    assert rows[0] == ["title", "score"]
    assert rows[1][0] == "'" + HOSTILE[0]
    assert rows[2] == ["Café ñandú", "1"]
