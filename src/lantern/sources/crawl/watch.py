"""``lantern watch``: crawl → ingest → link → alerts for each site, on a schedule, resumable.

The state file ``DATA_DIR/watch_state.json`` records, per site, the cycle and the last step that
completed, so a watcher killed mid-cycle resumes at the next step (and the crawl step resumes its
own Scrapy JOBDIR); it is also the summary the web app can show (``lantern watch --status`` prints
it). It is written whole and atomically, so a reader never sees half a file.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from lantern.config import Settings
from lantern.sources.crawl import crawl_site, ingest_run
from lantern.sources.sites import load_site

STATE_FILE = "watch_state.json"
STEPS = ("crawl", "ingest", "link", "alerts")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def state_path(settings: Settings) -> Path:
    return settings.data_dir / STATE_FILE


def read_state(settings: Settings) -> dict[str, Any]:
    """The watch state, or an empty one when no watcher has run."""
    path = state_path(settings)
    if not path.exists():
        return {"status": "never run", "sites": {}}
    return json.loads(path.read_text())


def write_state(settings: Settings, state: dict[str, Any]) -> None:
    path = state_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    state["updated_at"] = _now()
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(state, indent=2, default=str))
    os.replace(temporary, path)


def run_alerts_hook(engine: Engine, settings: Settings, ingest_run_id: int | None) -> str:
    """Send the alerts that are due: watchlist matching already happened inside the ingest step.

    The ingest matches each batch's new and revised records as it commits them (``lantern.watch``),
    so this step only delivers: immediate alerts whose first send failed, and hourly or daily digests
    that have come due. Failures stay pending and are retried on the next cycle.
    """
    from lantern.watch.deliver import deliver_due

    return deliver_due(engine, settings).line()


def _next_step(site_state: dict[str, Any]) -> str:
    done = site_state.get("step")
    if done is None or done == STEPS[-1]:
        return STEPS[0]
    return STEPS[STEPS.index(done) + 1]


def run_cycle(
    site_file: str | Path,
    engine: Engine,
    settings: Settings,
    *,
    say: Callable[[str], None] = lambda line: None,
    crawl_timeout: float | None = None,
) -> dict[str, Any]:
    """Run (or finish) one cycle for one site, saving the state after every step."""
    site = load_site(site_file)
    state = read_state(settings)
    state.setdefault("sites", {})
    site_state = state["sites"].setdefault(site.name, {"cycle": 0, "step": None})
    site_state["site_file"] = str(Path(site_file).resolve())
    step = _next_step(site_state)
    if step == "crawl":
        site_state.update(cycle=site_state.get("cycle", 0) + 1, started_at=_now(), last_error=None)
    state["status"] = "running"
    while True:
        site_state["running_step"] = step
        write_state(settings, state)
        try:
            result = _run_step(step, site_file, site_state, engine, settings, crawl_timeout)
        except Exception as error:  # one site's failure must not stop the watcher
            site_state["last_error"] = f"{step}: {type(error).__name__}: {error}"[:500]
            site_state["running_step"] = None
            write_state(settings, state)
            say(f"{site.name}: {site_state['last_error']}")
            return site_state
        say(f"{site.name}: {result}")
        site_state[f"{step}_result"] = result
        if step == "crawl" and not site_state.get("crawl_finished"):
            site_state["last_error"] = "crawl did not finish; the next cycle resumes it"
            site_state["running_step"] = None
            write_state(settings, state)
            return site_state
        site_state["step"] = step
        if step == STEPS[-1]:
            site_state["finished_at"] = _now()
            site_state["running_step"] = None
            write_state(settings, state)
            return site_state
        step = STEPS[STEPS.index(step) + 1]


def _run_step(
    step: str,
    site_file: str | Path,
    site_state: dict[str, Any],
    engine: Engine,
    settings: Settings,
    crawl_timeout: float | None,
) -> str:
    if step == "crawl":
        outcome = crawl_site(site_file, settings, timeout=crawl_timeout)
        site_state.update(
            run_dir=str(outcome.run_dir), crawl_finished=outcome.finished, crawl=outcome.summary
        )
        return outcome.line()
    if step == "ingest":
        summary = ingest_run(Path(site_state["run_dir"]), engine, settings)
        site_state.update(ingest=summary.totals(), ingest_run_id=summary.run_id)
        return summary.line()
    if step == "link":
        if not (site_state.get("ingest", {}).get("stored") or site_state.get("ingest", {}).get("revised")):
            return "link: nothing new"
        from lantern.networks.runner import run_link

        return run_link(engine, settings).line()
    return run_alerts_hook(engine, settings, site_state.get("ingest_run_id"))


def watch(
    site_files: list[str | Path],
    engine: Engine,
    settings: Settings,
    *,
    interval: float,
    cycles: int | None = None,
    say: Callable[[str], None] = lambda line: None,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Run cycles for every site every ``interval`` seconds (``cycles`` bounds it, for tests and cron)."""
    done = 0
    while cycles is None or done < cycles:
        for site_file in site_files:
            run_cycle(site_file, engine, settings, say=say)
        done += 1
        state = read_state(settings)
        state.update(pid=os.getpid(), interval_s=interval)
        if cycles is not None and done >= cycles:
            state.update(status="stopped", next_run_at=None)
            write_state(settings, state)
            return
        state.update(
            status="sleeping", next_run_at=(datetime.now(UTC) + timedelta(seconds=interval)).isoformat()
        )
        write_state(settings, state)
        sleep(interval)
