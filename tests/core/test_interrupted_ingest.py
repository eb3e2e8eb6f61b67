"""A killed ingest leaves nothing behind: its workers end with it, and its run is marked failed next time."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert, select
from typer.testing import CliRunner

from lantern.cli import app
from lantern.config import load_settings
from lantern.store.db import open_database
from lantern.store.schema import ingest_runs
from tests.conftest import ad, write_jsonl

ORPHAN = textwrap.dedent(
    """
    import multiprocessing, sys, time

    def child():
        from lantern.ingest.lifeline import exit_with_parent
        exit_with_parent(interval=0.1)
        time.sleep(600)

    if __name__ == "__main__":
        worker = multiprocessing.get_context("spawn").Process(target=child)
        worker.start()
        print(worker.pid, flush=True)
        time.sleep(600)
    """
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as handle:  # a zombie is gone too, only not yet reaped
        return handle.read().split(") ")[-1][0] != "Z"


def test_a_worker_exits_when_its_parent_is_killed(tmp_path: Path) -> None:
    script = tmp_path / "parent.py"
    script.write_text(ORPHAN)
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        worker = int(parent.stdout.readline())  # type: ignore[union-attr]
        assert _alive(worker)
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 20
        while _alive(worker) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(worker)
    finally:
        parent.kill()


def test_ingest_workers_watch_their_parent(monkeypatch: pytest.MonkeyPatch) -> None:
    from lantern.ingest import lifeline, parallel

    watched = []
    monkeypatch.setattr(lifeline, "exit_with_parent", lambda: watched.append(True))
    monkeypatch.setattr(parallel.gc, "freeze", lambda: None)
    monkeypatch.setattr(parallel.gc, "set_threshold", lambda *args: None)
    parallel._start_worker(lambda: None)  # type: ignore[arg-type, return-value]
    assert watched == [True]


@pytest.mark.databases("sqlite", "postgresql")
def test_a_run_left_running_by_a_dead_process_is_marked_failed(data_dir: Path, tmp_path: Path) -> None:
    gone = subprocess.Popen(["true"])
    gone.wait()
    engine = open_database(load_settings().database_url)
    started = datetime(2026, 1, 1, tzinfo=UTC)
    host = socket.gethostname()
    with engine.begin() as connection:
        for pid, run_host in (
            (gone.pid, host),
            (os.getpid(), host),
            (gone.pid, "another-host"),
            (None, None),
        ):
            connection.execute(
                insert(ingest_runs),
                {"started_at": started, "paths": ["x"], "status": "running", "pid": pid, "host": run_host},
            )
    feed = write_jsonl(tmp_path / "ads.jsonl", [ad(1)])
    assert CliRunner().invoke(app, ["ingest", "--no-link", str(feed)], catch_exceptions=False).exit_code == 0
    with engine.connect() as connection:
        status = connection.execute(select(ingest_runs.c.status).order_by(ingest_runs.c.id)).scalars().all()
    # dead here: failed; alive here: running; another host: cannot tell, left; no pid (before 0010): failed
    assert status == ["failed", "running", "running", "failed", "finished"]
