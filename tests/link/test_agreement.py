"""The local linker and the Spark job decide alike: one set of cases, each with the outcome an investigator
should see, asserted on both backends.

Each case is a small corpus with the networks it must form (named after their founding record, as both
linkers name them) and the evidence it must suppress as hubs. The ``spark`` run is the same assertion on
``lantern.spark.link.link_docs``, so a rule changed in one linker and not the other fails here.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from lantern.link import LinkConfig, LinkDoc, Linker
from lantern.link.arrays import short_id

from .helpers import TEMPLATE, doc, flip, phone

STOCK = "96e1c38f1e3c78f0"
PHOTO = "c3a5f00f0ff0a5c3"


@dataclass(frozen=True)
class Outcome:
    networks: dict[str, frozenset[str]]
    """Network id -> its records, for networks of two or more."""
    hubs: list[tuple[str, str, str]]
    """(kind, value, reason) of every suppressed hub, most records first."""


Link = Callable[[list[LinkDoc], LinkConfig], Outcome]


def _outcome(assigned: dict[str, str], hubs: list) -> Outcome:
    groups: dict[str, set[str]] = {}
    for key, network in assigned.items():
        groups.setdefault(network, set()).add(key)
    networks = {network: frozenset(keys) for network, keys in groups.items() if len(keys) > 1}
    return Outcome(networks, [(h.kind, h.value, h.reason) for h in hubs])


def _local(docs: list[LinkDoc], config: LinkConfig) -> Outcome:
    ordered = sorted(docs, key=lambda d: (d.posted_at or "", d.key))
    result = Linker(config).add(ordered)
    return _outcome({d.key: result.network_of(d.key) for d in docs}, result.suppressed_hubs)


@pytest.fixture(scope="module")
def spark_session():
    pytest.importorskip("pyspark", reason="PySpark is not installed")
    from lantern.spark.session import get_session

    session = get_session("local[2]", app_name="lantern-agreement", shuffle_partitions=2)
    yield session
    session.stop()


@pytest.fixture(
    params=[
        "local",
        pytest.param(
            "spark",
            marks=[
                pytest.mark.spark,
                pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java 17+"),
            ],
        ),
    ]
)
def link(request: pytest.FixtureRequest) -> Link:
    if request.param == "local":
        return _local
    from lantern.spark.link import link_docs

    spark = request.getfixturevalue("spark_session")

    def run(docs: list[LinkDoc], config: LinkConfig) -> Outcome:
        assigned, summary = link_docs(spark, docs, config)
        return _outcome(assigned, summary.hubs)

    return run


def networks(*groups: list[str]) -> dict[str, frozenset[str]]:
    """Expected networks, each given founder first."""
    return {short_id("N-", group[0]): frozenset(group) for group in groups}


def test_shared_contacts_join_records_and_names_never_do(link: Link) -> None:
    docs = [
        doc("s:a", day=1, phones=[phone(1)], names=["Ann"]),
        doc("s:b", day=2, phones=[phone(1)], emails=["b@example.com"]),
        doc("s:c", day=3, emails=["B@example.com"], handles=["kik:c_fict"]),
        doc("s:d", day=4, handles=["kik:C_fict"], payments=["cashapp:dfict"]),
        doc("s:e", day=5, payments=["cashapp:dfict"], image_sha256=["ab" * 32]),
        doc("s:f", day=6, image_sha256=["AB" * 32]),
        doc("s:g", day=7, phones=[phone(2)], names=["Ann"]),
    ]
    assert link(docs, LinkConfig()) == Outcome(networks(["s:a", "s:b", "s:c", "s:d", "s:e", "s:f"]), [])


def test_a_sites_boilerplate_phone_is_suppressed(link: Link) -> None:
    docs = []
    for poster in range(6):
        for ad in range(5):
            n = poster * 5 + ad
            extra = [phone(99)] if n < 25 else []
            docs.append(doc(f"site:{n}", day=1 + ad, phones=[phone(poster), *extra]))
    expected = networks(*[[f"site:{poster * 5 + ad}" for ad in range(5)] for poster in range(6)])
    assert link(docs, LinkConfig()) == Outcome(expected, [("phone", phone(99), "boilerplate")])


def test_near_duplicate_photos_link_and_a_stock_photo_does_not(link: Link) -> None:
    docs = [doc(f"s:op{i}", day=1 + i, image_phashes=[flip(PHOTO, i % 3)]) for i in range(4)]
    docs.append(doc("s:far", day=9, image_phashes=[flip(PHOTO, 9)]))
    for poster in range(6):
        for ad in range(2):
            docs.append(
                doc(f"s:p{poster}-{ad}", day=10 + ad, phones=[phone(poster)], image_phashes=[flip(STOCK, ad)])
            )
    expected = networks([f"s:op{i}" for i in range(4)], *[[f"s:p{p}-0", f"s:p{p}-1"] for p in range(6)])
    outcome = link(docs, LinkConfig.ablation("images"))
    assert outcome == Outcome(expected, [("image", "phash:" + STOCK, "diverse")])


def test_template_text_links_and_stock_text_does_not(link: Link) -> None:
    names = [("Anna", "Houston"), ("Bella", "Dallas"), ("Cara", "Austin")]
    docs = [doc(f"t:{i}", day=1 + i, text=TEMPLATE.format(name=n, city=c)) for i, (n, c) in enumerate(names)]
    stock = (
        "Welcome gentlemen, the finest company in the whole city awaits you tonight, discreet and friendly "
        "service with a smile, call ahead for availability and enjoy a relaxing evening"
    )
    docs += [doc(f"u:{i}", day=5 + i % 9, phones=[phone(10 + i)], text=stock) for i in range(12)]
    outcome = link(docs, LinkConfig())
    assert outcome.networks == networks(["t:0", "t:1", "t:2"])
    assert outcome.hubs == [("text", short_id("T-", "u:0"), "diverse")]
