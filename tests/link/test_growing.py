"""The linker's append-only arrays: rows come back in order, in place, whatever the growth steps."""

from __future__ import annotations

import numpy as np

from lantern.link.growing import GrowingRows


def test_rows_appended_in_batches_read_back_as_one_array() -> None:
    rows = GrowingRows(np.zeros((0, 3), dtype=np.uint32))
    expected = []
    for batch in range(40):
        block = np.full((batch * 37 % 500, 3), batch, dtype=np.uint32)
        rows.append(block)
        expected.append(block)
        assert np.array_equal(rows.array, np.concatenate(expected))
    assert rows.array.shape == (sum(len(b) for b in expected), 3)


def test_a_view_taken_before_an_append_keeps_its_rows() -> None:
    rows = GrowingRows(np.array([True, False]))
    before = rows.array
    rows.append(np.ones(5000, dtype=bool))
    assert before.tolist() == [True, False]
    assert rows.array[:2].tolist() == [True, False] and rows.array[2:].all()


def test_a_restored_linker_appends_after_the_rows_it_was_given() -> None:
    from lantern.link import Linker

    text = Linker().text
    text.text_ok = np.array([True, False, True])  # as load_state restores it
    text._text_ok.append(np.array([False]))
    assert text.text_ok.tolist() == [True, False, True, False]
