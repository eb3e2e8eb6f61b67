"""Store mechanics whose spelling differs between SQLite and PostgreSQL, checked on both.

The behaviour tests (test_ingest, test_cli, networks) go through the CLI; these pin down the pieces
that exist because of PostgreSQL: batches beyond its 65,535-parameter limit, the one-statement bulk
update, binary quarantine bytes, timezone-aware datetimes, prefix full-text search and the trigram
index on entity values.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, insert, select, text

from lantern.store.db import open_database
from lantern.store.dialect import insert_ignoring_duplicates, update_rows
from lantern.store.fulltext import tsquery_text
from lantern.store.schema import entities, quarantine, records
from tests.conftest import text_search

pytestmark = pytest.mark.databases("sqlite", "postgresql")

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def record_row(number: int, **values) -> dict:
    row = {
        "source": "s",
        "record_id": f"r{number}",
        "title": f"title {number}",
        "body": f"body number {number}",
        "extra": {},
        "extracted": {},
        "content_sha256": f"{number:064d}",
        "revision": 1,
        "first_ingested_at": NOW,
        "last_ingested_at": NOW,
        "posted_at": NOW,
    }
    row.update(values)
    return row


def test_batches_beyond_the_parameter_limit_and_bulk_updates(database_url: str) -> None:
    """20,000 entity rows are 80,000 parameters: more than one PostgreSQL statement may carry."""
    engine = open_database(database_url)
    with engine.begin() as connection:
        connection.execute(insert(records), [record_row(n) for n in range(3)])
        pks = list(connection.execute(select(records.c.id).order_by(records.c.id)).scalars())
        rows = [
            {"record_pk": pks[n % 3], "kind": "phone", "value": f"+1713555{n:04d}"} for n in range(20_000)
        ]
        connection.execute(insert(entities), rows)
        assert connection.execute(select(func.count()).select_from(entities)).scalar_one() == 20_000
        updates = [
            {
                "_pk": pk,
                "_network": f"N-{pk}",
                "_minor": 0.5 + i / 10,
                "_indicators": [{"id": "T02"}] if i else None,
            }
            for i, pk in enumerate(pks)
        ]
        update_rows(
            connection,
            records,
            "id",
            updates,
            {"network_id": "_network", "minor_score": "_minor", "network_indicators": "_indicators"},
        )
        stored = connection.execute(
            select(records.c.network_id, records.c.minor_score, records.c.network_indicators).order_by(
                records.c.id
            )
        ).all()
    assert [tuple(row) for row in stored] == [
        (f"N-{pks[0]}", 0.5, None),
        (f"N-{pks[1]}", 0.6, [{"id": "T02"}]),
        (f"N-{pks[2]}", 0.7, [{"id": "T02"}]),
    ]
    engine.dispose()


def test_quarantine_keeps_raw_bytes_and_ignores_duplicates(database_url: str) -> None:
    engine = open_database(database_url)
    raw = bytes(range(256)) + b"\x00\xff caf\xe9"
    row = {
        "origin_file": "feed.jsonl",
        "origin_line": 6,
        "field": "record",
        "reason": "invalid UTF-8",
        "raw": raw,
        "raw_sha256": "a" * 64,
        "raw_size": len(raw),
        "raw_truncated": False,
        "quarantined_at": NOW,
    }
    with engine.begin() as connection:
        connection.execute(
            insert_ignoring_duplicates(connection, quarantine), [row, {**row, "origin_line": 7}]
        )
        connection.execute(insert_ignoring_duplicates(connection, quarantine), [row])  # a re-run
        stored = connection.execute(
            select(quarantine.c.raw, quarantine.c.raw_truncated, quarantine.c.quarantined_at).order_by(
                quarantine.c.origin_line
            )
        ).all()
    assert len(stored) == 2
    assert bytes(stored[0].raw) == raw and stored[0].raw_truncated is False
    # SQLite hands back naive datetimes; both must mean the same instant.
    assert stored[0].quarantined_at.replace(tzinfo=stored[0].quarantined_at.tzinfo or UTC) == NOW
    engine.dispose()


def test_prefix_search_and_highlighting(database_url: str) -> None:
    engine = open_database(database_url)
    with engine.begin() as connection:
        connection.execute(
            insert(records),
            [record_row(1, title="Moving to Dallas", body="Dallas and Houston, café nights"), record_row(2)],
        )
        if connection.dialect.name == "sqlite":
            connection.execute(
                text("INSERT INTO records_fts(rowid, title, body) SELECT id, title, body FROM records")
            )
        assert text_search(connection, "dall* café") == [("r1", ["Dallas", "café"])]
        assert text_search(connection, "'&|!:*()<->") == []
    assert tsquery_text("new town*") == "'new' & 'town':*"
    assert tsquery_text("' & ! <-> :*") == ""
    engine.dispose()


def test_relevance_ranks_the_newest_matches_when_there_are_many(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both engines bound relevance the same way: past ``TOTAL_CAP`` matches, only the newest
    ``RANK_WINDOW`` are ranked (a common word over millions of ads would otherwise rank them all), and the
    response says so."""
    from lantern.store import fulltext
    from lantern.store import queries as store_queries
    from lantern.web.models import SearchFilters
    from lantern.web.views import search as queries

    engine = open_database(database_url)
    with engine.begin() as connection:
        connection.execute(
            insert(records),
            [record_row(1, title="Harbour harbour", body="harbour view, harbour walk")]
            + [record_row(n, body=f"near the harbour, room {n}") for n in range(2, 6)]
            + [record_row(6, body="city centre")],
        )
        if connection.dialect.name == "sqlite":
            connection.execute(
                text("INSERT INTO records_fts(rowid, title, body) SELECT id, title, body FROM records")
            )
        ranked = [record_id for record_id, _ in text_search(connection, "harbour")]
        assert ranked[0] == "r1" and sorted(ranked) == ["r1", "r2", "r3", "r4", "r5"]
        assert queries.search(connection, "harbour", SearchFilters()).note is None

        monkeypatch.setattr(store_queries, "TOTAL_CAP", 3)
        monkeypatch.setattr(fulltext, "RANK_WINDOW", 3)
        response = queries.search(connection, "harbour", SearchFilters())
        assert response.total == 3 and response.total_is_lower_bound
        assert sorted(r.record_id for r in response.results) == ["r3", "r4", "r5"]
        assert response.note and "3 most recently ingested" in response.note
        by_date = queries.search(connection, "harbour", SearchFilters(), sort="date")
        assert [r.record_id for r in by_date.results] == ["r5", "r4", "r3", "r2", "r1"]  # no window
    engine.dispose()


