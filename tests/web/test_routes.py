"""Pages render over a real (small) store: search modes, filters, paging, record, network, entity."""

from __future__ import annotations

import re

from tests.web.conftest import DISGUISED


def test_search_page_disguised_phone(client) -> None:
    response = client.get("/search", params={"q": DISGUISED})
    assert response.status_code == 200
    assert "Phone +17135550142" in response.text
    assert "Rosa visiting Dallas this week" in response.text
    assert "<mark" in response.text


def test_search_email_and_handle_modes(client) -> None:
    response = client.get("/api/search", params={"q": "rosa.visits@example.com"}).json()
    assert response["interpretation"]["mode"] == "email"
    assert [r["record_id"] for r in response["results"]] == ["demo-plain"]
    assert client.get("/api/search", params={"q": "@someone"}).json()["interpretation"]["mode"] == "handle"


def test_text_search_highlights_and_pages(client) -> None:
    first = client.get("/api/search", params={"q": "older", "sort": "date"}).json()
    assert first["interpretation"]["mode"] == "text"
    assert len(first["results"]) == 20 and first["has_next"]
    second = client.get("/api/search", params={"q": "older", "sort": "date", "page": 2}).json()
    ids_1 = {(r["source"], r["record_id"]) for r in first["results"]}
    ids_2 = {(r["source"], r["record_id"]) for r in second["results"]}
    assert ids_2 and not ids_1 & ids_2
    relevance = client.get("/api/search", params={"q": "older"}).json()
    snippet = relevance["results"][0]["snippet"]
    start, end = snippet["marks"][0]
    assert snippet["text"][start:end].lower() == "older"


def test_filters_narrow_results(client) -> None:
    houston = client.get("/api/search", params={"q": "older", "city": "houston"}).json()
    assert houston["results"]
    assert all((r["location"] or "").lower().startswith("houston") for r in houston["results"])
    posts = client.get("/api/search", params={"q": "", "kind": "post"}).json()
    assert all(r["kind"] == "post" for r in posts["results"])
    risky = client.get("/api/search", params={"q": "", "min_minor": 0.5, "sort": "risk"}).json()
    assert risky["results"] and all(r["minor_score"] >= 0.5 for r in risky["results"])
    dated = client.get("/api/search", params={"from": "2026-03-04", "to": "2026-03-06"}).json()
    assert [r["record_id"] for r in dated["results"]] == ["demo-plain"]


def test_bad_form_values_are_ignored(client) -> None:
    response = client.get(
        "/search", params={"q": "older", "from": "not-a-date", "min_minor": "7", "page": "x"}
    )
    assert response.status_code == 200


def test_record_page(client) -> None:
    response = client.get("/records/example-classifieds/demo-disguised")
    assert response.status_code == 200
    page = response.text
    assert ('class="hl-phone"' in page and 'class="hl-indicator"' in page) or "hl-phone hl-indicator" in page
    assert "T02" in page  # the disguised-phone indicator, from the real assessor
    # Network indicators are shown apart from the ad's own, with the likely-minor path.
    own, network_part = page.split('class="panel from-network"', 1)
    own_part = own.split("This ad&#39;s own indicators", 1)[-1]
    assert "M5" in network_part, network_part[:3000]  # messages: this failed once in ~30 runs, unexplained
    assert "M5" not in own_part, own_part
    assert "example-classifieds:demo-minor" in network_part
    assert page.count('class="blurred"') == 2
    assert "Preserved original" in page and "SHA-256" in page
    assert client.get("/records/example-classifieds/nope").status_code == 404


def test_network_page(client, demo_network) -> None:
    response = client.get(f"/networks/{demo_network}")
    assert response.status_code == 200
    page = response.text
    assert "Rosa" in page and "+17135550142" in page
    assert "with 1 other" in page
    assert "first record of the network" in page and 'class="path"' in page
    assert "Network indicators" in page and "Itinerary" in page
    assert client.get("/networks/missing").status_code == 404


