"""Explanations and network summaries."""

from __future__ import annotations

from lantern.link import Linker

from .helpers import TEMPLATE, doc, flip, phone

IMG = "00ff00ff00ff00ff"


def test_explain_returns_shortest_kept_path() -> None:
    result = Linker().add(
        [
            doc("s:a", phones=[phone(1)]),
            doc("s:b", phones=[phone(1)], emails=["b@example.com"]),
            doc("s:c", emails=["b@example.com"], image_phashes=[IMG]),
            doc("s:d", image_phashes=[flip(IMG, 2)]),
            doc("s:e", phones=[phone(3)]),
        ]
    )
    hops = result.explain("s:a", "s:d")
    assert [str(h) for h in hops] == [
        f"s:a –[phone {phone(1)}]– s:b",
        "s:b –[email b@example.com]– s:c",
        "s:c –[image phash distance 2]– s:d",
    ]
    assert result.explain("s:a", "s:e") is None
    assert result.explain("s:a", "s:a") == []


def test_explain_prefers_the_direct_hop() -> None:
    result = Linker().add(
        [
            doc("s:a", phones=[phone(1)], emails=["z@example.com"]),
            doc("s:b", phones=[phone(1)]),
            doc("s:c", phones=[phone(2)], emails=["z@example.com"]),
            doc("s:d", phones=[phone(2)]),
        ]
    )
    assert len(result.explain("s:a", "s:c")) == 1
    assert len(result.explain("s:b", "s:d")) == 3


def test_paths_from_one_record_match_the_paths_one_by_one() -> None:
    """A network page explains its first members with one search from the founder: the same paths as
    explaining each member alone, over every kind of evidence; nothing for other networks or unknown
    records; and a bounded search leaves the members it did not reach for on-demand explanation."""
    chain = [doc(f"s:{i}", phones=[phone(i), phone(i + 1)]) for i in range(10)]  # s:0 - s:1 - ... - s:9
    result = Linker().add(
        [
            *chain,
            doc("s:img", phones=[phone(9)], image_phashes=[IMG]),
            doc("s:near", image_phashes=[flip(IMG, 3)], text=TEMPLATE.format(name="Ana", city="Reno")),
            doc("s:twin", text=TEMPLATE.format(name="Bea", city="Reno")),
            doc("t:other", phones=[phone(50)]),
        ]
    )
    keys = [f"s:{i}" for i in range(10)] + ["s:img", "s:near", "s:twin", "t:other", "s:unknown"]
    one_by_one = {key: result.explain("s:0", key) for key in keys if key != "s:unknown"}
    together = result.explain_from("s:0", keys)
    assert together == {**one_by_one, "s:unknown": None}
    assert [h.kind for h in together["s:twin"]] == ["phone"] * 9 + ["image", "text"]
    assert together["t:other"] is None and together["s:0"] == []

    bounded = result.explain_from("s:0", keys, max_expanded=3)  # expands s:0, s:1, s:2
    assert {key for key, hops in bounded.items() if hops is not None} == {"s:0", "s:1", "s:2", "s:3"}
    assert bounded["s:3"] == one_by_one["s:3"]


def test_summary_and_itinerary_ordering() -> None:
    result = Linker().add(
        [
            doc("s:1", day=10, city="Dallas", phones=[phone(1)], names=["Anna"]),
            doc("s:2", day=2, city="Houston", phones=[phone(1)], image_phashes=[IMG]),
            doc("t:3", day=5, city="Houston", phones=[phone(1)], handles=["twitter:ann"]),
            doc("t:4", day=20, city="Austin", phones=[phone(1)], emails=["a@example.com"]),
            doc("t:5", day=12, city="Dallas", phones=[phone(1)]),
        ]
    )
    summary = result.summary(result.network_of("s:1"))
    assert summary.records == ["s:2", "t:3", "s:1", "t:5", "t:4"]
    assert summary.phones == [phone(1)] and summary.names == ["anna"]
    assert summary.handles == ["twitter:ann"] and summary.emails == ["a@example.com"]
    assert summary.images == [IMG] and summary.sites == ["s", "t"]
    assert summary.first_seen == "2024-01-02T12:00:00Z" and summary.last_seen == "2024-01-20T12:00:00Z"
    assert [(s.city, s.first_seen[:10], s.last_seen[:10], s.records) for s in summary.itinerary] == [
        ("Houston", "2024-01-02", "2024-01-05", 2),
        ("Dallas", "2024-01-10", "2024-01-12", 2),
        ("Austin", "2024-01-20", "2024-01-20", 1),
    ]
