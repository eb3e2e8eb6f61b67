"""A small ingested store shared by the web tests: a synthetic world plus hand-written hostile records.

The assessment and linking stages do not write scores and network ids into the store yet, so
``enrich`` fills them here with simple, clearly test-only rules (phone union-find for networks, young
stated ages and disguised phones as indicators) so that triage and network pages have data to show.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, update

from lantern.config import Settings
from lantern.ingest.pipeline import Ingestor
from lantern.store.db import open_database
from lantern.store.schema import entities, records
from lantern.synth import generate
from tests.conftest import ad, make_image, write_jsonl

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
DISGUISED = "seven one three 555 oh one four two"
DEMO_NETWORK = "net-demo"


def hostile_records(folder: Path) -> list[dict]:
    """Records a hostile poster could write, plus a two-record network around one disguised phone."""
    evil_name = 'evil"><img src=x onerror=alert(3)>.png'
    make_image(folder / "img" / evil_name, seed=91)
    make_image(folder / "img" / "demo-a.png", seed=92)
    make_image(folder / "img" / "demo-b.png", seed=93)
    return [
        ad(
            901,
            id="xss-1",
            title=f"Title {XSS}",
            body=f"Body {XSS} [not a mark] \x02odd\x03 call 713-555-0188 ]]>",
            location='Houston, TX "><svg onload=alert(2)>',
            url="javascript:alert(document.cookie)",
            images=[f"img/{evil_name}"],
        ),
        ad(
            902,
            id="demo-disguised",
            title="New in town, friendly company",
            body=f"Hi, I'm Rosa, 19. Call {DISGUISED}, ask for Rosa. Booking line too.",
            location="Houston, TX",
            posted_at="2026-03-02T10:00:00Z",
            images=["img/demo-a.png", "img/demo-b.png"],
        ),
        ad(
            903,
            id="demo-plain",
            title="Rosa visiting Dallas this week",
            body="Rosa here, 19 years. Text 713-555-0142. rosa.visits@example.com",
            location="Dallas, TX",
            posted_at="2026-03-05T10:00:00Z",
            images=["img/demo-a.png"],
        ),
    ]


def enrich(engine: Engine) -> None:
    """Test-only stand-in for assessment and linking: network ids, scores and indicators with spans."""
    with engine.begin() as connection:
        hub_limit = 40
        phone_rows = connection.execute(
            select(entities.c.record_pk, entities.c.value).where(entities.c.kind == "phone")
        ).all()
        users: dict[str, set[int]] = defaultdict(set)
        for pk, value in phone_rows:
            users[value].add(pk)
        parent: dict[int, int] = {}

        def find(x: int) -> int:
            parent.setdefault(x, x)
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for pks in users.values():
            if 2 <= len(pks) <= hub_limit:
                first, *rest = sorted(pks)
                for other in rest:
                    parent[find(other)] = find(first)
        groups: dict[int, list[int]] = defaultdict(list)
        for pk in list(parent):
            groups[find(pk)].append(pk)
        for root, members in groups.items():
            if len(members) > 1:
                connection.execute(
                    update(records).where(records.c.id.in_(members)).values(network_id=f"net-{root}")
                )
        for row in (
            connection.execute(select(records.c.id, records.c.record_id, records.c.extracted))
            .mappings()
            .all()
        ):
            extracted = dict(row["extracted"])
            indicators = []
            for mention in extracted.get("mentions", []):
                if mention["type"] == "age" and isinstance(mention["value"], int) and mention["value"] <= 19:
                    indicators.append(
                        {
                            "id": "young_stated_age",
                            "explanation": "Stated age 18 or 19 (weak alone; raises review priority)",
                            "weight": 0.35,
                            "field": mention["field"],
                            "span": mention["span"],
                            "text": mention["text"],
                        }
                    )
                if mention["type"] == "phone" and mention.get("obscured"):
                    indicators.append(
                        {
                            "id": "obscured_phone",
                            "explanation": "Phone number disguised to evade filters",
                            "weight": 0.5,
                            "field": mention["field"],
                            "span": mention["span"],
                            "text": mention["text"],
                        }
                    )
            extracted["indicators"] = indicators
            minor = min(0.95, sum(i["weight"] for i in indicators if i["id"] == "young_stated_age") * 2)
            trafficking = min(0.95, sum(i["weight"] for i in indicators))
            if row["record_id"].startswith("demo-"):
                minor, trafficking = 0.9, 0.8
            connection.execute(
                update(records)
                .where(records.c.id == row["id"])
                .values(extracted=extracted, minor_score=minor, trafficking_score=trafficking)
            )
        connection.execute(
            update(records)
            .where(records.c.record_id.in_(["demo-disguised", "demo-plain"]))
            .values(network_id=DEMO_NETWORK)
        )


def build_store(root: Path, synthetic: int = 240) -> Settings:
    """Generate, ingest and enrich a store under ``root``; returns the settings that point at it."""
    world = root / "world"
    generate(world, synthetic, seed=5, images=True)
    extra = write_jsonl(world / "extra.jsonl", hostile_records(world))
    data = root / "data"
    settings = Settings(data_dir=data, database_url=f"sqlite:///{data / 'lantern.db'}")
    engine = open_database(settings.database_url)
    Ingestor(engine, settings).run([(str(world / "records.jsonl"), "jsonl"), (str(extra), "jsonl")])
    enrich(engine)
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(records)).scalar_one() > synthetic // 2
    engine.dispose()
    return settings


@pytest.fixture(scope="session")
def web_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return build_store(tmp_path_factory.mktemp("web-store"))


@pytest.fixture(scope="session")
def client(web_settings: Settings):
    from fastapi.testclient import TestClient

    from lantern.web.app import create_app

    with TestClient(create_app(web_settings)) as test_client:
        yield test_client
