"""Case operations as plain functions over an engine: the CLI calls them now, the web pages later.

Every change is audited (``case.*`` actions) in the same transaction as the change. Attaching a record
also puts it under the retention hold (``case_records``), so evidence in a case is never purged.
Agency scoping is the caller's job (the web checks the principal's agency); these functions take the
acting user's id and the case's agency comes from the case.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.engine import Connection

from lantern.security import audit
from lantern.store.dialect import insert_ignoring_duplicates
from lantern.store.schema import (
    case_networks,
    case_notes,
    case_records,
    cases,
    feedback,
    networks,
    records,
    users,
)

STATUSES = ("open", "active", "referred", "closed")
FEEDBACK_KINDS = ("extraction", "indicator", "outcome")
VERDICTS = ("correct", "incorrect")
TARGETS = ("trafficking", "minor")


class CaseError(ValueError):
    """A case operation that cannot be done, with the reason."""


def _now() -> datetime:
    return datetime.now(UTC)


def _case(connection: Connection, case_id: int) -> dict[str, Any]:
    row = connection.execute(select(cases).where(cases.c.id == case_id)).mappings().first()
    if row is None:
        raise CaseError(f"no case {case_id}")
    return dict(row)


def _touch(connection: Connection, case_id: int) -> None:
    connection.execute(cases.update().where(cases.c.id == case_id).values(updated_at=_now()))


def _audit(
    connection: Connection, action: str, case: dict[str, Any], user_id: int | None, **detail: Any
) -> None:
    audit.append(
        connection,
        action,
        user_id=user_id,
        agency_id=case["agency_id"],
        target=f"case:{case['id']}",
        detail=detail,
    )


def resolve_record(connection: Connection, ref: str | int) -> int:
    """A record's primary key from ``pk``, ``#pk`` or ``SOURCE/ID`` (split at the first slash)."""
    text = str(ref).strip()
    if text.lstrip("#").isdigit():
        pk = connection.execute(select(records.c.id).where(records.c.id == int(text.lstrip("#")))).scalar()
    else:
        source, _, record_id = text.partition("/")
        pk = connection.execute(
            select(records.c.id).where(records.c.source == source, records.c.record_id == record_id)
        ).scalar()
    if pk is None:
        raise CaseError(f"no record {text!r} (use PK or SOURCE/ID)")
    return int(pk)


def create_case(
    engine: Engine, *, agency_id: int, title: str, user_id: int | None, actor: dict | None = None
) -> int:
    """Open a case for an agency; returns its id."""
    title = title.strip()
    if not title:
        raise CaseError("a case needs a title")
    now = _now()
    with audit.write_transaction(engine) as connection:
        case_id = connection.execute(
            cases.insert()
            .values(
                agency_id=agency_id,
                title=title[:400],
                status="open",
                created_by=user_id,
                assigned_to=user_id,
                created_at=now,
                updated_at=now,
            )
            .returning(cases.c.id)
        ).scalar_one()
        _audit(
            connection,
            "case.create",
            {"id": case_id, "agency_id": agency_id},
            user_id,
            title=title,
            **(actor or {}),
        )
    return case_id


def list_cases(engine: Engine, *, agency_id: int | None = None) -> list[dict[str, Any]]:
    """Cases newest first with the assignee's name (one agency's when ``agency_id`` is given)."""
    query = (
        select(cases, users.c.username.label("assignee"))
        .join(users, users.c.id == cases.c.assigned_to, isouter=True)
        .order_by(cases.c.id.desc())
    )
    if agency_id is not None:
        query = query.where(cases.c.agency_id == agency_id)
    with engine.connect() as connection:
        return [dict(row) for row in connection.execute(query).mappings()]


