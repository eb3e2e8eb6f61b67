"""``lantern triage`` ranks by the minor score with reasons, from a temporary SQLite store."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import typer
from sqlalchemy import insert
from typer.testing import CliRunner

from lantern.assess import Assessor
from lantern.commands import common, triage
from lantern.extract import extract_record
from lantern.records import InputRecord
from lantern.store.db import open_database
from lantern.store.schema import records


def make_app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main(ctx: typer.Context, database_url: str = typer.Option(None, "--database-url")) -> None:
        ctx.obj = common.Options(database_url=database_url)

    triage.register(app)
    return app


@pytest.mark.databases("sqlite", "postgresql")
def test_triage_ranks_by_minor_score_with_reasons(database_url: str) -> None:
    url = database_url
    engine = open_database(url)
    assessor = Assessor.load(use_env=False)
    bodies = {
        "a": "Hi, I'm Amber, 27. No games.",
        "b": "Hi, I'm Bella, 16 years old.",
        "c": "Young and sweet.",
    }
    now = datetime(2024, 3, 1, tzinfo=UTC)
    with engine.begin() as connection:
        for rid, body in bodies.items():
            record = InputRecord.model_validate(
                {"id": rid, "source": "t", "title": f"Ad {rid}", "body": body}
            )
            extracted = extract_record(record)
            assessor.assess_record(record, extracted)
            connection.execute(insert(records).values(
                source="t", record_id=rid, kind="ad", title=record.title, body=body, extra={},
                extracted=extracted, content_sha256="0" * 64, revision=1, first_ingested_at=now,
                last_ingested_at=now, trafficking_score=extracted["risk"]["trafficking"],
                minor_score=extracted["risk"]["minor"],
            ))  # fmt: skip
    result = CliRunner().invoke(make_app(), ["--database-url", url, "triage", "--minor", "--limit", "2"],
                                env={"COLUMNS": "200"})  # fmt: skip
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.index("t:b") < out.index("t:c")
    assert "t:a" not in out
    assert "M1" in out and "16" in out
    with engine.connect() as connection:
        rows = triage.queue(connection, minor=False, limit=3)
    # a and c have the same trafficking score: among equals the newer record comes first.
    assert [row["key"] for row in rows] == ["t:c", "t:a", "t:b"]
    assert rows[1]["reasons"][0]["id"] == "T01"
