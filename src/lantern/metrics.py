"""``/metrics`` in Prometheus' text format: what the store holds and how the server answers.

Ingest, linking, the ``watch`` worker and alert delivery run in other processes (commands, timers), so what
they did is read when Prometheus scrapes, from the store and the data folder, by :class:`StoreCollector`:

===================================================== ===============================================
``lantern_records``                                   records stored now
``lantern_ingested_records_total{outcome}``           records read by every ingest run, by outcome
``lantern_quarantined_records``                       quarantined input lines kept now
``lantern_link_last_duration_seconds``                how long the last link run took
``lantern_link_last_finished_timestamp_seconds``      when it finished (Unix time)
``lantern_watch_lag_seconds{site}``                   seconds since ``watch`` last finished a cycle of a site
``lantern_alert_deliveries_failing``                  alerts whose last delivery attempt failed (retried)
``lantern_alerts_pending``                            alerts waiting to be sent
``lantern_schema_current``                            1 when the database schema is the newest
``lantern_linker_state_loaded``                       1 when the server holds the linker's state
===================================================== ===============================================

The server's own answers are measured in-process: ``lantern_http_request_duration_seconds{route,method,
status}``, a histogram by route template (never the path: identifiers in paths stay out of the metric).
A scrape runs a handful of COUNT queries; the store's figures are cached for ``CACHE_SECONDS``.
prometheus_client writes the format and its parser reads it back in the tests.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine, and_, func, select

from lantern.config import Settings

CACHE_SECONDS = 10.0
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
OUTCOMES = ("stored", "revised", "unchanged", "quarantined")


class StoreCollector(Collector):
    """Figures read from the store and the data folder at scrape time."""

    def __init__(self, engine: Engine, settings: Settings, linker_loaded: Callable[[], bool]) -> None:
        self.engine, self.settings, self.linker_loaded = engine, settings, linker_loaded
        self._lock = threading.Lock()
        self._cached: tuple[float, list[Any]] | None = None

    def collect(self) -> Iterator[Any]:
        with self._lock:
            if self._cached is None or time.monotonic() - self._cached[0] > CACHE_SECONDS:
                self._cached = (time.monotonic(), list(self._families()))
            families = self._cached[1]
        linker = GaugeMetricFamily(
            "lantern_linker_state_loaded", "1 when the server holds the linker's state"
        )
        linker.add_metric([], 1.0 if self.linker_loaded() else 0.0)
        yield from (*families, linker)

    def _families(self) -> Iterator[Any]:
        from lantern.networks.runner import last_run
        from lantern.store.db import is_current
        from lantern.store.schema import alerts, ingest_runs, quarantine, records

        with self.engine.connect() as connection:
            stored = connection.execute(select(func.count()).select_from(records)).scalar_one()
            sums = connection.execute(
                select(*(func.coalesce(func.sum(getattr(ingest_runs.c, o)), 0) for o in OUTCOMES))
            ).one()
            quarantined = connection.execute(select(func.count()).select_from(quarantine)).scalar_one()
            failing = connection.execute(
                select(func.count()).where(and_(alerts.c.delivery == "pending", alerts.c.attempts > 0))
            ).scalar_one()
            pending = connection.execute(
                select(func.count()).where(alerts.c.delivery == "pending")
            ).scalar_one()
        yield _gauge("lantern_records", "records stored now", stored)
        ingested = CounterMetricFamily(
            "lantern_ingested_records", "records read by every ingest run, by outcome", labels=["outcome"]
        )
        for outcome, value in zip(OUTCOMES, sums, strict=True):
            ingested.add_metric([outcome], float(value))
        yield ingested
        yield _gauge("lantern_quarantined_records", "quarantined input lines kept now", quarantined)
        yield _gauge("lantern_alert_deliveries_failing", "alerts whose last delivery attempt failed", failing)
        yield _gauge("lantern_alerts_pending", "alerts waiting to be sent", pending)
        yield _gauge(
            "lantern_schema_current", "1 when the database schema is the newest", is_current(self.engine)
        )
        run = last_run(self.settings)
        if run is not None:
            yield _gauge(
                "lantern_link_last_duration_seconds", "how long the last link run took", run["seconds"]
            )
            yield _gauge(
                "lantern_link_last_finished_timestamp_seconds",
                "when the last link run finished",
                run["finished_at"],
            )
        yield self._watch_lag()

    def _watch_lag(self) -> GaugeMetricFamily:
        from lantern.sources.crawl.watch import read_state

        lag = GaugeMetricFamily(
            "lantern_watch_lag_seconds",
            "seconds since watch last finished a cycle of each site",
            labels=["site"],
        )
        try:
            sites = read_state(self.settings).get("sites", {})
        except (OSError, ValueError):
            sites = {}
        now = time.time()
        for site, state in sorted(sites.items()):
            finished = state.get("finished_at") if isinstance(state, dict) else None
            try:
                lag.add_metric([site], max(0.0, now - datetime.fromisoformat(finished).timestamp()))
            except (TypeError, ValueError):
                continue
        return lag


def _gauge(name: str, documentation: str, value: float | bool) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation)
    family.add_metric([], float(value))
    return family


class Metrics:
    """One app's registry: the request latency histogram and the store's figures."""

    def __init__(self, engine: Engine, settings: Settings, linker_loaded: Callable[[], bool]) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self.latency = Histogram(
            "lantern_http_request_duration_seconds",
            "time to answer a request, by route template, method and status",
            ["route", "method", "status"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.registry.register(StoreCollector(engine, settings, linker_loaded))

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        self.latency.labels(route, method, str(status)).observe(seconds)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