@pytest.mark.databases("postgresql")
def test_trigram_index_serves_partial_identifier_search(database_url: str) -> None:
    """Migration 0004: a leading-wildcard ``value LIKE '%:handle'`` (a handle typed without its platform)
    can use an index; the (kind, value) b-tree cannot serve it."""
    engine = open_database(database_url)
    with engine.begin() as connection:
        connection.execute(insert(records), [record_row(1)])
        pk = connection.execute(select(records.c.id)).scalar_one()
        connection.execute(
            insert(entities),
            [{"record_pk": pk, "kind": "handle", "value": f"instagram:user{n}"} for n in range(500)],
        )
        connection.execute(text("ANALYZE entities"))
        # On a table this small, walking the whole (kind, value, record_pk) b-tree is estimated cheaper (and
        # at a million records the planner takes the trigram index: docs/benchmarks.md, session 10); take the
        # b-tree away in this throw-away database to ask only whether the trigram index can serve the search.
        connection.execute(text("DROP INDEX ix_entities_kind_value_record"))
        connection.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(
            connection.execute(
                text("EXPLAIN SELECT record_pk FROM entities WHERE kind = 'handle' AND value LIKE :pattern"),
                {"pattern": "%:user42"},
            ).scalars()
        )
        assert "ix_entities_value_trgm" in plan, plan
        found = (
            connection.execute(select(entities.c.value).where(entities.c.value.like("%:user42")))
            .scalars()
            .all()
        )
    assert found == ["instagram:user42"]
    engine.dispose()


def test_bulk_inserted_rows_read_back_exactly_as_written(database_url: str) -> None:
    """The writer's bulk insert (COPY on PostgreSQL) keeps every character, None and JSON value."""
    from lantern.store.dialect import insert_rows

    awkward = "tab\there\nnew line\r\\back\\slash \\N and \\t \u00e9\u6771\U0001f48b 'quote' \"dq\""
    rows = [
        record_row(1, body=awkward, extra={"k": "v\tw", "n": None}, extracted={"phones": ["+17135550100"]}),
        record_row(
            2, title=None, body="", posted_at=None, extra={"empty": ""}, extracted={"x": [1, 2.5, True]}
        ),
    ]
    engine = open_database(database_url)
    with engine.begin() as connection:
        insert_rows(connection, records, rows)
        stored = connection.execute(
            select(
                records.c.title, records.c.body, records.c.extra, records.c.extracted, records.c.posted_at
            ).order_by(records.c.record_id)
        ).all()
        pks = list(connection.execute(select(records.c.id).order_by(records.c.id)).scalars())
        insert_rows(connection, entities, [
            {"record_pk": pks[0], "kind": "email", "value": "jo\\@example.com", "obscured": True},
            {"record_pk": pks[1], "kind": "phone", "value": "+17135550101", "obscured": False},
        ])  # fmt: skip
        flags = connection.execute(
            select(entities.c.value, entities.c.obscured).order_by(entities.c.value)
        ).all()
    posted = stored[0][4]
    assert posted.replace(tzinfo=posted.tzinfo or UTC) == NOW  # SQLite hands back naive UTC
    assert stored[0][:4] == ("title 1", awkward, {"k": "v\tw", "n": None}, {"phones": ["+17135550100"]})
    assert stored[1] == (None, "", {"empty": ""}, {"x": [1, 2.5, True]}, None)
    assert flags == [("+17135550101", False), ("jo\\@example.com", True)]


