"""Each evidence type links what it should and nothing else."""

from __future__ import annotations

from lantern.link import LinkConfig, Linker, phone_union_find

from .helpers import TEMPLATE, doc, flip, phone

IMG = "c3a5f00f0ff0a5c3"


def test_shared_phone_links_and_unshared_does_not() -> None:
    result = Linker().add(
        [doc("s:1", phones=[phone(1)]), doc("s:2", phones=[phone(1)]), doc("s:3", phones=[phone(2)])]
    )
    assert result.network_of("s:1") == result.network_of("s:2")
    assert result.network_of("s:3") != result.network_of("s:1")
    assert [n.records for n in result.networks()] == [2]


def test_email_handle_payment_and_sha256_link() -> None:
    result = Linker().add(
        [
            doc("s:1", emails=["Ann@Example.com"]),
            doc("s:2", emails=["ann@example.com"], handles=["Instagram:Ann_1"]),
            doc("s:3", handles=["instagram:ann_1"], payments=["bitcoin:1BoatSLRHtKNngkdXEeobR76b53LETtpyT"]),
            doc("s:4", payments=["bitcoin:1BoatSLRHtKNngkdXEeobR76b53LETtpyT"], image_sha256=["ab" * 32]),
            doc("s:5", image_sha256=["AB" * 32]),
        ]
    )
    assert len({result.network_of(f"s:{i}") for i in range(1, 6)}) == 1


def test_near_duplicate_image_within_radius_links_outside_does_not() -> None:
    result = Linker(LinkConfig(hamming_radius=4)).add(
        [
            doc("s:1", image_phashes=[IMG]),
            doc("s:2", image_phashes=[flip(IMG, 4)]),
            doc("s:3", image_phashes=[flip(IMG, 9)]),
        ]
    )
    assert result.network_of("s:1") == result.network_of("s:2")
    assert result.network_of("s:3") != result.network_of("s:1")
    hops = result.explain("s:1", "s:2")
    assert hops is not None and hops[0].evidence == "image phash distance 4"


def test_image_only_operator_links() -> None:
    result = Linker().add([doc(f"s:{i}", image_phashes=[flip(IMG, i % 3)]) for i in range(4)])
    assert len({result.network_of(f"s:{i}") for i in range(4)}) == 1


def test_text_only_operator_links_and_reports_template_with_slots() -> None:
    names = [("Anna", "Houston"), ("Bella", "Dallas"), ("Cara", "Austin")]
    docs = [doc(f"s:{i}", text=TEMPLATE.format(name=n, city=c)) for i, (n, c) in enumerate(names)]
    docs.append(
        doc(
            "s:9",
            text="A completely different text about a bicycle for sale, blue frame, good tyres, "
            "pick up only on weekends near the station please",
        )
    )
    result = Linker().add(docs)
    assert len({result.network_of(f"s:{i}") for i in range(3)}) == 1
    assert result.network_of("s:9") != result.network_of("s:0")
    template = result.template_of("s:0")
    assert template is not None
    assert template.template.startswith("hello my name is <slot> and i am visiting <slot> this week only")
    assert template.slots[0] == ["anna", "bella", "cara"]
    assert template.slots[1] == ["houston", "dallas", "austin"]
    assert result.template(template.id).members == template.members
    # Looked up among the network's records (what a network page does), or among records outside the
    # template, which falls back to naming every text group: the same template either way.
    assert result.template(template.id, network_id=result.network_of("s:0")) == template
    assert result.template(template.id, network_id=result.network_of("s:9")) == template
    assert result.template(template.id, network_id="N-none") == template
    hop = result.explain("s:0", "s:1")[0]
    assert hop.kind == "text" and template.id in hop.evidence and hop.score >= 0.6
    assert result.template_of("s:9") is None


def test_ablation_phones_only_ignores_other_evidence() -> None:
    docs = [doc("s:1", phones=[phone(1)], emails=["a@example.com"]), doc("s:2", emails=["a@example.com"])]
    assert Linker(LinkConfig.ablation("phones")).add(docs).networks() == []
    assert len(Linker(LinkConfig.ablation("contacts")).add(docs).networks()) == 1


def test_names_never_link() -> None:
    result = Linker().add([doc("s:1", names=["Anna"]), doc("s:2", names=["anna"])])
    assert result.networks() == []


def test_phone_union_find_baseline_has_no_hub_suppression() -> None:
    docs = [doc(f"s:{i}", phones=[phone(99), phone(i)]) for i in range(30)]
    clusters = phone_union_find(docs)
    assert set(clusters.values()) == {"s:0"}


def test_export_shape() -> None:
    result = Linker().add([doc("site:a1", phones=[phone(1)]), doc("site:a2", phones=[phone(1)])])
    rows = list(result.export())
    assert rows[0]["source"] == "site" and rows[0]["id"] == "a1"
    assert rows[0]["cluster"] == rows[1]["cluster"] == result.network_of("site:a1")
