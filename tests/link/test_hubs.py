"""Hub suppression: boilerplate and stock evidence must not merge unrelated posters."""

from __future__ import annotations

from lantern.link import LinkConfig, Linker

from .helpers import TEMPLATE, doc, flip, phone

STOCK = "96e1c38f1e3c78f0"


def test_boilerplate_phone_in_most_of_a_sites_ads_is_suppressed_and_reported() -> None:
    docs = []
    for poster in range(6):
        for ad in range(5):
            n = poster * 5 + ad
            extra = [phone(99)] if n < 25 else []
            docs.append(doc(f"site:{n}", phones=[phone(poster), *extra]))
    result = Linker().add(docs)
    assert sorted(n.records for n in result.networks()) == [5] * 6
    (hub,) = result.suppressed_hubs
    assert (hub.kind, hub.value, hub.reason) == ("phone", phone(99), "boilerplate")
    assert hub.records == 25 and hub.other_identifiers == 5 and hub.top_source == "site"
    assert hub.top_source_share == round(25 / 30, 4)
    assert "boilerplate" in hub.describe()


def test_operator_phone_on_many_ads_is_not_a_hub() -> None:
    docs = [doc(f"s:{i}", phones=[phone(1)], emails=[f"op{i % 2}@example.com"]) for i in range(40)]
    result = Linker().add(docs)
    assert result.suppressed_hubs == []
    assert [n.records for n in result.networks()] == [40]


def test_stock_image_used_by_unrelated_posters_is_suppressed() -> None:
    docs = []
    for poster in range(6):
        for ad in range(2):
            docs.append(doc(f"s:{poster}-{ad}", phones=[phone(poster)], image_phashes=[flip(STOCK, ad)]))
    result = Linker().add(docs)
    assert sorted(n.records for n in result.networks()) == [2] * 6
    hubs = result.suppressed_hubs
    assert [h.kind for h in hubs] == ["image"] and hubs[0].reason == "diverse"
    assert hubs[0].records == 12 and hubs[0].other_identifiers == 6
    assert result.explain("s:0-0", "s:1-0") is None


def test_stock_text_copied_by_unrelated_posters_is_suppressed() -> None:
    docs = [
        doc(f"s:{i}", phones=[phone(i)], text=TEMPLATE.format(name="friend", city="town")) for i in range(12)
    ]
    result = Linker().add(docs)
    assert result.networks() == []
    assert [h.kind for h in result.suppressed_hubs] == ["text"]


def test_never_hub_keeps_confirmed_identifier() -> None:
    docs = [doc(f"site:{i}", phones=[phone(i % 6), phone(99)]) for i in range(30)]
    assert Linker().add(docs).networks() != []  # diverse -> suppressed, six posters
    kept = Linker(LinkConfig(never_hub=frozenset({f"phone:{phone(99)}"}))).add(docs)
    assert [n.records for n in kept.networks()] == [30]


def test_evidence_becoming_a_hub_later_splits_only_what_it_joined() -> None:
    linker = Linker()
    first = [
        doc(f"s:{p}-{a}", day=1 + p, phones=[phone(p)], image_phashes=[STOCK])
        for p in range(3)
        for a in range(2)
    ]
    r1 = linker.add(first)
    assert [n.records for n in r1.networks()] == [6]
    old_id = r1.network_of("s:0-0")
    later = [
        doc(f"s:{p}-{a}", day=10 + p, phones=[phone(p)], image_phashes=[STOCK])
        for p in range(3, 7)
        for a in range(2)
    ]
    r2 = linker.add(later)
    assert sorted(n.records for n in r2.networks()) == [2] * 7
    assert r2.network_of("s:0-0") == old_id  # the piece with the founder keeps the name
    assert r2.report.new_hubs and r2.report.new_hubs[0].kind == "image"
    assert r2.report.splits and r2.report.splits[0][0] == old_id


def test_spread_counts_the_same_whether_it_sorts_or_marks(monkeypatch) -> None:
    """A large group's distinct contacts are counted by marking a table, a small one's by sorting: every
    group of a world with hubs gets the same spread, and so the same hubs and networks, either way."""
    import numpy as np

    from lantern.link.evidence import identifiers as identifiers_module

    def world() -> list:
        docs = []
        for n in range(300):
            poster = n % 40
            docs.append(doc(f"site:{n}", day=1 + n % 28, phones=[phone(poster), phone(90 + n % 3)],
                            emails=[f"p{poster}@example.com"] if n % 4 == 0 else []))  # fmt: skip
        return docs

    def outcome(ratio: int) -> tuple:
        monkeypatch.setattr(identifiers_module, "SPREAD_MARK_RATIO", ratio)
        linker = Linker()
        result = linker.add(world())
        ids = linker.identifiers
        groups = [np.flatnonzero(ids.doc_idents == i) for i in range(len(ids.ident_names))]
        spreads = [ids.spread(np.searchsorted(ids.doc_ptr, g, side="right") - 1, i) for i, g in
                   enumerate(groups)]  # fmt: skip
        hubs = sorted((h.value, h.other_identifiers) for h in result.suppressed_hubs)
        return spreads, hubs, sorted(n.records for n in result.networks())

    marking, sorting = outcome(10**9), outcome(0)  # the table always, sorting always
    assert sorting == marking
    assert len(sorting[1]) == 3  # the three shared numbers are hubs


def test_hub_judged_on_a_young_site_is_released_as_the_site_grows() -> None:
    """Whether evidence links must not depend on how records were batched: an operator's phone in most of
    a new site's first ads looks like boilerplate, but once the site has grown it is in under a quarter of
    its ads, and linking everything at once keeps it. The later batch never mentions the phone again."""
    first = [doc(f"board:op{i}", day=1 + i % 5, phones=[phone(1)], emails=[f"op{i % 5}@example.com"])
             for i in range(20)]  # fmt: skip
    first += [doc(f"board:other{i}", day=2, phones=[phone(50 + i)]) for i in range(4)]
    later = [doc(f"board:later{i}", day=10 + i % 10, phones=[phone(10 + i // 2)]) for i in range(60)]

    linker = Linker()
    r1 = linker.add(first)
    assert [(h.value, h.reason) for h in r1.suppressed_hubs] == [(phone(1), "boilerplate")]
    assert sorted(n.records for n in r1.networks()) == [4] * 5  # held together by the rotating emails only
    first_name = r1.network_of("board:op0")

    r2 = linker.add(later)
    assert r2.report.released_hubs == [("phone", phone(1))]
    assert r2.suppressed_hubs == []
    assert r2.network_of("board:op0") == r2.network_of("board:op19") == first_name
    assert r2.report.merges and r2.report.merges[0][0] == first_name

    at_once = Linker().add(first + later)
    assert sorted(n.records for n in r2.networks()) == sorted(n.records for n in at_once.networks())
    assert at_once.suppressed_hubs == []