def test_bulk_insert_stores_what_an_orm_insert_stores(database_url: str) -> None:
    """The bulk insert remembers formatted date-times and passes pre-encoded JSON through; what it stores
    must be what SQLAlchemy's own insert stores, for equal instants in different zones too."""
    from lantern.store.dialect import EncodedJSON, insert_rows, json_text

    east = datetime(2026, 3, 1, 14, 0, tzinfo=timezone(timedelta(hours=2)))  # the same instant as NOW
    values = [
        {"posted_at": NOW, "collected_at": east, "extracted": {"phones": ["+17135550100"], "n": None}},
        {"posted_at": east, "collected_at": NOW, "extracted": EncodedJSON(json_text({"ages": [22]}))},
        {"posted_at": NOW, "collected_at": None, "extracted": {}},
    ]
    engine = open_database(database_url)
    with engine.begin() as connection:
        insert_rows(connection, records, [record_row(n, **v) for n, v in enumerate(values)])
        connection.execute(insert(records), [record_row(10 + n, **v) for n, v in enumerate(values)])
        stored = {
            record_id: rest
            for record_id, *rest in connection.execute(
                text(
                    "SELECT record_id, CAST(posted_at AS TEXT), CAST(collected_at AS TEXT),"
                    " CAST(first_ingested_at AS TEXT), CAST(extracted AS TEXT) FROM records"
                )
            )
        }
    for n in range(len(values)):
        assert stored[f"r{n}"] == stored[f"r{10 + n}"]
    assert '"ages":[22]' in stored["r1"][3].replace(" ", "")
    engine.dispose()


def test_triage_queue_is_one_index_walk_in_score_order(database_url: str) -> None:
    """Migration 0006: the queue (likely minors first, then trafficking, newest first among equal
    scores) pages through ``ix_records_risk`` instead of sorting every scored record for each page."""
    from lantern.store.queries import ANY_RISK, RISK_ORDER
    from lantern.web.views.triage import triage

    scores = [(m / 4, t / 4) for m in range(3) for t in range(3)] * 4  # ties on purpose, (0, 0) included
    engine = open_database(database_url)
    with engine.begin() as connection:
        connection.execute(
            insert(records),
            [record_row(n, minor_score=m, trafficking_score=t) for n, (m, t) in enumerate(scores)],
        )
        stored = connection.execute(select(records.c.id, records.c.minor_score, records.c.trafficking_score))
        expected = sorted(((-m, -t, -pk) for pk, m, t in stored if m or t))
        pages = [triage(connection, page=page, page_size=7) for page in (1, 2, 3, 4, 5, 6)]
        listed = [(r.minor_score, r.trafficking_score, r.record_id) for page in pages for r in page.results]
        assert [page.has_next for page in pages] == [True, True, True, True, False, False]
        by_pk = dict(connection.execute(select(records.c.id, records.c.record_id)).all())
        assert listed == [(-m, -t, by_pk[-pk]) for m, t, pk in expected]

        query = select(records.c.id).where(ANY_RISK).order_by(*RISK_ORDER).limit(26)
        sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
        if engine.dialect.name == "sqlite":
            plan = " ".join(row[-1] for row in connection.execute(text("EXPLAIN QUERY PLAN " + sql)))
            assert "ix_records_risk" in plan and "TEMP B-TREE" not in plan, plan
        else:
            connection.execute(text("ANALYZE records"))
            for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):  # a tiny table: ask
                connection.execute(text(f"SET LOCAL {setting} = off"))  # whether the index can serve it
            plan = "\n".join(connection.execute(text("EXPLAIN " + sql)).scalars())
            assert "Index Only Scan Backward using ix_records_risk" in plan and "Sort" not in plan, plan
    engine.dispose()


