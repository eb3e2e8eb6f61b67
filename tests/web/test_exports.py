"""Analysts' exports read back with each field's own reader: networkx for GraphML and GEXF, the csv module
for the entity-link table, a JSON schema for GeoJSON, an XML parser for KML, openpyxl for XLSX, pyarrow
for Parquet. The same files come from the command line and the API, on both databases."""

from __future__ import annotations

import csv
import io
from xml.etree import ElementTree as ET

import networkx as nx
import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from jsonschema import Draft202012Validator
from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from lantern.cli import app as cli
from lantern.exports.graph import ENTITY_LINK_COLUMNS
from lantern.store.db import open_database
from lantern.store.schema import audit_log, records
from lantern.tabular import BOM
from tests.conftest import ad, write_jsonl
from tests.web.conftest import DEMO_SOURCE, XSS

runner = CliRunner()
KML = "{http://www.opengis.net/kml/2.2}"

POSITION = {"type": "array", "minItems": 2, "maxItems": 3, "items": {"type": "number"}}
GEOJSON_SCHEMA = {  # RFC 7946 for the geometries Lantern writes
    "type": "object",
    "required": ["type", "features"],
    "properties": {
        "type": {"const": "FeatureCollection"},
        "features": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["type", "geometry", "properties"],
                "properties": {
                    "type": {"const": "Feature"},
                    "properties": {"type": ["object", "null"]},
                    "geometry": {
                        "oneOf": [
                            {
                                "type": "object",
                                "required": ["type", "coordinates"],
                                "properties": {"type": {"const": "Point"}, "coordinates": POSITION},
                            },
                            {
                                "type": "object",
                                "required": ["type", "coordinates"],
                                "properties": {
                                    "type": {"const": "LineString"},
                                    "coordinates": {"type": "array", "minItems": 2, "items": POSITION},
                                },
                            },
                        ]
                    },
                },
            },
        },
    },
}


@pytest.fixture
def store_env(web_settings, monkeypatch):
    monkeypatch.setenv("LANTERN_DATA_DIR", str(web_settings.data_dir))
    monkeypatch.setenv("LANTERN_DATABASE_URL", web_settings.database_url)
    return web_settings