def get_case(engine: Engine, case_id: int) -> dict[str, Any]:
    """A case with its records, networks, notes and feedback, for a case page or an export."""
    with engine.connect() as connection:
        case = _case(connection, case_id)
        case["records"] = [
            dict(row)
            for row in connection.execute(
                select(
                    records.c.id,
                    records.c.source,
                    records.c.record_id,
                    records.c.title,
                    records.c.url,
                    records.c.posted_at,
                    records.c.location,
                    records.c.network_id,
                    records.c.revision,
                    records.c.posted_at_offset,
                    case_records.c.added_at,
                )
                .join(case_records, case_records.c.record_pk == records.c.id)
                .where(case_records.c.case_id == case_id)
                .order_by(records.c.posted_at, records.c.id)
            ).mappings()
        ]
        case["networks"] = [
            dict(row)
            for row in connection.execute(
                select(
                    case_networks.c.network_id, case_networks.c.added_at, networks.c.size, networks.c.summary
                )
                .join(networks, networks.c.id == case_networks.c.network_id, isouter=True)
                .where(case_networks.c.case_id == case_id)
            ).mappings()
        ]
        case["notes"] = [
            dict(row)
            for row in connection.execute(
                select(case_notes, users.c.username)
                .join(users, users.c.id == case_notes.c.user_id, isouter=True)
                .where(case_notes.c.case_id == case_id)
                .order_by(case_notes.c.id)
            ).mappings()
        ]
        case["feedback"] = [
            dict(row)
            for row in connection.execute(
                select(feedback, records.c.source, records.c.record_id)
                .join(records, records.c.id == feedback.c.record_pk)
                .where(feedback.c.case_id == case_id)
                .order_by(feedback.c.id)
            ).mappings()
        ]
    return case


def attach_records(engine: Engine, case_id: int, refs: list[str], *, user_id: int | None) -> list[int]:
    """Attach records (and hold them from retention); attaching twice is harmless."""
    with audit.write_transaction(engine) as connection:
        case = _case(connection, case_id)
        pks = [resolve_record(connection, ref) for ref in refs]
        rows = [
            {
                "case_id": case_id,
                "record_pk": pk,
                "agency_id": case["agency_id"],
                "added_at": _now(),
                "added_by": user_id,
            }
            for pk in dict.fromkeys(pks)
        ]
        connection.execute(insert_ignoring_duplicates(connection, case_records), rows)
        _touch(connection, case_id)
        _audit(connection, "case.attach_records", case, user_id, record_pks=pks)
    return pks


def attach_network(engine: Engine, case_id: int, network_id: str, *, user_id: int | None) -> int:
    """Attach a network, and its current records too (so they are held and exported); returns records."""
    with audit.write_transaction(engine) as connection:
        case = _case(connection, case_id)
        if connection.execute(select(networks.c.id).where(networks.c.id == network_id)).first() is None:
            raise CaseError(f"no network {network_id!r}")
        connection.execute(
            insert_ignoring_duplicates(connection, case_networks),
            [{"case_id": case_id, "network_id": network_id, "added_at": _now(), "added_by": user_id}],
        )
        pks = list(
            connection.execute(select(records.c.id).where(records.c.network_id == network_id)).scalars()
        )
        if pks:
            connection.execute(
                insert_ignoring_duplicates(connection, case_records),
                [
                    {
                        "case_id": case_id,
                        "record_pk": pk,
                        "agency_id": case["agency_id"],
                        "added_at": _now(),
                        "added_by": user_id,
                    }
                    for pk in pks
                ],
            )
        _touch(connection, case_id)
        _audit(connection, "case.attach_network", case, user_id, network_id=network_id, records=len(pks))
    return len(pks)


def add_note(engine: Engine, case_id: int, body: str, *, user_id: int | None) -> int:
    """Add a note (kept verbatim, shown escaped)."""
    if not body.strip():
        raise CaseError("empty note")
    with audit.write_transaction(engine) as connection:
        case = _case(connection, case_id)
        note_id = connection.execute(
            case_notes.insert()
            .values(case_id=case_id, user_id=user_id, body=body[:20_000], created_at=_now())
            .returning(case_notes.c.id)
        ).scalar_one()
        _touch(connection, case_id)
        _audit(connection, "case.note", case, user_id, note_id=note_id)
    return note_id


