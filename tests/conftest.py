"""Shared fixtures: a fresh data folder per test, on SQLite or PostgreSQL, and small fictional records.

A test module (or test) marked ``@pytest.mark.databases("sqlite", "postgresql")`` runs once per database
named, with ids ``[sqlite]`` and ``[postgresql]``: its ``data_dir`` (and ``database_url``) point at a
fresh database of that kind, so the same test body checks both. Unmarked tests use SQLite only. The
PostgreSQL runs start a throw-away cluster on loopback once per session (``tests/pgserver.py``) and are
skipped, with the reason, where PostgreSQL is not installed.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PIL import Image

from tests.pgserver import PostgresServer, why_unavailable

DATABASES = ("sqlite", "postgresql")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "databases(*kinds): run the test once per database kind (sqlite, postgresql)"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrise ``database`` for tests marked ``databases(...)``; the rest get SQLite by default."""
    marker = metafunc.definition.get_closest_marker("databases")
    if marker is None or "database" not in metafunc.fixturenames:
        return
    kinds = marker.args or DATABASES
    unknown = set(kinds) - set(DATABASES)
    if unknown:
        raise pytest.UsageError(f"unknown database kind(s) {sorted(unknown)}; expected {DATABASES}")
    metafunc.parametrize("database", kinds, indirect=True, ids=list(kinds))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One throw-away PostgreSQL cluster on 127.0.0.1 for the whole session, stopped at its end."""
    reason = why_unavailable()
    if reason:
        pytest.skip(reason)
    server = PostgresServer()
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture
def database(request: pytest.FixtureRequest) -> str:
    """The database kind this test runs on: ``sqlite`` unless the test is marked ``databases``."""
    return getattr(request, "param", "sqlite")


@pytest.fixture
def make_database_url(
    database: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[[str], str]]:
    """A factory of fresh databases of this test's kind, for tests that need a second store.

    ``make_database_url(name)`` gives a SQLite file under the test's folder, or a new PostgreSQL
    database at the newest migration; PostgreSQL ones are dropped when the test ends.
    """
    created: list[str] = []
    server: PostgresServer | None = None
    if database == "postgresql":
        server = request.getfixturevalue("postgres_server")  # skips here when PostgreSQL is missing

    def make(name: str) -> str:
        if server is None:
            return f"sqlite:///{tmp_path / name / 'lantern.db'}"
        created.append(server.new_database())
        return created[-1]

    yield make
    for url in created:
        server.drop_database(url)  # type: ignore[union-attr]


@pytest.fixture
def database_url(make_database_url: Callable[[str], str]) -> str:
    """The URL of this test's database: ``lantern-data/lantern.db`` on SQLite, or a fresh PostgreSQL one."""
    return make_database_url("lantern-data")


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database: str, database_url: str) -> Path:
    """A throw-away Lantern data folder, selected through the environment as a user would.

    On SQLite the database is the folder's default ``lantern.db`` (no URL set, so that default is what
    gets tested); on PostgreSQL ``LANTERN_DATABASE_URL`` names the test's own database.
    """
    folder = tmp_path / "lantern-data"
    monkeypatch.setenv("LANTERN_DATA_DIR", str(folder))
    if database == "sqlite":
        monkeypatch.delenv("LANTERN_DATABASE_URL", raising=False)
    else:
        monkeypatch.setenv("LANTERN_DATABASE_URL", database_url)
    return folder


def write_jsonl(path: Path, rows: list) -> Path:
    """Write rows as JSON lines; a ``str`` or ``bytes`` row is written as-is (for malformed lines)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        for row in rows:
            if isinstance(row, bytes):
                handle.write(row + b"\n")
            elif isinstance(row, str):
                handle.write(row.encode() + b"\n")
            else:
                handle.write(json.dumps(row).encode() + b"\n")
    return path


def make_image(path: Path, seed: int = 0, size: tuple[int, int] = (64, 64), fmt: str = "PNG") -> Path:
    """An abstract image (coloured blocks, no people), different for each seed."""
    rng = random.Random(seed)
    image = Image.new("RGB", size, (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    for _ in range(6):
        x0, y0 = rng.randrange(size[0] // 2), rng.randrange(size[1] // 2)
        box = (x0, y0, x0 + rng.randrange(8, size[0] // 2), y0 + rng.randrange(8, size[1] // 2))
        image.paste((rng.randrange(256), rng.randrange(256), rng.randrange(256)), box)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, fmt)
    return path


def ad(number: int, **fields) -> dict:
    """A neutral fictional ad; phone numbers only from the 555-01XX range reserved for fiction."""
    record = {
        "id": f"ad-{number}",
        "source": "example-classifieds",
        "kind": "ad",
        "url": f"https://classifieds.example.com/houston/ad-{number}",
        "posted_at": "2026-03-01T10:00:00Z",
        "collected_at": "2026-03-01T12:00:00Z",
        "title": f"New in town, friendly company {number}",
        "body": f"Call or text 713-555-01{number % 100:02d}. Available today.",
        "location": "Houston, TX",
    }
    record.update(fields)
    return record


def text_search(connection, words: str, **options) -> list[tuple[str, list[str]]]:
    """What the search box (``lantern.web.views.search.search``) finds for ``words``: each record's id, in
    order, with the words its snippet marks."""
    from lantern.web.models import SearchFilters
    from lantern.web.views.search import search

    response = search(connection, words, SearchFilters(), **options)
    found = []
    for result in response.results:
        snippet = result.snippet
        found.append((result.record_id, [snippet.text[a:b] for a, b in snippet.marks] if snippet else []))
    return found
