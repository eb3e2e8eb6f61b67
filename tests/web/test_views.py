"""Each page's view is a pure function of the rows it fetched: these tests build pages from hand-made rows,
with no database, app or linker state."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from lantern.web.models import HubInfo, Interpretation, SearchFilters
from lantern.web.views.cards import marked_snippet
from lantern.web.views.entities import EntityRows, entity_view
from lantern.web.views.networks import NetworkRows, network_view
from lantern.web.views.records import RecordRows, record_view
from lantern.web.views.search import Found, search_view
from lantern.web.views.triage import triage_view


def card(pk: int, **fields) -> dict:
    row = {
        "id": pk,
        "source": "site",
        "record_id": f"r{pk}",
        "kind": "ad",
        "title": f"Title {pk}",
        "body": f"<p>Body {pk}</p>",
        "location": "Houston, TX",
        "posted_at": datetime(2026, 3, pk, 10, tzinfo=UTC),
        "trafficking_score": 0.5,
        "minor_score": 0.0,
        "network_id": "N-1",
        "extracted": {},
    }
    row.update(fields)
    return row


def test_network_view_graphs_shared_identifiers_and_never_a_hub() -> None:
    place = {"name": "Houston", "admin1": "TX", "country": "US", "lat": 29.76, "lon": -95.37}
    rows = [card(pk, extracted={"locations": [place]}) for pk in (1, 2, 3)]
    found = NetworkRows(
        network_id="N-1",
        total=3,
        network=None,
        rows=rows,
        entity_rows=[
            (1, "phone", "+17135550142"),
            (2, "phone", "+17135550142"),
            (3, "phone", "+17135550142"),
            (1, "phone", "+12125550100"),
            (2, "phone", "+12125550100"),
            (1, "name", "Rosa"),
            (2, "name", "Rosa"),
        ],
        hubs={
            ("phone", "+12125550100"): HubInfo(
                kind="phone", value="+12125550100", reason="boilerplate", records=900, description=""
            )
        },
    )
    page = network_view(found)
    labels = {node.label for node in page.graph.nodes if node.kind != "record"}
    assert labels == {"+17135550142"}  # the hub and the persona name link nothing
    assert len(page.graph.edges) == 3
    assert [h.value for h in page.hubs] == ["+12125550100"]
    assert page.members[0].shared[0].shared_with == 2
    assert next(c for c in page.contacts if c.value == "+12125550100").hub
    assert [(s.name, s.count) for s in page.itinerary] == [("Houston", 3)]
    assert page.founder == "site:r1" and not page.scored


def test_record_view_marks_disguised_mentions_and_groups_network_indicators() -> None:
    body = "Call seven one three 555 oh one four two"
    extracted = {
        "mentions": [
            {"type": "phone", "value": "+17135550142", "field": "body", "span": [5, 40], "obscured": True,
             "techniques": ["spelled_digits"]},
            {"type": "phone", "value": "x", "field": "body", "span": "broken"},
        ],
        "indicators": [{"id": "obscured_phone", "weight": 0.4, "field": "body", "span": [5, 40], "score": "trafficking"}],
    }  # fmt: skip
    row = {
        **card(1, body=body, extracted=extracted),
        "url": None,
        "author": None,
        "collected_at": None,
        "content_sha256": "0" * 64,
        "revision": 1,
        "network_indicators": None,
    }
    shared = [
        {"id": "shared_minor", "weight": 0.3, "score": "minor", "path": ["site:r2", "phone +1", "site:r1"]}
    ]
    page = record_view(RecordRows(row=row, network_size=2, network_indicators=shared * 2))
    notes = next(f for f in page.fields if f.field == "body").notes
    assert [n.kind for n in notes] == ["phone", "indicator"]
    assert "disguised: spelled_digits" in notes[0].label
    assert page.network_indicators[0].count == 2
    assert page.network_indicators[0].items[0].path[0].href == "/records/site/r2"


def test_search_view_shows_the_marked_words_and_says_when_relevance_was_bounded() -> None:
    rows = {1: card(1), 2: card(2)}
    found = Found(
        pks=[2, 1, 3],
        rows=rows,
        snippets={2: ("Title 2", "…near the \x02harbour\x03 <b>walk</b>")},
        total=2000,
        lower_bound=True,
    )
    text = Interpretation(mode="text", values=["harbour"], description="")
    page = search_view("harbour", text, SearchFilters(), "relevance", 1, 2, found)
    assert [r.record_id for r in page.results] == ["r2", "r1"] and page.has_next
    snippet = page.results[0].snippet
    start, end = snippet.marks[0]
    assert snippet.text[start:end] == "harbour" and "<b>" not in snippet.text
    assert page.note and "most recently ingested" in page.note
    assert search_view("harbour", text, SearchFilters(), "date", 1, 2, found).note is None


def test_marked_snippet_prefers_the_body_when_the_match_is_there() -> None:
    assert marked_snippet("\x02Rosa\x03 here", "nothing").field == "title"
    assert marked_snippet("Rosa here", "call \x02Rosa\x03").field == "body"


def test_entity_view_takes_first_and_last_seen_from_the_index_when_sampled() -> None:
    facts = [SimpleNamespace(posted_at=datetime(2026, 3, d, tzinfo=UTC), location="Austin", source="s", network_id=None)
             for d in (5, 6)]  # fmt: skip
    edges = (datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))
    found = EntityRows("phone", "+17135550142", 40, facts, True, 1, 20, seen=edges)
    page = entity_view(found)
    assert (page.first_seen, page.last_seen) == edges and page.sampled == 2 and page.count == 40
    assert page.by_city[0].label == "Austin" and page.by_city[0].count == 2


def test_triage_view_pages() -> None:
    page = triage_view([card(1), card(2), card(3)], page=1, page_size=2)
    assert page.has_next and [r.record_id for r in page.results] == ["r1", "r2"]
