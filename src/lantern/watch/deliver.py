"""Sending due alerts: e-mail through the configured SMTP server, or a JSON POST to a configured webhook.

An alert is sent when its ``due_at`` has passed: at once for immediate entries, at the top of the hour or
at midnight UTC for digests, which gather every due alert for the same target into one message. A failed
send leaves the alert pending with a later ``due_at`` (backing off up to six hours) and the error kept,
so a delivery failure never loses an alert; ``lantern alerts deliver`` and the watch loop retry.

What leaves Lantern is deliberately thin: which entry matched, the record's source, id, capture time and
a link into Lantern. No ad text and no image travels by e-mail or webhook; the investigator reads the
record inside Lantern, where access is authenticated and audited.
"""

from __future__ import annotations

import smtplib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import httpx
from sqlalchemy import Engine, select

from lantern.config import Settings
from lantern.instants import stated_iso
from lantern.store.schema import alerts, records, watchlist_entries

MAX_BACKOFF = timedelta(hours=6)
BATCH_LIMIT = 5000


@dataclass
class DeliveryReport:
    """Messages sent and failed, and the alerts they carried."""

    messages_sent: int = 0
    messages_failed: int = 0
    alerts_sent: int = 0
    alerts_failed: int = 0
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"alerts: {self.alerts_sent} sent in {self.messages_sent} messages, "
            f"{self.alerts_failed} failed (kept for retry)"
        )


def _payload_item(row: dict[str, Any], base_url: str | None) -> dict[str, Any]:
    return {
        "alert_id": row["id"],
        "created_at": row["created_at"].isoformat() if row["created_at"] else None,
        "watch": {"entry_id": row["entry_id"], "kind": row["entry_kind"], "label": row["entry_label"]},
        "matched": row["reason"],
        "record": {
            "source": row["source"],
            "id": row["record_id"],
            "posted_at": stated_iso(row["posted_at"], row["posted_at_offset"]),
            "collected_at": stated_iso(row["collected_at"], row["collected_at_offset"]),
            "lantern_url": f"{base_url.rstrip('/')}/records/{row['record_pk']}" if base_url else None,
        },
    }


def _send_email(settings: Settings, address: str, items: list[dict[str, Any]], digest: str) -> None:
    if not settings.smtp_host:
        raise RuntimeError("LANTERN_SMTP_HOST is not set")
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = address
    noun = "alert" if len(items) == 1 else "alerts"
    message["Subject"] = f"Lantern: {len(items)} watchlist {noun}" + (
        "" if digest == "immediate" else f" ({digest})"
    )
    lines = ["Watchlist matches found at ingest. Open each record in Lantern to review it.", ""]
    for item in items:
        record = item["record"]
        what = item["matched"].get("kind", "")
        label = item["watch"]["label"] or f"entry {item['watch']['entry_id']}"
        lines.append(
            f"- alert {item['alert_id']}: {label} ({what}) matched {record['source']} / {record['id']}"
        )
        if record["lantern_url"]:
            lines.append(f"  {record['lantern_url']}")
    message.set_content("\n".join(lines) + "\n")
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
        smtp.send_message(message)


def _send_webhook(settings: Settings, url: str, items: list[dict[str, Any]], digest: str) -> None:
    # Only URLs an investigator configured on the entry; redirects are not followed (a redirect could
    # point the alert anywhere).
    response = httpx.post(
        url,
        json={"source": "lantern", "digest": digest, "alerts": items},
        timeout=settings.webhook_timeout_s,
        follow_redirects=False,
    )
    if not 200 <= response.status_code < 300:
        raise RuntimeError(f"webhook answered HTTP {response.status_code}")


def deliver_due(engine: Engine, settings: Settings, *, now: datetime | None = None) -> DeliveryReport:
    """Send every alert that is due; each message's alerts are marked sent, or kept with the error."""
    now = now or datetime.now(UTC)
    report = DeliveryReport()
    query = (
        select(
            alerts,
            watchlist_entries.c.kind.label("entry_kind"),
            watchlist_entries.c.label.label("entry_label"),
            watchlist_entries.c.deliver,
            watchlist_entries.c.digest,
            records.c.source,
            records.c.record_id,
            records.c.posted_at,
            records.c.collected_at,
            records.c.posted_at_offset,
            records.c.collected_at_offset,
        )
        .join(watchlist_entries, watchlist_entries.c.id == alerts.c.entry_id)
        .join(records, records.c.id == alerts.c.record_pk)
        .where(alerts.c.delivery == "pending", alerts.c.due_at <= now)
        .order_by(alerts.c.id)
        .limit(BATCH_LIMIT)
    )
    with engine.connect() as connection:
        rows = [dict(row) for row in connection.execute(query).mappings()]
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row["deliver"]:
            groups[(row["deliver"], row["digest"])].append(row)
    for (target, digest), members in groups.items():
        messages = [[row] for row in members] if digest == "immediate" else [members]
        for message_rows in messages:
            _deliver_one(engine, settings, target, digest, message_rows, now, report)
    return report


def _deliver_one(
    engine: Engine,
    settings: Settings,
    target: str,
    digest: str,
    rows: list[dict[str, Any]],
    now: datetime,
    report: DeliveryReport,
) -> None:
    items = [_payload_item(row, settings.base_url) for row in rows]
    channel, _, address = target.partition(":")
    ids = [row["id"] for row in rows]
    try:
        if channel == "email":
            _send_email(settings, address, items, digest)
        elif channel == "webhook":
            _send_webhook(settings, address, items, digest)
        else:
            raise RuntimeError(f"unknown delivery channel {channel!r}")
    except Exception as error:
        message = f"{type(error).__name__}: {error}"[:500]
        report.messages_failed += 1
        report.alerts_failed += len(ids)
        report.errors.append(f"{channel}: {message}")
        with engine.begin() as connection:
            for row in rows:
                attempts = row["attempts"] + 1
                backoff = min(timedelta(minutes=2**attempts), MAX_BACKOFF)
                connection.execute(
                    alerts.update()
                    .where(alerts.c.id == row["id"])
                    .values(attempts=attempts, last_error=message, due_at=now + backoff)
                )
        return
    with engine.begin() as connection:
        connection.execute(
            alerts.update()
            .where(alerts.c.id.in_(ids))
            .values(delivery="sent", delivered_at=now, attempts=alerts.c.attempts + 1, last_error=None)
        )
    report.messages_sent += 1
    report.alerts_sent += len(ids)
