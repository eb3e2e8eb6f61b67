"""The crawl's memory of what it already has: one SQLite file per site in the data folder.

It lets a crawl skip what it has (conditional requests with the last ETag and Last-Modified, or a
content hash when a server gives neither) and notice ads that disappeared: an ad no listing named
in a complete crawl, or one that now answers 404/410, is marked gone, with the time, but nothing
about it is deleted; its records and WARC captures stay as evidence.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS seen (
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    sha256 TEXT,
    first_seen TEXT NOT NULL,
    last_fetched TEXT,
    last_listed_run TEXT,
    gone_at TEXT
)
"""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(slots=True, frozen=True)
class Seen:
    """What is known about one ad URL."""

    url: str
    etag: str | None
    last_modified: str | None
    sha256: str | None
    gone_at: str | None


class SeenStore:
    """Seen ad URLs with their validators; every write commits at once, so a crash loses nothing."""

    def __init__(self, path: str | Path) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        # Survives a crashed crawler (the case that matters); a power cut may lose the last few
        # entries, which only means those ads are fetched again.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(SCHEMA)

    def get(self, url: str) -> Seen | None:
        row = self._db.execute(
            "SELECT url, etag, last_modified, sha256, gone_at FROM seen WHERE url = ?", (url,)
        ).fetchone()
        return Seen(*row) if row else None

    def listed(self, url: str, run: str) -> None:
        """A listing named this ad in this run (so it has not disappeared)."""
        self._db.execute(
            "INSERT INTO seen (url, first_seen, last_listed_run) VALUES (?, ?, ?) "
            "ON CONFLICT(url) DO UPDATE SET last_listed_run = excluded.last_listed_run",
            (url, _now(), run),
        )

    def fetched(self, url: str, *, etag: str | None, last_modified: str | None, sha256: str | None) -> None:
        """The ad was fetched and its record handed on; a page that comes back clears ``gone_at``."""
        self._db.execute(
            "INSERT INTO seen (url, etag, last_modified, sha256, first_seen, last_fetched) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET etag = excluded.etag, "
            "last_modified = excluded.last_modified, sha256 = excluded.sha256, "
            "last_fetched = excluded.last_fetched, gone_at = NULL",
            (url, etag, last_modified, sha256, _now(), _now()),
        )

    def gone(self, url: str) -> None:
        self._db.execute("UPDATE seen SET gone_at = ? WHERE url = ? AND gone_at IS NULL", (_now(), url))

    def missing_from(self, run: str) -> list[str]:
        """Ads fetched before that no listing named in this run and are not yet marked gone; marks them."""
        urls = [
            row[0]
            for row in self._db.execute(
                "SELECT url FROM seen WHERE gone_at IS NULL AND last_fetched IS NOT NULL "
                "AND (last_listed_run IS NULL OR last_listed_run != ?)",
                (run,),
            )
        ]
        for url in urls:
            self.gone(url)
        return urls

    def counts(self) -> dict[str, int]:
        total, gone = self._db.execute("SELECT count(*), count(gone_at) FROM seen").fetchone()
        return {"known": total, "gone": gone}

    def close(self) -> None:
        self._db.close()
