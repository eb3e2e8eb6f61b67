"""The JSON API answers with its declared models and documents itself at /openapi.json."""

from __future__ import annotations

from lantern.web.models import (
    EntityDetail,
    ImageSearchResponse,
    NetworkDetail,
    RecordDetail,
    SearchResponse,
    TriagePage,
)
from tests.web.conftest import DEMO_NETWORK, DISGUISED


def test_search_schema(client) -> None:
    body = client.get("/api/search", params={"q": DISGUISED}).json()
    parsed = SearchResponse.model_validate(body)
    assert parsed.interpretation.values == ["+17135550142"]
    assert {r.record_id for r in parsed.results} == {"demo-disguised", "demo-plain"}


def test_record_schema(client) -> None:
    body = client.get("/api/records/example-classifieds/demo-disguised").json()
    record = RecordDetail.model_validate(body)
    assert record.revisions and len(record.revisions[0].raw_sha256) == 64
    assert any(note.kind == "phone" for field in record.fields for note in field.notes)
    assert record.network_id == DEMO_NETWORK and record.network_size == 2


def test_network_schema(client) -> None:
    network = NetworkDetail.model_validate(client.get(f"/api/networks/{DEMO_NETWORK}").json())
    assert network.member_count == 2
    assert any(c.value == "+17135550142" and c.count == 2 for c in network.contacts)
    assert [stop.name for stop in network.itinerary] == ["Houston", "Dallas"]
    assert any(node.kind == "phone" for node in network.graph.nodes)


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
    ):
        assert path in paths, path
    assert not any(p.startswith("/records") for p in paths)


def test_api_validation_does_not_echo_input(client) -> None:
    response = client.get("/api/search", params={"q": "x", "min_minor": "<script>"})
    assert response.status_code == 422
    assert "<script>" not in response.text
