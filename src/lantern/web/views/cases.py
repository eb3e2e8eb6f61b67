"""Cases as pages and the API show them, from what ``lantern.cases.service`` read (pure functions)."""

from __future__ import annotations

from typing import Any

from lantern.web.models import (
    ActivityItem,
    CaseDetail,
    CaseNetwork,
    CaseNote,
    CaseRecord,
    CaseSummary,
    FeedbackItem,
)


def case_summary(row: dict[str, Any]) -> CaseSummary:
    return CaseSummary(
        id=row["id"],
        title=row["title"],
        status=row["status"],
        assignee=row.get("assignee"),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        record_count=int(row.get("record_count") or 0),
        network_count=int(row.get("network_count") or 0),
        note_count=int(row.get("note_count") or 0),
    )


def activity_item(row: dict[str, Any]) -> ActivityItem:
    detail = row.get("detail") if isinstance(row.get("detail"), dict) else {}
    return ActivityItem(at=row["at"], action=row["action"], user=row.get("username"), detail=detail)


def case_view(case: dict[str, Any]) -> CaseDetail:
    """A case: its records (attached by hand apart from pulled in), networks (with growth since they were
    attached), notes, feedback and the timeline of what was done to it."""
    records = [
        CaseRecord(
            source=r["source"],
            id=r["record_id"],
            title=r["title"],
            location=r["location"],
            posted_at=r["posted_at"],
            network_id=r["network_id"],
            trafficking_score=float(r["trafficking_score"] or 0),
            minor_score=float(r["minor_score"] or 0),
            added_at=r["added_at"],
            via_network=r["via_network"],
        )
        for r in case["records"]
    ]
    networks = [
        CaseNetwork(
            id=n["network_id"],
            added_at=n["added_at"],
            size=n["size"],
            joined_since=int(n["joined_since"]),
            trafficking_score=n["trafficking_score"],
            minor_score=n["minor_score"],
        )
        for n in case["networks"]
    ]
    notes = [
        CaseNote(id=n["id"], author=n.get("username"), text=n["body"], created_at=n["created_at"])
        for n in case["notes"]
    ]
    feedback = [
        FeedbackItem(
            id=f["id"],
            record={"source": f["source"], "id": f["record_id"]} if f.get("source") else None,
            network=f.get("network_id"),
            kind=feedback_kind(f),
            verdict=f["verdict"],
            indicator=f.get("rule_id"),
            target=f.get("target"),
            author=f.get("username"),
            created_at=f["created_at"],
        )
        for f in case["feedback"]
    ]
    return CaseDetail(
        **case_summary(
            {**case, "record_count": len(records), "network_count": len(networks), "note_count": len(notes)}
        ).model_dump(),
        records=records,
        networks=networks,
        notes=notes,
        feedback=feedback,
        activity=[activity_item(a) for a in case["activity"]],
    )


def feedback_kind(row: dict[str, Any]) -> str:
    """The API's name for a stored judgement: ``lead`` (trafficking outcome), ``minor``, ``indicator``."""
    if row["kind"] == "outcome":
        return "minor" if row.get("target") == "minor" else "lead"
    return row["kind"]