def test_filter_form_lists_every_site_and_the_cities_of_the_newest_records(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """City suggestions count only the newest records (the whole table has no location index); sites
    come from an index, so every site is listed. Each store has its own cached options."""
    from lantern.web.views import search as queries

    monkeypatch.setattr(queries, "CITY_SAMPLE", 3)
    monkeypatch.setattr(queries, "_options_cache", {})
    engine = open_database(database_url)
    cities = ["Old Town"] * 5 + ["Lakeside", "Harbor City", "Harbor City"]
    with engine.begin() as connection:
        connection.execute(
            insert(records),
            [record_row(n, location=city, source="a" if n else "b") for n, city in enumerate(cities)],
        )
        assert queries.filter_options(connection, "city") == ["Harbor City", "Lakeside"]
        assert queries.filter_options(connection, "site") == ["a", "b"]
    engine.dispose()


def test_entity_page_counts_every_record_and_samples_the_breakdowns(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A phone on more records than the page reads: the count and the first and last dates cover every
    record, the city/site/network/timeline breakdowns an even sample, and the page says which."""
    from datetime import timedelta

    from lantern.store.schema import images, record_images
    from lantern.web.views import cards
    from lantern.web.views import entities as queries

    monkeypatch.setattr(queries, "ENTITY_SAMPLE", 10)
    monkeypatch.setattr(cards, "DENSE_MATCHES", 5)  # the newest-first walk on SQLite, as at scale
    phone, other, sha = "+17135550100", "+17135550199", "ab" * 32
    engine = open_database(database_url)
    with engine.begin() as connection:
        rows = [
            record_row(
                n,
                posted_at=None if n == 7 else NOW + timedelta(hours=n),
                location=["Houston, TX", "Dallas, TX"][n % 2],
                source=["site-a", "site-b", "site-c"][n % 3],
                network_id="N-1" if n < 20 else None,
            )
            for n in range(35)
        ]
        connection.execute(insert(records), rows)
        pks = list(connection.execute(select(records.c.id).order_by(records.c.id)).scalars())
        connection.execute(
            insert(entities),
            [{"record_pk": pk, "kind": "phone", "value": phone} for pk in pks[1:]]
            + [{"record_pk": pks[0], "kind": "phone", "value": other}],
        )
        connection.execute(
            insert(images),
            [{"sha256": sha, "media_type": "image/png", "width": 1, "height": 1, "size_bytes": 1,
              "phash": "0" * 16, "first_ingested_at": NOW}],
        )  # fmt: skip
        connection.execute(
            insert(record_images),
            [{"record_pk": pks[n], "revision": 1, "position": position, "image_sha256": sha,
              "original_ref": f"img/{n}.png"} for n in (2, 3) for position in (0, 1)],
        )  # fmt: skip

        detail = queries.entity_detail(connection, "phone", phone, page_size=5)
        assert detail.count == 34
        assert 0 < detail.sampled < 34
        assert detail.first_seen == NOW + timedelta(hours=1)
        assert detail.last_seen == NOW + timedelta(hours=34)
        assert sum(bucket.count for bucket in detail.by_site) == detail.sampled
        assert {bucket.label for bucket in detail.by_city} <= {"Houston, TX", "Dallas, TX"}
        listed = [r.record_id for r in detail.records if r.record_id != "r7"]  # undated: where NULLs sort
        assert listed[:4] == ["r34", "r33", "r32", "r31"]
        assert detail.has_next

        exact = queries.entity_detail(connection, "phone", other)
        assert (exact.count, exact.sampled) == (1, 1)
        assert [r.record_id for r in exact.records] == ["r0"]
        image = queries.entity_detail(connection, "image", sha)
        assert (image.count, image.sampled) == (2, 2)
    engine.dispose()


def test_text_search_filters_are_tested_on_id_lists_or_on_rows(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite a site filter made the planner go through every record of the site and ask the full-text
    index about each (3-13 s for a site of 300,000 in a million), and other filters read every match's
    row. A filter that an index answers for at most ``ID_LIST_MAX`` records is now tested against that
    list of ids, without reading rows; a broader one on the rows of the matches, never by walking its
    index. The results are the same either way, on both databases."""
    from sqlalchemy import event

    from lantern.store import fulltext
    from lantern.web.models import SearchFilters
    from lantern.web.views import search as queries

    monkeypatch.setattr(fulltext, "ID_LIST_MAX", 3)
    engine = open_database(database_url)
    sites = ["big"] * 6 + ["small"] * 2
    with engine.begin() as connection:
        connection.execute(
            insert(records),
            [
                record_row(
                    n,
                    source=site,
                    body=f"harbour room {n}",
                    minor_score=n / 10,
                    location="Lakeside, XY" if n < 2 else "Old Town",
                )
                for n, site in enumerate(sites)
            ]
            + [record_row(9, source="small", body="city centre", minor_score=0.0, location=None)],
        )
        if connection.dialect.name == "sqlite":
            connection.execute(
                text("INSERT INTO records_fts(rowid, title, body) SELECT id, title, body FROM records")
            )
    statements: list[tuple[str, object]] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append((args[2], args[3])))
    cases = {
        "big": SearchFilters(site="big"),  # 6 records: tested on the rows
        "small": SearchFilters(site="small"),  # 3 records: an id list
        "none": SearchFilters(site="none"),
        "scored": SearchFilters(site="big", min_minor=0.45),  # the site on rows, the score (3) a list
        "city": SearchFilters(city="LAKE"),  # 2 records, off the lower(location) index (migration 0009)
    }
    with engine.connect() as connection:
        found = {}
        for name, filters in cases.items():
            statements.clear()
            response = queries.search(connection, "harbour", filters)
            found[name] = sorted(r.record_id for r in response.results)
            counted = [(sql, params) for sql, params in statements if "MATCH" in sql and "count(" in sql]
            if engine.dialect.name == "sqlite" and counted:
                sql, params = counted[0]
                plan = [row[-1] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params)]
                opens = next(step for step in plan if "records" in step)  # the loop on the outside
                assert opens.startswith("SCAN records_fts"), plan
                reads_rows = any(step.startswith("SEARCH records USING INTEGER PRIMARY KEY") for step in plan)
                assert reads_rows == (name in ("big", "scored")), (name, plan)
                listed = name in ("small", "scored", "city")
                assert any("LIST SUBQUERY" in step for step in plan) == listed, plan
                assert any("ix_records_location_lower" in step for step in plan) == (name == "city"), plan
        assert found == {
            "big": [f"r{n}" for n in range(6)],
            "small": ["r6", "r7"],
            "none": [],
            "scored": ["r5"],
            "city": ["r0", "r1"],
        }
    engine.dispose()


