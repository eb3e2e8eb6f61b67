"""Full-text searches combined with each filter and sort order, timed on a store: where plans go wrong.

``bench_pages.py`` times one text search with a site filter; this walks the combinations an investigator
uses (site, city, kind, dates, minimum scores; relevance, date and risk order), because each filter
gives the database's planner another way in, and at a million records a wrong one costs seconds (a site
filter on SQLite took 3-13 s before session 10). Each case runs twice through the search box's own
function (``lantern.web.views.search.search``) in this process; both times are printed, the first usually
colder. The sites are the store's largest and smallest; the words are common in the synthetic world.

    .venv/bin/python bench/bench_search_filters.py DATA_DIR [--words "sweet friendly"]

DATA_DIR is any ingested store (``LANTERN_DATABASE_URL`` selects PostgreSQL, as for the CLI).
"""

from __future__ import annotations

import argparse
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from lantern.config import load_settings
from lantern.store.db import open_database
from lantern.store.schema import records
from lantern.web.models import SearchFilters
from lantern.web.views.search import search


def cases(connection: Any, words: str) -> list[tuple[str, dict[str, Any], str]]:
    """(words, filters, sort) to time, from what the store holds."""
    sites = (
        connection.execute(select(records.c.source).group_by(records.c.source).order_by(func.count().desc()))
        .scalars()
        .all()
    )
    city = connection.execute(
        select(records.c.location)
        .where(records.c.location.is_not(None))
        .order_by(records.c.id.desc())
        .limit(1)
    ).scalar()
    newest = connection.execute(select(func.max(records.c.posted_at))).scalar()
    last_day = newest.date() if newest else date.today()
    found: list[tuple[str, dict[str, Any], str]] = [
        (words, {}, sort) for sort in ("relevance", "date", "risk")
    ]
    for site in dict.fromkeys([sites[0], sites[-1]] if sites else []):
        found += [(words, {"site": site}, "relevance"), (words, {"site": site}, "date")]
    if city:
        found.append((words, {"city": city.split(",")[0].lower()}, "relevance"))
    found += [
        (words, {"kind": "post"}, "relevance"),
        (words, {"date_from": last_day - timedelta(days=6), "date_to": last_day}, "relevance"),
        (words, {"date_from": last_day - timedelta(days=6)}, "date"),
        (words, {"min_minor": 0.5}, "relevance"),
        (words, {"min_minor": 0.5}, "risk"),
        (words.split()[0], {"site": "no-such-site"}, "relevance"),
    ]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--words", default="sweet friendly")
    args = parser.parse_args()
    engine = open_database(load_settings(args.data_dir).database_url)
    print(f"store {args.data_dir} ({engine.dialect.name})")
    print(f"{'words':18} {'filters':48} {'sort':9} {'total':>6} {'1st ms':>8} {'2nd ms':>8}")
    with engine.connect() as connection:
        for words, filters, sort in cases(connection, args.words):
            times = []
            for _ in range(2):
                start = time.perf_counter()
                response = search(connection, words, SearchFilters(**filters), sort=sort)  # type: ignore[arg-type]
                times.append((time.perf_counter() - start) * 1000)
            shown = ", ".join(f"{k}={v}" for k, v in filters.items()) or "-"
            print(f"{words:18} {shown[:48]:48} {sort:9} {response.total:6} {times[0]:8.0f} {times[1]:8.0f}")


if __name__ == "__main__":
    main()
