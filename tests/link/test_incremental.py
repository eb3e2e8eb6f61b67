"""Stable network ids, incremental adds, merges, state round trips."""

from __future__ import annotations

import random

import pytest

from lantern.link import Linker, StaleResultError

from .helpers import TEMPLATE, doc, flip, phone


def corpus() -> list:
    docs = []
    for op in range(8):
        for ad in range(4):
            day = 1 + op + ad * 3
            fields = {"phones": [phone(op)]} if ad % 2 == 0 else {"emails": [f"op{op}@example.com"]}
            if ad == 1:
                fields["emails"] = [f"op{op}@example.com"]
                fields["phones"] = [phone(op)]
            docs.append(
                doc(
                    f"s:{op}-{ad}",
                    day=day,
                    city=f"City{ad}",
                    **fields,
                    text=TEMPLATE.format(name=f"n{op}{ad}", city="x"),
                )
            )
    for i in range(10):
        docs.append(
            doc(
                f"noise:{i}",
                day=5,
                phones=[phone(50 + i)],
                image_phashes=[flip("0f0f0f0f0f0f0f0f", 0)[:-2] + f"{i * 17:02x}"],
            )
        )
    docs.sort(key=lambda d: (d.posted_at, d.key))
    return docs


def test_ids_stable_across_rerun_and_input_order() -> None:
    docs = corpus()
    first = {r["id"]: r["cluster"] for r in Linker().add(docs).export()}
    shuffled = list(docs)
    random.Random(3).shuffle(shuffled)
    second = {r["id"]: r["cluster"] for r in Linker().add(shuffled).export()}
    assert first == second


def test_incremental_add_equals_full_run() -> None:
    docs = corpus()
    full = {r["id"]: r["cluster"] for r in Linker().add(docs).export()}
    linker = Linker()
    for start in range(0, len(docs), 7):
        result = linker.add(docs[start : start + 7])
    assert {r["id"]: r["cluster"] for r in result.export()} == full


def test_state_round_trip_continues_identically() -> None:
    docs = corpus()
    half = len(docs) // 2
    a = Linker()
    a.add(docs[:half])
    restored = Linker.from_state(a.state())
    ra = a.add(docs[half:])
    rb = restored.add(docs[half:])
    assert list(ra.export()) == list(rb.export())


def test_incremental_add_merges_two_networks_keeping_older_id() -> None:
    linker = Linker()
    r1 = linker.add(
        [
            doc("s:a1", day=1, phones=[phone(1)]),
            doc("s:a2", day=2, phones=[phone(1)]),
            doc("s:b1", day=3, phones=[phone(2)]),
            doc("s:b2", day=4, phones=[phone(2)]),
            doc("s:b3", day=5, phones=[phone(2)]),
        ]
    )
    older, larger = r1.network_of("s:a1"), r1.network_of("s:b1")
    assert older != larger
    r2 = linker.add([doc("s:bridge", day=6, phones=[phone(1), phone(2)])])
    assert {r2.network_of(k) for k in ("s:a1", "s:b3", "s:bridge")} == {older}
    assert r2.report.merges == [(older, [larger])]
    changed = {key for key, _, _ in r2.report.changes}
    assert changed == {"s:b1", "s:b2", "s:b3", "s:bridge"}


def test_readding_a_key_is_skipped_and_old_results_go_stale() -> None:
    linker = Linker()
    r1 = linker.add([doc("s:1", phones=[phone(1)])])
    r2 = linker.add([doc("s:1", phones=[phone(2)])])
    assert r2.report.skipped == ["s:1"] and r2.report.added == 0
    with pytest.raises(StaleResultError):
        r1.network_of("s:1")
