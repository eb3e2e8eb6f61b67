"""Texts kept packed after loading a saved link state: read one at a time, appended to, saved again."""

from __future__ import annotations

import pytest

from lantern.link import Linker
from lantern.link.linker import dump_state, load_state
from lantern.link.packed import PackedStrings, pack_strings, unpack_strings

from .helpers import TEMPLATE, doc, phone

TEXTS = ["plain", "", "emoji ✨ and accents café", "lone surrogate \ud800 kept", "last"]


def test_packed_strings_read_append_and_pack_like_a_list() -> None:
    packed = PackedStrings(*pack_strings(TEXTS[:3]))
    packed.append(TEXTS[3])
    packed.append(TEXTS[4])
    assert len(packed) == 5 and list(packed) == TEXTS
    assert [packed[i] for i in range(-5, 5)] == TEXTS + TEXTS
    with pytest.raises(IndexError):
        packed[5]
    with pytest.raises(IndexError):
        packed[-6]
    blob, offsets = packed.pack()
    assert unpack_strings(blob, offsets) == TEXTS
    assert [a.tolist() for a in (blob, offsets)] == [a.tolist() for a in pack_strings(TEXTS)]


def test_a_reloaded_state_links_more_and_saves_every_text() -> None:
    """An incremental link: texts loaded packed, new ones appended, the next save holds them all, and
    templates read from the reloaded state are the ones the original linker builds."""
    first = [
        doc(f"s:{i}", phones=[phone(i)], text=TEMPLATE.format(name=f"N{i}", city="Reno")) for i in range(4)
    ]
    later = [doc("s:9", phones=[phone(9)], text=TEMPLATE.format(name="N9", city="Elko"))]
    original = Linker()
    original.add(first)
    restored = load_state(dump_state(original))
    assert isinstance(restored.records.texts, PackedStrings)
    expected = original.add(later)
    result = restored.add(later)
    again = load_state(dump_state(restored))
    assert list(again.records.texts) == list(original.records.texts) == [d.text for d in first + later]
    template = result.template_of("s:0")
    assert template is not None and template == expected.template_of("s:0")
    assert len(template.members) == 5