def test_text_search_by_date_or_risk_with_many_matches_walks_that_order(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the count cap, SQLite sorted every match by reading its row (27 s with a cold cache for two
    common words over a million ads); it now walks the date or risk index and keeps the matches. The
    pages are the same as sorting all matches."""
    from datetime import timedelta

    from sqlalchemy import event

    from lantern.store import queries as store_queries
    from lantern.web.models import SearchFilters
    from lantern.web.views import search as queries

    monkeypatch.setattr(store_queries, "TOTAL_CAP", 3)
    engine = open_database(database_url)
    rows = [
        record_row(n, body=f"harbour room {n}" if n % 3 else "city centre", posted_at=NOW - timedelta(hours=n * 7 % 11),
                   minor_score=(n % 4) / 4, trafficking_score=(n % 5) / 5)
        for n in range(12)
    ]  # fmt: skip
    with engine.begin() as connection:
        connection.execute(insert(records), rows)
        if connection.dialect.name == "sqlite":
            connection.execute(
                text("INSERT INTO records_fts(rowid, title, body) SELECT id, title, body FROM records")
            )
    harbour = [row for row in rows if row["body"].startswith("harbour")]
    number = {row["record_id"]: int(row["record_id"][1:]) for row in rows}
    by_date = sorted(harbour, key=lambda row: (row["posted_at"], number[row["record_id"]]), reverse=True)
    by_risk = sorted(
        harbour,
        key=lambda row: (row["minor_score"], row["trafficking_score"], number[row["record_id"]]),
        reverse=True,
    )  # record ids follow insertion order here, as the primary key does
    statements: list[tuple[str, object]] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append((args[2], args[3])))
    with engine.connect() as connection:
        for sort, expected, index in (
            ("date", by_date, "ix_records_posted_at"),
            ("risk", by_risk, "ix_records_risk"),
        ):
            pages = [
                queries.search(connection, "harbour", SearchFilters(), sort=sort, page=page, page_size=3)
                for page in (1, 2, 3)
            ]
            assert pages[0].total_is_lower_bound
            listed = [r.record_id for page in pages for r in page.results]
            assert listed == [row["record_id"] for row in expected], sort
            if engine.dialect.name == "sqlite":
                sql, params = next((s, p) for s, p in statements if "+records.id IN" in s)
                plan = " ".join(
                    row[-1] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params)
                )
                assert f"COVERING INDEX {index}" in plan and "TEMP B-TREE" not in plan, plan
            statements.clear()
    engine.dispose()
