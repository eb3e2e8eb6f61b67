"""Logs, request ids, readiness and metrics as an operator meets them: JSON lines without search terms or
identifiers, one id per request, ``/readyz`` naming the failed check, ``/metrics`` parsed by
prometheus_client's own parser and readable only by administrators and metrics-only tokens."""

from __future__ import annotations

import logging

import orjson
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from lantern.config import Settings
from lantern.logs import configure_logging
from lantern.security import accounts, tokens
from lantern.store.db import downgrade, open_database
from lantern.store.schema import records


@pytest.fixture
def json_logs(web_settings, capsys):
    configure_logging(Settings.model_validate({**web_settings.model_dump(), "log_format": "json"}))
    yield capsys
    logging.getLogger().handlers = [
        h for h in logging.getLogger().handlers if not getattr(h, "_lantern", False)
    ]


def _lines(capsys) -> list[dict]:
    return [orjson.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]


def test_access_logs_are_json_with_a_request_id_and_no_search_terms_or_identifiers(client, json_logs) -> None:
    response = client.get("/api/search", params={"q": "713 555 0142 rosa.visits@example.com"})
    entity = client.get("/entities/phone/+17135550142")
    given = client.get("/triage", headers={"X-Request-ID": "proxy-abc.123"})
    lines = _lines(json_logs)
    text = "\n".join(orjson.dumps(line).decode() for line in lines)
    for secret in ("7135550142", "0142", "rosa", "example.com"):
        assert secret not in text
    access = {line["route"]: line for line in lines if line["logger"] == "lantern.access"}
    search = access["/api/search"]
    assert (search["status"], search["query_keys"], search["user"]) == (200, "q", "investigator1")
    assert search["request_id"] == response.headers["x-request-id"] and len(search["request_id"]) == 32
    assert access["/entities/{kind}/{value}"]["request_id"] == entity.headers["x-request-id"]
    assert given.headers["x-request-id"] == "proxy-abc.123" == access["/triage"]["request_id"]
    assert {"time", "level", "message", "duration_ms", "method"} <= set(search)


def _families(text: str) -> dict:
    return {family.name: family for family in text_string_to_metric_families(text)}


def test_metrics_parse_and_count_what_the_store_holds(clients, web_settings, people) -> None:
    clients["investigator"].get("/api/search", params={"q": "rosa"})
    response = clients["admin"].get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    families = _families(response.text)
    engine = open_database(web_settings.database_url)
    with engine.connect() as connection:
        stored = connection.execute(select(func.count()).select_from(records)).scalar_one()
    engine.dispose()
    assert families["lantern_records"].samples[0].value == stored
    ingested = {
        s.labels["outcome"]: s.value
        for s in families["lantern_ingested_records"].samples
        if s.name.endswith("_total")
    }
    assert ingested["stored"] >= stored and set(ingested) == {"stored", "revised", "unchanged", "quarantined"}
    assert families["lantern_schema_current"].samples[0].value == 1
    assert families["lantern_link_last_duration_seconds"].samples[0].value > 0
    assert "lantern_alert_deliveries_failing" in families and "lantern_watch_lag_seconds" in families
    latency = families["lantern_http_request_duration_seconds"]
    routes = {s.labels["route"] for s in latency.samples if s.name.endswith("_count")}
    assert "/api/search" in routes and not any("rosa" in r for r in routes)


def test_metrics_are_for_administrators_and_metrics_only_tokens(app, clients, web_settings, people) -> None:
    assert clients["supervisor"].get("/metrics").status_code == 403
    assert clients["analyst"].get("/metrics").status_code == 403
    engine = open_database(web_settings.database_url)
    _, scraper = tokens.create(engine, people.users["admin1"], "prometheus", ["metrics"])
    engine.dispose()
    prometheus = TestClient(app, headers={"Authorization": f"Bearer {scraper}"})
    assert prometheus.get("/metrics").status_code == 200
    assert prometheus.get("/api/search", params={"q": "x"}).status_code == 403  # that token does nothing else


def test_readyz_names_what_is_not_ready(tmp_path) -> None:
    from lantern.web.app import create_app

    settings = Settings(data_dir=tmp_path / "data")
    app = create_app(settings)
    client = TestClient(app)
    assert client.get("/readyz").json() == {"ready": True, "database": "ok", "schema": "current",
                                            "linker": "nothing linked yet"}  # fmt: skip
    engine = open_database(settings.database_url)
    accounts.create_agency(engine, "Unit")
    downgrade(engine, "0008")
    engine.dispose()
    answer = client.get("/readyz")
    assert answer.status_code == 503 and answer.json()["schema"] == "out of date"
