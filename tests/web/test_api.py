"""The JSON API answers with its declared models and documents itself at /openapi.json."""

from __future__ import annotations

from lantern.web.models import (
    EntityDetail,
    HubsPage,
    ImageSearchResponse,
    NetworkDetail,
    RecordDetail,
    SearchResponse,
    TriagePage,
    WhyResponse,
)
from tests.web.conftest import DISGUISED


def test_search_schema(client) -> None:
    body = client.get("/api/search", params={"q": DISGUISED}).json()
    parsed = SearchResponse.model_validate(body)
    assert parsed.interpretation.values == ["+17135550142"]
    assert {r.record_id for r in parsed.results} == {"demo-disguised", "demo-plain"}


def test_record_schema(client, demo_network) -> None:
    body = client.get("/api/records/example-classifieds/demo-disguised").json()
    record = RecordDetail.model_validate(body)
    assert record.revisions and len(record.revisions[0].raw_sha256) == 64
    assert any(note.kind == "phone" for field in record.fields for note in field.notes)
    assert record.network_id == demo_network and record.network_size == 3
    # The likely-minor signal of demo-minor reaches this record through the network, with its path.
    propagated = [g for g in record.network_indicators if g.id == "M5"]
    assert propagated and propagated[0].score == "minor"
    path = [step.label for step in propagated[0].items[0].path]
    assert path[0] == "example-classifieds:demo-disguised" and path[-1] == "example-classifieds:demo-minor"
    assert any(
        step.kind == "evidence" and step.label.startswith("image ") for step in propagated[0].items[0].path
    )
    assert not any(reason.id == "M5" for reason in record.indicators)  # the ad's own list stays its own


def test_network_schema(client, demo_network) -> None:
    network = NetworkDetail.model_validate(client.get(f"/api/networks/{demo_network}").json())
    assert network.member_count == 3 and network.scored
    assert network.figures is not None and network.figures.records == 3
    assert network.minor_score >= 0.5  # demo-minor states an age under 18
    assert any(c.value == "+17135550142" and c.count == 2 for c in network.contacts)
    assert [stop.name for stop in network.itinerary] == ["Houston", "Dallas", "Austin"]
    assert all(stop.count == 1 and stop.lat is not None for stop in network.itinerary)
    assert any(node.kind == "phone" for node in network.graph.nodes)
    assert network.founder == "example-classifieds:demo-disguised"
    by_id = {m.record_id: m for m in network.members}
    assert by_id["demo-disguised"].why == []
    plain_hops = by_id["demo-plain"].why
    assert plain_hops and plain_hops[-1].target == "example-classifieds:demo-plain"
    assert plain_hops[0].source == "example-classifieds:demo-disguised"


def test_network_why_endpoint(client, demo_network) -> None:
    body = client.get(f"/api/networks/{demo_network}/why/example-classifieds/demo-minor").json()
    answer = WhyResponse.model_validate(body)
    assert answer.founder == "example-classifieds:demo-disguised"
    assert answer.hops and answer.hops[-1].target == "example-classifieds:demo-minor"
    assert all(hop.kind in ("phone", "email", "handle", "payment", "image", "text") for hop in answer.hops)
    assert client.get(f"/api/networks/{demo_network}/why/example-classifieds/xss-1").status_code == 404


def test_hubs_api(client) -> None:
    hubs = HubsPage.model_validate(client.get("/api/hubs").json())
    assert hubs.total == len(hubs.hubs) > 0
    assert all(h.description and h.records >= 2 for h in hubs.hubs)
    phones = HubsPage.model_validate(client.get("/api/hubs", params={"kind": "phone"}).json())
    assert all(h.kind == "phone" for h in phones.hubs)


def test_triage_and_entity_schema(client) -> None:
    TriagePage.model_validate(client.get("/api/triage").json())
    entity = EntityDetail.model_validate(client.get("/api/entities/phone/+17135550142").json())
    assert entity.count == 2 and entity.by_city


def test_image_search_schema(client, web_settings) -> None:
    upload = (web_settings.data_dir.parent / "world" / "img" / "demo-b.png").read_bytes()
    body = client.post("/api/images/search", files={"image": ("b.png", upload, "image/png")}).json()
    result = ImageSearchResponse.model_validate(body)
    assert result.matches[0].exact and result.matches[0].distance == 0
    sha = result.matches[0].image.sha256
    assert client.post(f"/api/images/{sha}/reveal").status_code == 204
    entity = EntityDetail.model_validate(client.get(f"/api/entities/image/{sha}").json())
    assert entity.count == 1


def test_openapi_paths(client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/search",
        "/api/records/{source}/{record_id}",
        "/api/networks/{network_id}",
        "/api/triage",
        "/api/entities/{kind}/{value}",
        "/api/images/search",
        "/api/images/{sha256}/reveal",
        "/api/networks/{network_id}/why/{source}/{record_id}",
        "/api/hubs",
    ):
        assert path in paths, path
    assert not any(p.startswith("/records") for p in paths)


def test_api_validation_does_not_echo_input(client) -> None:
    response = client.get("/api/search", params={"q": "x", "min_minor": "<script>"})
    assert response.status_code == 422
    assert "<script>" not in response.text