def test_a_served_app_loads_the_link_state_before_the_first_network_page(
    web_settings, people, demo_network
) -> None:
    """``lantern serve`` warms the linker's state in the background (about 16 s at a million records), and
    the first network page then answers from it with evidence paths."""
    from lantern.web.app import create_app
    from lantern.web.links import warm_link_cache
    from tests.web.conftest import sign_in

    app = create_app(web_settings)
    warm_link_cache(app).join(timeout=120)
    assert app.state.link_cache.loaded
    page = sign_in(app, "investigator1").get(f"/networks/{demo_network}").text
    assert "first record of the network" in page and 'class="path"' in page


def test_big_network_page(client, web_settings) -> None:
    from tests.web.conftest import biggest_network

    page = client.get(f"/networks/{biggest_network(web_settings)}").text
    assert 'class="figures"' in page
    itinerary = page.split('class="itinerary"', 1)[1].split("</table>", 1)[0]
    cities = re.findall(r"<strong>([^<]+)</strong>", itinerary)
    assert cities and len(cities) == len(set(cities))  # one row per city, not one per posting
    assert 'class="template-text"' in page and 'class="slot"' in page
    assert 'class="explain"' in page or page.count('class="path"') >= 2


def test_hubs_page_lists_boilerplate(client) -> None:
    page = client.get("/hubs").text
    assert "Suppressed hubs" in page and "boilerplate" in page
    assert client.get("/hubs", params={"kind": "<script>"}).status_code == 200
    assert 'href="/hubs"' in client.get("/").text  # linked from the top bar


def test_snippets_are_plain_text(client) -> None:
    results = client.get("/api/search", params={"q": DISGUISED}).json()["results"]
    snippet = next(r["snippet"] for r in results if r["record_id"] == "demo-disguised")
    assert "<p>" not in snippet["text"] and "&#39;" not in snippet["text"] and "I'm Rosa" in snippet["text"]
    start, end = snippet["marks"][0]
    assert snippet["text"][start:end] == DISGUISED
    html = client.get("/search", params={"q": DISGUISED}).text
    assert "&lt;p&gt;" not in html and "&lt;b&gt;" not in html


def test_triage_orders_minors_first(client) -> None:
    results = client.get("/api/triage").json()["results"]
    scores = [(r["minor_score"], r["trafficking_score"]) for r in results]
    assert scores == sorted(scores, reverse=True)
    assert client.get("/triage").status_code == 200


def test_entity_page_accepts_any_phone_format(client) -> None:
    response = client.get("/entities/phone/(713) 555-0142")
    assert response.status_code == 200
    assert "2 records" in response.text
    assert client.get("/entities/unknown/x").status_code == 404


def test_entity_page_says_when_its_breakdowns_are_a_sample(client, monkeypatch) -> None:
    from lantern.web.views import entities

    monkeypatch.setattr(entities, "ENTITY_SAMPLE", 1)
    page = client.get("/entities/phone/+17135550142").text
    assert "2 records" in page
    assert re.search(r"count \d of these 2 records, evenly spread", page)


def test_image_search_page(client, web_settings) -> None:
    upload = (web_settings.data_dir.parent / "world" / "img" / "demo-a.png").read_bytes()
    response = client.post("/image-search", files={"image": ("demo.png", upload, "image/png")})
    assert response.status_code == 200
    assert "Exact copy" in response.text
    bad = client.post("/image-search", files={"image": ("x.png", b"not an image", "image/png")})
    assert bad.status_code == 400 and "not a readable image" in bad.text


def test_healthz_and_no_offline_breaking_docs(client) -> None:
    assert client.get("/healthz").text == "ok"
    assert client.get("/docs").status_code == 404
    assert client.get("/openapi.json").status_code == 200


def test_serve_command_registers() -> None:
    import typer
    from typer.testing import CliRunner

    from lantern.commands import serve

    app = typer.Typer()
    serve.register(app)

    @app.callback()
    def main() -> None: ...

    result = CliRunner().invoke(app, ["serve", "--help"])
    assert result.exit_code == 0 and "--port" in result.output