def _export(*args: str, tmp_path, name: str) -> bytes:
    out = tmp_path / name
    result = runner.invoke(cli, ["export", *args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def _members(settings, network_id: str) -> set[str]:
    engine = open_database(settings.database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            select(records.c.source, records.c.record_id).where(records.c.network_id == network_id)
        ).all()
    engine.dispose()
    return {f"{source}:{record_id}" for source, record_id in rows}


def test_a_network_exports_as_a_connected_graph_of_its_records_and_their_evidence(
    store_env, demo_network, tmp_path
) -> None:
    """The linker joined these records through kept evidence, so the exported graph holds every member
    and is connected; Gephi (GEXF) and GraphML readers see the same graph."""
    graphml = nx.read_graphml(
        io.BytesIO(_export("network", demo_network, tmp_path=tmp_path, name="n.graphml"))
    )
    members = _members(store_env, demo_network)
    records_in_graph = {
        data["label"] for _, data in graphml.nodes(data=True) if data["type"] in ("Ad", "Post")
    }
    assert records_in_graph == members
    assert nx.is_connected(graphml)
    kinds = {data["type"] for _, data in graphml.nodes(data=True)}
    assert {"Phone", "Image"} <= kinds  # the Rosa ads share a phone and pictures
    phone = graphml.nodes["phone:+17135550142"]
    assert phone["records"] == 2 and phone["first_seen"].startswith("2026-03-02")
    for _, _, data in graphml.edges(data=True):
        assert data["link_type"] and 0 < data["strength"] <= 1
    minor = graphml.nodes[f"record:{DEMO_SOURCE}:demo-minor"]
    assert minor["lantern_url"] == f"/records/{DEMO_SOURCE}/demo-minor" and minor["minor"] > 0
    gexf = nx.read_gexf(
        io.BytesIO(_export("network", demo_network, "--format", "gexf", tmp_path=tmp_path, name="n.gexf"))
    )
    assert (gexf.number_of_nodes(), gexf.number_of_edges()) == (
        graphml.number_of_nodes(),
        graphml.number_of_edges(),
    )


def test_the_entity_link_table_has_one_row_per_link_for_i2_and_maltego(
    store_env, demo_network, tmp_path
) -> None:
    raw = _export("network", demo_network, "--format", "csv", tmp_path=tmp_path, name="links.csv")
    text = raw.decode("utf-8")
    assert text.startswith(BOM)
    rows = list(csv.DictReader(io.StringIO(text.removeprefix(BOM))))
    assert tuple(rows[0]) == ENTITY_LINK_COLUMNS
    # "+…" could run as a formula in a spreadsheet: tabular.safe_cell writes it as text ("'" first)
    phone_rows = [r for r in rows if r["entity_2_type"] == "Phone" and r["entity_2"] == "'+17135550142"]
    assert {r["entity_1"] for r in phone_rows} == {
        f"{DEMO_SOURCE}:demo-disguised",
        f"{DEMO_SOURCE}:demo-plain",
    }
    assert all(r["link_type"] == "uses phone" and r["strength"] == "1.0" for r in phone_rows)
    plain = next(r for r in phone_rows if r["entity_1"].endswith("demo-plain"))
    assert (
        plain["first_seen"].startswith("2026-03-05")
        and plain["record_url"] == f"/records/{DEMO_SOURCE}/demo-plain"
    )
    assert {r["entity_1_type"] for r in rows} <= {"Ad", "Post", "Image"}
    graph = nx.read_graphml(io.BytesIO(_export("network", demo_network, tmp_path=tmp_path, name="n.graphml")))
    assert len(rows) == graph.number_of_edges()


def test_the_itinerary_exports_as_geojson_and_kml_with_stops_and_times(
    store_env, demo_network, tmp_path
) -> None:
    document = orjson.loads(
        _export("network", demo_network, "--format", "geojson", tmp_path=tmp_path, name="n.geojson")
    )
    Draft202012Validator(GEOJSON_SCHEMA).validate(document)
    features = document["features"]
    stops = [f for f in features if f["properties"]["kind"] == "stop"]
    route = [f for f in features if f["properties"]["kind"] == "route"]
    names = [s["properties"]["name"] for s in stops]
    assert names[:3] == ["Houston", "Dallas", "Austin"]  # posted 2, 5 and 8 March
    assert route and route[0]["geometry"]["coordinates"] == [s["geometry"]["coordinates"] for s in stops]
    houston = stops[0]["geometry"]["coordinates"]
    assert -96 < houston[0] < -95 and 29 < houston[1] < 30.5  # longitude first
    assert stops[0]["properties"]["first_seen"].startswith("2026-03-02")
    postings = [f for f in features if f["properties"]["kind"] == "posting"]
    assert {p["properties"]["record"] for p in postings} >= {f"{DEMO_SOURCE}:demo-minor"}

    root = ET.fromstring(_export("network", demo_network, "--format", "kml", tmp_path=tmp_path, name="n.kml"))
    folders = root.findall(f"{KML}Document/{KML}Folder")
    stop_marks = folders[0].findall(f"{KML}Placemark")
    assert [m.find(f"{KML}name").text for m in stop_marks][:3] == [
        "1. Houston, TX",
        "2. Dallas, TX",
        "3. Austin, TX",
    ]
    assert stop_marks[0].find(f"{KML}TimeSpan/{KML}begin").text.startswith("2026-03-02")
    lon, lat = map(float, stop_marks[0].find(f"{KML}Point/{KML}coordinates").text.split(","))
    assert [lon, lat] == houston
    line = root.find(f"{KML}Document/{KML}Placemark/{KML}LineString/{KML}coordinates").text.split()
    assert len(line) == len(stops)
    assert len(folders[1].findall(f"{KML}Placemark")) == len(postings)


def test_ads_export_to_xlsx_and_parquet_with_filters(store_env, demo_network, tmp_path) -> None:
    members = _members(store_env, demo_network)
    sheet = load_workbook(io.BytesIO(_export("ads", "--format", "xlsx", "--network", demo_network,
                                             tmp_path=tmp_path, name="a.xlsx"))).active  # fmt: skip
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert {f"{r[header.index('source')]}:{r[header.index('id')]}" for r in rows[1:]} == members
    table = pq.read_table(io.BytesIO(_export("ads", "--format", "parquet", "--min-minor", "0.5",
                                             tmp_path=tmp_path, name="a.parquet")))  # fmt: skip
    assert table.num_rows >= 1 and min(table.column("minor").to_pylist()) >= 0.5
    assert str(table.schema.field("posted_at").type) == "timestamp[us, tz=UTC]"
    assert pa.types.is_list(table.schema.field("phones").type)
    assert table.schema.field("phones").type.value_type == pa.string()
    dated = pq.read_table(io.BytesIO(_export("ads", "--format", "parquet", "--since", "2026-03-05", "--until",
                                             "2026-03-05", "--network", demo_network, tmp_path=tmp_path,
                                             name="d.parquet")))  # fmt: skip
    assert dated.column("id").to_pylist() == ["demo-plain"]


def test_hostile_ad_text_never_becomes_a_formula_in_csv_or_xlsx(tmp_path, monkeypatch) -> None:
    hostile = '=HYPERLINK("http://example.com/x","click")'
    monkeypatch.setenv("LANTERN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("LANTERN_DATABASE_URL", raising=False)
    feed = write_jsonl(tmp_path / "ads.jsonl", [ad(1, title=hostile, body="Café in São Paulo")])
    assert runner.invoke(cli, ["ingest", str(feed)]).exit_code == 0
    text = _export("ads", "--format", "csv", tmp_path=tmp_path, name="a.csv").decode("utf-8")
    assert text.startswith(BOM)
    row = next(csv.DictReader(io.StringIO(text.removeprefix(BOM))))
    assert (row["title"], row["body"]) == ("'" + hostile, "Café in São Paulo")
    sheet = load_workbook(
        io.BytesIO(_export("ads", "--format", "xlsx", tmp_path=tmp_path, name="a.xlsx"))
    ).active
    header = [c.value for c in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("title") + 1)
    assert (cell.value, cell.data_type, cell.quotePrefix) == (hostile, "s", True)


def test_the_api_serves_the_same_exports_to_who_may_export_and_audits_them(
    clients, demo_network, store_env, tmp_path
) -> None:
    response = clients["investigator"].get(
        f"/api/export/networks/{demo_network}", params={"format": "graphml"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/graphml+xml")
    assert f'filename="network-{demo_network}.graphml"' in response.headers["content-disposition"]
    assert response.content == _export("network", demo_network, tmp_path=tmp_path, name="n.graphml")
    assert clients["analyst"].get(f"/api/export/networks/{demo_network}").status_code == 403
    xlsx = clients["investigator"].get("/api/export/ads", params={"format": "xlsx", "network": demo_network})
    assert xlsx.status_code == 200 and len(list(load_workbook(io.BytesIO(xlsx.content)).active.rows)) > 1
    geo = clients["investigator"].get(f"/api/export/networks/{demo_network}", params={"format": "geojson"})
    Draft202012Validator(GEOJSON_SCHEMA).validate(geo.json())
    assert clients["investigator"].get("/api/export/cases/999").status_code == 404
    engine = open_database(store_env.database_url)
    with engine.connect() as connection:
        actions = (
            connection.execute(select(audit_log.c.action).order_by(audit_log.c.id.desc()).limit(8))
            .scalars()
            .all()
        )
    engine.dispose()
    assert "export.network" in actions and "export.ads" in actions


def test_titles_stay_text_in_graphml(store_env, tmp_path) -> None:
    engine = open_database(store_env.database_url)
    with engine.connect() as connection:
        network = connection.execute(
            select(records.c.network_id).where(records.c.record_id == "xss-1")
        ).scalar()
    engine.dispose()
    if network is None:
        pytest.skip("the hostile record is in no network in this world")
    graph = nx.read_graphml(io.BytesIO(_export("network", network, tmp_path=tmp_path, name="x.graphml")))
    assert any(XSS in (data.get("title") or "") for _, data in graph.nodes(data=True))
