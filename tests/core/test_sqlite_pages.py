"""SQLite page size: new stores are made with ``PAGE_SIZE`` pages; stores made before keep theirs."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import func, insert, select

from lantern.store.db import PAGE_SIZE, open_database
from lantern.store.schema import records
from tests.core.test_store_dialects import record_row


def _page_size(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        return connection.execute("PRAGMA page_size").fetchone()[0]


def test_a_new_store_uses_large_pages_and_write_ahead_logging(tmp_path: Path) -> None:
    path = tmp_path / "lantern.db"
    engine = open_database(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(insert(records), [record_row(n) for n in range(3)])
        mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
    engine.dispose()
    assert PAGE_SIZE == 16_384
    assert _page_size(path) == PAGE_SIZE
    assert mode == "wal"


def test_a_store_made_with_small_pages_opens_and_keeps_them(tmp_path: Path) -> None:
    """A store from before the change (4 kB pages, already in WAL mode) is read and written as it is."""
    path = tmp_path / "lantern.db"
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA page_size=4096")
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE made_before (id INTEGER PRIMARY KEY)")
    engine = open_database(f"sqlite:///{path}", upgrade=True)
    with engine.begin() as connection:
        connection.execute(insert(records), [record_row(n) for n in range(3)])
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(records)).scalar_one() == 3
    engine.dispose()
    assert _page_size(path) == 4096
