"""Watchlists matched at ingest: one alert per (entry, record), delivered over real SMTP and HTTP.

The SMTP server is aiosmtpd on loopback and the webhook receiver an ``http.server`` thread on loopback,
so the bytes really travel; nothing outside the machine is contacted.
"""

from __future__ import annotations

import json
import socket
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from lantern.config import load_settings
from lantern.ingest.pipeline import Ingestor
from lantern.store.schema import alerts
from lantern.watch.deliver import deliver_due
from lantern.watch.inbox import list_alerts
from tests.conftest import ad, make_image, write_jsonl
from tests.watch.helpers import engine, make_user, run

pytestmark = pytest.mark.databases("sqlite", "postgresql")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch):
    inbox = _Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("LANTERN_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("LANTERN_SMTP_PORT", str(port))
    monkeypatch.setenv("LANTERN_SMTP_FROM", "lantern@example.org")
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def webhook():
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(json.loads(body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    finally:
        server.shutdown()
        server.server_close()


def _alert_rows():
    with engine().connect() as connection:
        return [dict(r) for r in connection.execute(select(alerts).order_by(alerts.c.id)).mappings()]


def test_new_matching_record_alerts_once_by_email_and_reingest_makes_none(
    data_dir: Path, tmp_path: Path, smtp: _Inbox
) -> None:
    make_user("ivy")
    added = run("watchlist", "add", "--agency", "Harbor PD", "--owner", "ivy", "--kind", "phone",
                "713 555 0142", "--deliver", "email:ivy@example.org")  # fmt: skip
    assert added.exit_code == 0, added.output
    feed = write_jsonl(tmp_path / "ads.jsonl", [ad(42), ad(43)])
    assert run("ingest", str(feed)).exit_code == 0
    rows = _alert_rows()
    assert len(rows) == 1 and rows[0]["delivery"] == "sent"
    assert len(smtp.messages) == 1
    sender, recipients, content = smtp.messages[0]
    assert recipients == ["ivy@example.org"] and sender == "lantern@example.org"
    assert b"ad-42" in content and b"Call or text" not in content  # no ad text leaves by e-mail

    assert run("ingest", str(feed)).exit_code == 0  # unchanged: nothing new
    write_jsonl(feed, [ad(42, body="Revised: call 713-555-0142 now."), ad(43)])
    assert run("ingest", str(feed)).exit_code == 0  # revised, still matching: still one alert
    assert len(_alert_rows()) == 1 and len(smtp.messages) == 1
    listed = run("alerts", "list", "--user", "ivy")
    assert "ad-42" in listed.output


def test_identifiers_images_and_saved_searches_match(data_dir: Path, tmp_path: Path, webhook) -> None:
    url, received = webhook
    make_user("ivy")
    watched = make_image(tmp_path / "watched.png", seed=7)
    make_image(tmp_path / "feed" / "p" / "same.png", seed=7)
    make_image(tmp_path / "feed" / "p" / "else.png", seed=8)
    for kind, value in [
        ("email", "Friend@Example.com"),
        ("handle", "cutie_77"),
        ("payment", "venmo:pay-77"),
        ("image", str(watched)),
        ("search", "lighthouse harbour"),
    ]:
        result = run("watchlist", "add", "--agency", "Harbor PD", "--owner", "ivy", "--kind", kind, value,
                     "--deliver", f"webhook:{url}")  # fmt: skip
        assert result.exit_code == 0, result.output
    rows = [
        ad(1, body="Write friend@example.com today."),
        ad(2, body="snap: cutie_77"),
        ad(3, body="venmo @pay-77 deposit"),
        ad(4, images=["p/same.png"]),
        ad(5, body="Near the old lighthouse by the harbour."),
        ad(6, body="Nothing watched here.", images=["p/else.png"]),
    ]
    feed = write_jsonl(tmp_path / "feed" / "ads.jsonl", rows)
    assert run("ingest", str(feed)).exit_code == 0
    kinds = sorted(item["matched"]["kind"] for payload in received for item in payload["alerts"])
    assert kinds == ["email", "handle", "image", "payment", "search"]
    ids = sorted(item["record"]["id"] for payload in received for item in payload["alerts"])
    assert ids == ["ad-1", "ad-2", "ad-3", "ad-4", "ad-5"]
    assert all(row["delivery"] == "sent" for row in _alert_rows())


class _HalfPast(datetime):
    """The real clock moved to half past its hour: "five minutes later" then never crosses the top of the
    hour, when hourly digests fall due (run in the last five minutes of an hour, the test used to fail)."""

    @classmethod
    def now(cls, tz=None):  # type: ignore[override]
        return datetime.now(tz).replace(minute=30)


def test_failed_delivery_is_kept_and_retried_and_digests_wait(data_dir: Path, tmp_path: Path, smtp: _Inbox,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    import lantern.watch.deliver
    import lantern.watch.matcher

    monkeypatch.setattr(lantern.watch.matcher, "datetime", _HalfPast)
    monkeypatch.setattr(lantern.watch.deliver, "datetime", _HalfPast)
    make_user("ivy")
    run("watchlist", "add", "--agency", "Harbor PD", "--owner", "ivy", "--kind", "phone", "713-555-0150",
        "--deliver", "email:ivy@example.org")  # fmt: skip
    run("watchlist", "add", "--agency", "Harbor PD", "--owner", "ivy", "--kind", "phone", "713-555-0151",
        "--deliver", "email:ivy@example.org", "--digest", "hourly")  # fmt: skip
    run("watchlist", "add", "--agency", "Harbor PD", "--owner", "ivy", "--kind", "phone", "713-555-0152",
        "--deliver", "email:ivy@example.org", "--digest", "hourly")  # fmt: skip
    real_port = load_settings().smtp_port
    monkeypatch.setenv("LANTERN_SMTP_PORT", str(_free_port()))  # nothing listens: delivery fails
    feed = write_jsonl(tmp_path / "ads.jsonl", [ad(50), ad(51), ad(52)])
    assert run("ingest", str(feed)).exit_code == 0
    rows = _alert_rows()
    assert len(rows) == 3 and all(r["delivery"] == "pending" for r in rows)
    immediate = [r for r in rows if r["attempts"] == 1]
    assert len(immediate) == 1 and immediate[0]["last_error"]

    monkeypatch.setenv("LANTERN_SMTP_PORT", str(real_port))
    settings = load_settings()
    later = _HalfPast.now(UTC) + timedelta(minutes=5)
    report = deliver_due(engine(), settings, now=later)  # the retry; the hourly digest is not due yet
    assert report.alerts_sent == 1 and len(smtp.messages) == 1
    report = deliver_due(engine(), settings, now=_HalfPast.now(UTC) + timedelta(hours=1, minutes=1))
    assert report.alerts_sent == 2 and report.messages_sent == 1  # one digest carrying both
    assert len(smtp.messages) == 2 and b"(hourly)" in smtp.messages[1][2]
    assert all(r["delivery"] == "sent" for r in _alert_rows())
    assert run("alerts", "deliver").exit_code == 0  # nothing left


def test_ingestor_without_watchlists_and_inbox_only(data_dir: Path, tmp_path: Path) -> None:
    user_id = make_user("ivy")
    run("watchlist", "add", "--agency", "Harbor PD", "--owner", "ivy", "--kind", "phone", "713-555-0160")
    feed = write_jsonl(tmp_path / "ads.jsonl", [ad(60)])
    settings = load_settings()
    summary = Ingestor(engine(), settings).run([(str(feed), "jsonl")])
    assert summary.stored == 1
    inbox = list_alerts(engine(), user_id=user_id)
    assert len(inbox) == 1 and inbox[0]["delivery"] == "inbox" and inbox[0]["record_id"] == "ad-60"
    assert run("watchlist", "remove", str(inbox[0]["entry_id"])).exit_code == 0
    assert run("watchlist", "add", "--agency", "Harbor PD", "--owner", "nobody", "--kind", "phone",
               "713-555-0161").exit_code == 2  # fmt: skip
