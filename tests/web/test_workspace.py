"""The investigator's workspace over the JSON API and the pages: Today, the networks list, triage review
state, cases (items, notes, status, assignee), feedback and the evidence bundle; every change scoped to
the agency and audited, every refusal the right status."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pypdf
import pytest
from fastapi.testclient import TestClient

from lantern.cases import service
from lantern.security import audit as audit_log
from lantern.store.db import open_database
from tests.web.conftest import CYRILLIC, DEMO_SOURCE, EMOJI_PHONE, THAI, XSS, network_of

MINOR = {"source": DEMO_SOURCE, "id": "demo-minor"}
PLAIN = {"source": DEMO_SOURCE, "id": "demo-plain"}


def test_networks_list_sorts_pages_and_filters(client) -> None:
    for sort in ("minor", "trafficking", "size", "last_seen"):
        body = client.get("/api/networks", params={"sort": sort, "limit": 3}).json()
        assert body["sort"] == sort and len(body["networks"]) == 3 and body["has_next"]
        assert {"id", "size", "minor_score", "trafficking_score", "cities", "sites"} <= set(
            body["networks"][0]
        )
    by_size = client.get("/api/networks", params={"sort": "size", "limit": 50}).json()["networks"]
    assert [n["size"] for n in by_size] == sorted((n["size"] for n in by_size), reverse=True)
    first = client.get("/api/networks", params={"sort": "minor", "limit": 2, "page": 1}).json()["networks"]
    second = client.get("/api/networks", params={"sort": "minor", "limit": 2, "page": 2}).json()["networks"]
    assert not {n["id"] for n in first} & {n["id"] for n in second}
    assert first[0]["minor_score"] >= second[0]["minor_score"]
    austin = client.get("/api/networks", params={"city": "austin", "limit": 100}).json()["networks"]
    assert austin and all(any(c.startswith("Austin") for c in n["cities"]) for n in austin)
    assert client.get("/api/networks", params={"sort": "sideways"}).status_code == 422
    page = client.get("/networks", params={"sort": "size", "min_size": "2", "seen_from": "not a date"})
    assert page.status_code == 200 and "network-list" in page.text


def test_review_takes_records_and_networks_out_of_the_agency_queue_only(clients, app, people) -> None:
    investigator, other = clients["investigator"], clients["other"]
    lena = network_of(app.state.settings, "lena-thai")
    queue = investigator.get("/api/triage/queue", params={"limit": 100, "state": "all"}).json()["rows"]
    assert any(row["network_id"] == lena for row in queue)
    assert len({row["network_id"] for row in queue if row["network_id"]}) == len(
        [row for row in queue if row["network_id"]]
    )  # one row per network
    row = next(r for r in queue if r["network_id"])
    assert row["breakdown"] and {b["score"] for b in row["breakdown"]} == {"minor", "trafficking"}
    state = investigator.post(
        "/api/review", json={"network": lena, "state": "dismissed", "assignee": "investigator1"}
    )
    assert state.status_code == 200 and state.json() | {"updated_at": None} == {
        "state": "dismissed", "assignee": "investigator1", "updated_by": "investigator1", "updated_at": None}  # fmt: skip
    mine = investigator.get("/api/triage/queue", params={"limit": 100}).json()["rows"]
    assert all(r["network_id"] != lena for r in mine)
    theirs = other.get("/api/triage/queue", params={"limit": 100}).json()["rows"]
    assert any(r["network_id"] == lena for r in theirs)  # another agency's queue is its own
    dismissed = investigator.get("/api/triage/queue", params={"state": "dismissed"}).json()["rows"]
    assert [r["network_id"] for r in dismissed if r["network_id"] == lena] == [lena]
    assert investigator.post("/api/review", json={"network": lena, "state": "new"}).status_code == 200
    bad = investigator.post(
        "/api/review", json={"record": MINOR, "state": "new", "assignee": "other-supervisor"}
    )
    assert bad.status_code == 400 and "agency" in bad.json()["detail"]
    assert investigator.post("/api/review", json={"state": "new"}).status_code == 400
    assert investigator.post("/api/review", json={"record": MINOR, "state": "maybe"}).status_code == 422


def test_case_lifecycle_over_the_api(clients, app, people) -> None:
    api = clients["investigator"]
    lena = network_of(app.state.settings, "lena-thai")
    created = api.post("/api/cases", json={"title": f"Lena {XSS}"})
    assert created.status_code == 201
    case_id = created.json()["id"]
    assert any(c["id"] == case_id for c in api.get("/api/cases").json())
    added = api.post(f"/api/cases/{case_id}/items", json={"records": [MINOR], "networks": [lena]})
    assert added.json() == {"records": 1, "networks": 1, "pulled_in": 2}
    assert api.post(f"/api/cases/{case_id}/notes", json={"text": f"Hotel check {XSS}"}).status_code == 201
    assert api.post(f"/api/cases/{case_id}/notes", json={"text": "x" * 10_001}).status_code == 422
    patched = api.patch(f"/api/cases/{case_id}", json={"status": "active", "assignee": "supervisor1"}).json()
    assert patched["status"] == "active" and patched["assignee"] == "supervisor1"
    assert api.patch(f"/api/cases/{case_id}", json={"assignee": "other-supervisor"}).status_code == 400
    feedback = api.post(
        "/api/feedback", json={"network": lena, "kind": "lead", "verdict": "incorrect", "case": case_id}
    )
    assert feedback.status_code == 201
    assert (
        api.post(
            "/api/feedback", json={"record": MINOR, "kind": "indicator", "verdict": "incorrect"}
        ).status_code
        == 400
    )
    assert (
        api.post("/api/feedback", json={"record": MINOR, "kind": "minor", "verdict": "correct"}).status_code
        == 201
    )
    case = api.get(f"/api/cases/{case_id}").json()
    by_hand = [r["id"] for r in case["records"] if r["via_network"] is None]
    pulled = sorted(r["id"] for r in case["records"] if r["via_network"] == lena)
    assert by_hand == ["demo-minor"] and pulled == ["lena-cyrillic", "lena-thai"]
    assert case["networks"][0]["id"] == lena and case["networks"][0]["joined_since"] == 0
    assert case["notes"][0]["text"] == f"Hotel check {XSS}"  # JSON carries it verbatim; pages escape it
    assert case["feedback"][0]["network"] == lena and case["feedback"][0]["kind"] == "lead"
    actions = [a["action"] for a in case["activity"]]
    assert {"case.create", "case.attach_records", "case.attach_network", "case.note", "case.status",
            "case.assign", "feedback.add"} <= set(actions)  # fmt: skip
    labels = service.calibration_labels(app.state.engine, agency_id=people.agency_id)
    assert {(label["id"], label["label"]) for label in labels if label["id"].startswith("lena-")} == {
        ("lena-cyrillic", 0), ("lena-thai", 0)}  # fmt: skip
    page = api.get(f"/cases/{case_id}").text
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    assert "Records pulled in by an attached network" in page and "lena-thai" in page


def test_cases_are_invisible_to_another_agency_and_closed_to_read_only_callers(app, clients, people) -> None:
    case_id = clients["investigator"].post("/api/cases", json={"title": "Agency only"}).json()["id"]
    other = clients["other"]
    assert other.get(f"/api/cases/{case_id}").status_code == 404
    assert other.post(f"/api/cases/{case_id}/notes", json={"text": "hi"}).status_code == 404
    assert other.get(f"/api/cases/{case_id}/export").status_code == 404
    assert all(c["id"] != case_id for c in other.get("/api/cases").json())
    analyst = clients["analyst"]
    assert analyst.get(f"/api/cases/{case_id}").status_code == 200
    assert analyst.post(f"/api/cases/{case_id}/notes", json={"text": "hi"}).status_code == 403
    assert analyst.get(f"/api/cases/{case_id}/export").status_code == 403
    page = analyst.get(f"/cases/{case_id}").text
    assert "note-form" not in page and "export-bundle" not in page and "case-update" not in page
    for path in ("/triage", f"/records/{DEMO_SOURCE}/demo-minor", "/search?q=rosa"):
        assert (
            'action="/cases/add"' not in analyst.get(path).text and "act-review" not in analyst.get(path).text
        )
    token = TestClient(app, headers={"Authorization": f"Bearer {people.tokens['read']}"})
    assert token.get(f"/api/cases/{case_id}").status_code == 200
    assert token.post("/api/cases", json={"title": "nope"}).status_code == 403
    assert token.post("/api/review", json={"record": MINOR, "state": "reviewed"}).status_code == 403
    assert token.get(f"/api/cases/{case_id}/export").status_code == 403


def test_the_evidence_bundle_verifies_and_its_pdf_prints_every_script(app, clients, web_settings) -> None:
    api = clients["investigator"]
    case_id = api.post("/api/cases", json={"title": "Evidence"}).json()["id"]
    lena = network_of(web_settings, "lena-thai")
    api.post(f"/api/cases/{case_id}/items", json={"records": [PLAIN], "networks": [lena]})
    api.post(f"/api/cases/{case_id}/notes", json={"text": "Seen ✨ on two sites"})
    response = api.get(f"/api/cases/{case_id}/export")
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    bundle = zipfile.ZipFile(io.BytesIO(response.content))
    for line in bundle.read("SHA256SUMS").decode().splitlines():
        digest, name = line.split("  ", 1)
        assert hashlib.sha256(bundle.read(name)).hexdigest() == digest, name
    text = "".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(bundle.read("report.pdf"))).pages
    )
    assert "✨" in text and CYRILLIC in text and THAI in text
    assert "<br" not in text and "<p>" not in text
    assert "U+2728 SPARKLES" in text  # the disguise's separator is named
    assert "pulled in by attached network" in text and "attached by hand" in text
    assert "UTC" in text and "Itinerary" in text
    assert EMOJI_PHONE in text  # the phone is printed as the ad wrote it
    csv_text = bundle.read("records.csv").decode("utf-8-sig")
    assert "lena-thai" in csv_text and "in_case" in csv_text.splitlines()[0]
    engine = open_database(web_settings.database_url)
    with engine.connect() as connection:
        entries = audit_log.entries(connection, agency_id=None, limit=50)
    engine.dispose()
    assert any(e["action"] == "case.export" and e["target"] == f"case:{case_id}" for e in entries)


def test_today_shows_what_is_new_and_the_callers_cases(clients) -> None:
    api = clients["supervisor"]
    first = api.get("/api/today").json()
    assert first["new_records"] > 0 and first["newest"]
    queue = api.get("/api/triage/queue", params={"min_minor": 0.5, "limit": 5}).json()["rows"]
    assert [r["record_id"] for r in first["minor_queue"]] == [row["best"]["record_id"] for row in queue]
    assert all(r["minor_score"] >= 0.5 for r in first["minor_queue"])
    case_id = api.post("/api/cases", json={"title": "Mine today"}).json()["id"]
    again = api.get("/api/today").json()
    assert any(c["id"] == case_id for c in again["cases"])
    page = api.get("/").text
    assert "Top of the minor queue" in page and "Mine today" in page and "UTC" in page
    assert again["since"] is None or again["new_records"] <= first["new_records"]


@pytest.mark.parametrize("path", ["/", "/networks", "/cases", "/triage"])
def test_workspace_pages_render_for_every_role(clients, path) -> None:
    for role in ("analyst", "investigator"):
        response = clients[role].get(path)
        assert response.status_code == 200, (role, path)
        assert "<script>alert" not in response.text


def test_forms_add_to_a_new_case_review_and_give_feedback(client, web_settings) -> None:
    lena = network_of(web_settings, "lena-thai")
    added = client.post(
        "/cases/add",
        data={"case": "new", "title": "From the form", "network": lena, "record": f"{DEMO_SOURCE}/demo-minor",
              "next": "/triage"},
        follow_redirects=False,
    )  # fmt: skip
    assert added.status_code == 303 and added.headers["location"].startswith("/triage?notice=added&case=")
    reviewed = client.post(
        "/review", data={"record": f"{DEMO_SOURCE}/demo-plain", "state": "reviewed", "next": "https://evil.example/"},
        follow_redirects=False,
    )  # fmt: skip
    assert reviewed.status_code == 303 and reviewed.headers["location"].startswith("/?notice=review")
    feedback = client.post(
        "/feedback", data={"network": lena, "kind": "minor", "verdict": "incorrect", "next": "/networks"},
        follow_redirects=False,
    )  # fmt: skip
    assert feedback.status_code == 303
    assert "Feedback recorded" in client.get(feedback.headers["location"]).text
    assigned = client.post(
        "/review", data={"network": lena, "state": "new", "assignee": "supervisor1", "next": "/triage"},
        follow_redirects=False,
    )  # fmt: skip
    assert assigned.status_code == 303
    rows = client.get("/api/triage/queue", params={"state": "all", "limit": 100}).json()["rows"]
    assert next(r for r in rows if r["network_id"] == lena)["review"]["assignee"] == "supervisor1"
    bare = TestClient(client.app, cookies=dict(client.cookies))
    assert (
        bare.post("/review", data={"record": f"{DEMO_SOURCE}/demo-plain", "state": "dismissed"}).status_code
        == 403
    )