def set_status(engine: Engine, case_id: int, status: str, *, user_id: int | None) -> None:
    """Move a case to ``open``, ``active``, ``referred`` or ``closed``."""
    if status not in STATUSES:
        raise CaseError(f"status must be one of {', '.join(STATUSES)}")
    with audit.write_transaction(engine) as connection:
        case = _case(connection, case_id)
        connection.execute(
            cases.update().where(cases.c.id == case_id).values(status=status, updated_at=_now())
        )
        _audit(connection, "case.status", case, user_id, old=case["status"], new=status)


def assign(engine: Engine, case_id: int, assignee_id: int, *, user_id: int | None) -> None:
    """Assign a case to a user of the case's own agency."""
    with audit.write_transaction(engine) as connection:
        case = _case(connection, case_id)
        agency = connection.execute(select(users.c.agency_id).where(users.c.id == assignee_id)).scalar()
        if agency != case["agency_id"]:
            raise CaseError("a case can only be assigned to a user of its own agency")
        connection.execute(
            cases.update().where(cases.c.id == case_id).values(assigned_to=assignee_id, updated_at=_now())
        )
        _audit(connection, "case.assign", case, user_id, assignee_id=assignee_id)


def add_feedback(
    engine: Engine,
    case_id: int | None,
    record_ref: str,
    *,
    kind: str,
    verdict: str,
    user_id: int | None,
    agency_id: int,
    field: str | None = None,
    value: str | None = None,
    rule_id: str | None = None,
    target: str | None = None,
    note: str | None = None,
) -> int:
    """Record a correct/incorrect judgement on an extraction, an indicator, or a record's outcome.

    Outcome feedback is what ``lantern calibrate`` learns from (see :func:`calibration_labels`):
    "trafficking: correct" means the investigator found the record to be trafficking (label 1).
    """
    if kind not in FEEDBACK_KINDS or verdict not in VERDICTS:
        raise CaseError(f"kind must be one of {FEEDBACK_KINDS} and verdict one of {VERDICTS}")
    if kind == "extraction" and not field:
        raise CaseError("extraction feedback names the field (phones, ages, ...)")
    if kind == "indicator" and not rule_id:
        raise CaseError("indicator feedback names the rule id")
    if kind == "outcome" and target not in TARGETS:
        raise CaseError(f"outcome feedback needs a target: {', '.join(TARGETS)}")
    with audit.write_transaction(engine) as connection:
        pk = resolve_record(connection, record_ref)
        if case_id is not None:
            _case(connection, case_id)
        feedback_id = connection.execute(
            feedback.insert()
            .values(
                case_id=case_id,
                record_pk=pk,
                user_id=user_id,
                agency_id=agency_id,
                kind=kind,
                field=field,
                value=value,
                rule_id=rule_id,
                target=target,
                verdict=verdict,
                note=note,
                created_at=_now(),
            )
            .returning(feedback.c.id)
        ).scalar_one()
        audit.append(
            connection, "feedback.add", user_id=user_id, agency_id=agency_id, target=f"record:{pk}",
            detail={"case_id": case_id, "kind": kind, "verdict": verdict, "rule_id": rule_id, "field": field},
        )  # fmt: skip
    return feedback_id


def calibration_labels(engine: Engine, *, agency_id: int | None = None) -> list[dict[str, Any]]:
    """Outcome feedback in ``lantern calibrate``'s label format; the newest judgement per record wins."""
    query = (
        select(feedback.c.id, feedback.c.target, feedback.c.verdict, records.c.source, records.c.record_id)
        .join(records, records.c.id == feedback.c.record_pk)
        .where(feedback.c.kind == "outcome")
        .order_by(feedback.c.id)
    )
    if agency_id is not None:
        query = query.where(feedback.c.agency_id == agency_id)
    latest: dict[tuple[str, str, str], dict[str, Any]] = {}
    with engine.connect() as connection:
        for row in connection.execute(query):
            latest[(row.source, row.record_id, row.target)] = {
                "source": row.source,
                "id": row.record_id,
                "label": 1 if row.verdict == "correct" else 0,
                "target": row.target,
            }
    return list(latest.values())
