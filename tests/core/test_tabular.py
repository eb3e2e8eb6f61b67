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


def test_xlsx_keeps_hostile_text_as_inert_strings_and_numbers_as_numbers(tmp_path) -> None:
    from openpyxl import load_workbook

    from lantern.tabular import XLSX_MAX_CELL, write_xlsx

    path = tmp_path / "out.xlsx"
    rows = [[text, 3, 0.5, None] for text in HOSTILE] + [["bell\x07 and nul\x00", 1, 1.0, "x" * 40_000]]
    assert write_xlsx(path, ["title", "n", "score", "body"], rows) == len(rows)
    sheet = load_workbook(path).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("title", "n", "score", "body")
    for text, row in zip(HOSTILE, sheet.iter_rows(min_row=2, max_row=len(HOSTILE) + 1), strict=True):
        assert (row[0].value, row[0].data_type) == (text, "s")  # the text itself, typed as text
        assert row[0].quotePrefix if is_formula_like(text) else True
        assert (row[1].value, row[2].value, row[3].value) == (3, 0.5, None)
    last = values[-1]
    assert last[0] == "bell\ufffd and nul\ufffd"
    assert len(last[3]) == XLSX_MAX_CELL and last[3].endswith("characters]")
