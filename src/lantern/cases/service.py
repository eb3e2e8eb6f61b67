"""Case operations as plain functions over an engine: the CLI, the web pages and the JSON API call them.

Every change is audited (``case.*`` actions, target ``case:N``) in the same transaction as the change,
so a case's timeline is its audit entries. Attaching a record also puts it under the retention hold
(``case_records``), so evidence in a case is never purged; records an attached network pulls in are
marked with that network, apart from those attached by hand. ``agency_id`` arguments scope a call to one
agency: a case of another agency is "no such case" (the web passes the principal's agency; the CLI,
run by the server's operators, may omit it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, and_, func, select
from sqlalchemy.engine import Connection

from lantern.security import audit
from lantern.store.dialect import insert_ignoring_duplicates
from lantern.store.schema import (
    AUDIT_TARGET_PREFIX,
    audit_log,
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
MAX_TITLE = 400
MAX_NOTE = 10_000
MAX_ITEMS = 5_000  # records or networks added in one call
ACTIVITY_SHOWN = 200

RecordRef = str | int | tuple[str, str]
"""A record as ``pk``, ``"#pk"``, ``"SOURCE/ID"`` (split at the first slash) or ``(source, id)``."""


class CaseError(ValueError):
    """A case operation that cannot be done, with the reason."""


class CaseNotFound(CaseError):
    """No such case, or one of another agency (the two are not told apart)."""


def _now() -> datetime:
    return datetime.now(UTC)


def _case(connection: Connection, case_id: int, agency_id: int | None = None) -> dict[str, Any]:
    row = connection.execute(select(cases).where(cases.c.id == case_id)).mappings().first()
    if row is None or (agency_id is not None and row["agency_id"] != agency_id):
        raise CaseNotFound(f"no case {case_id}")
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


def resolve_record(connection: Connection, ref: RecordRef) -> int:
    """A record's primary key from a :data:`RecordRef`; CaseError when there is no such record."""
    if isinstance(ref, tuple):
        source, record_id = ref
        text = f"{source}/{record_id}"
    else:
        text = str(ref).strip()
        source, _, record_id = text.partition("/")
    if isinstance(ref, tuple) or not text.lstrip("#").isdigit():
        pk = connection.execute(
            select(records.c.id).where(records.c.source == source, records.c.record_id == record_id)
        ).scalar()
    else:
        pk = connection.execute(select(records.c.id).where(records.c.id == int(text.lstrip("#")))).scalar()
    if pk is None:
        raise CaseError(f"no record {text[:200]!r} (use PK or SOURCE/ID)")
    return int(pk)


def _clean(text: str) -> str:
    """User text as stored: without NUL characters (PostgreSQL text cannot hold them)."""
    return text.replace("\x00", "")


def _title(title: str) -> str:
    title = _clean(title).strip()
    if not title:
        raise CaseError("a case needs a title")
    if len(title) > MAX_TITLE:
        raise CaseError(f"a case title is at most {MAX_TITLE} characters")
    return title


def create_case(
    engine: Engine, *, agency_id: int, title: str, user_id: int | None, actor: dict | None = None
) -> int:
    """Open a case for an agency (assigned to its creator); returns its id."""
    title = _title(title)
    now = _now()
    with audit.write_transaction(engine) as connection:
        case_id = connection.execute(
            cases.insert()
            .values(
                agency_id=agency_id,
                title=title,
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


def list_cases(
    engine: Engine,
    *,
    agency_id: int | None = None,
    status: str | None = None,
    assignee_id: int | None = None,
    limit: int = 500,
) -> list[dict[str, Any]]:
    """Cases, most recently changed first, with the assignee's name and how many records, networks and
    notes each holds (one agency's when ``agency_id`` is given)."""

    def count(table: Any) -> Any:
        return select(func.count()).where(table.c.case_id == cases.c.id).scalar_subquery()

    query = (
        select(
            cases,
            users.c.username.label("assignee"),
            count(case_records).label("record_count"),
            count(case_networks).label("network_count"),
            count(case_notes).label("note_count"),
        )
        .join(users, users.c.id == cases.c.assigned_to, isouter=True)
        .order_by(cases.c.updated_at.desc(), cases.c.id.desc())
        .limit(limit)
    )
    if agency_id is not None:
        query = query.where(cases.c.agency_id == agency_id)
    if status is not None:
        query = query.where(cases.c.status == status)
    if assignee_id is not None:
        query = query.where(cases.c.assigned_to == assignee_id)
    with engine.connect() as connection:
        return [dict(row) for row in connection.execute(query).mappings()]


def get_case(engine: Engine, case_id: int, *, agency_id: int | None = None) -> dict[str, Any]:
    """A case with its records (each marked attached by hand or pulled in by a network), networks (with
    how many members joined since they were attached), notes, feedback and activity."""
    with engine.connect() as connection:
        case = _case(connection, case_id, agency_id)
        case["assignee"] = connection.execute(
            select(users.c.username).where(users.c.id == case["assigned_to"])
        ).scalar()
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
                    records.c.trafficking_score,
                    records.c.minor_score,
                    records.c.posted_at_offset,
                    case_records.c.added_at,
                    case_records.c.via_network,
                )
                .join(case_records, case_records.c.record_pk == records.c.id)
                .where(case_records.c.case_id == case_id)
                .order_by(records.c.posted_at, records.c.id)
            ).mappings()
        ]
        case["networks"] = [
            {**dict(row), "joined_since": _joined_since(connection, case_id, row["network_id"])}
            for row in connection.execute(
                select(
                    case_networks.c.network_id,
                    case_networks.c.added_at,
                    networks.c.size,
                    networks.c.summary,
                    networks.c.trafficking_score,
                    networks.c.minor_score,
                )
                .join(networks, networks.c.id == case_networks.c.network_id, isouter=True)
                .where(case_networks.c.case_id == case_id)
                .order_by(case_networks.c.added_at)
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
                select(feedback, records.c.source, records.c.record_id, users.c.username)
                .join(records, records.c.id == feedback.c.record_pk, isouter=True)
                .join(users, users.c.id == feedback.c.user_id, isouter=True)
                .where(feedback.c.case_id == case_id)
                .order_by(feedback.c.id)
            ).mappings()
        ]
        case["activity"] = activity(connection, case)
    return case


def _joined_since(connection: Connection, case_id: int, network_id: str) -> int:
    """Members of an attached network that the case does not hold: records the network gained since."""
    held = select(case_records.c.record_pk).where(case_records.c.case_id == case_id)
    return int(
        connection.execute(
            select(func.count())
            .select_from(records)
            .where(records.c.network_id == network_id, records.c.id.not_in(held))
        ).scalar_one()
    )


def activity(
    connection: Connection, case: dict[str, Any], limit: int = ACTIVITY_SHOWN
) -> list[dict[str, Any]]:
    """The case's audit entries, newest first: who did what to it, when (exports included)."""
    target = f"case:{case['id']}"
    query = (
        select(audit_log.c.id, audit_log.c.at, audit_log.c.action, audit_log.c.detail, users.c.username)
        .select_from(audit_log.outerjoin(users, users.c.id == audit_log.c.user_id))
        .where(target[:100] == AUDIT_TARGET_PREFIX, audit_log.c.target == target)
        .where(audit_log.c.agency_id == case["agency_id"])
        .order_by(audit_log.c.id.desc())
        .limit(limit)
    )
    return [dict(row) for row in connection.execute(query).mappings()]


@dataclass(frozen=True)
class Added:
    """What :func:`add_to_case` did: records attached by hand, networks attached, records they pulled in."""

    records: int
    networks: int
    pulled_in: int


def add_to_case(
    engine: Engine,
    case_id: int,
    *,
    record_refs: list[RecordRef] | None = None,
    network_ids: list[str] | None = None,
    user_id: int | None,
    agency_id: int | None = None,
) -> Added:
    """Attach records and networks to a case, in one audited transaction; attaching twice is harmless.

    Records are held from retention. A network's current members are pulled in with it (marked with the
    network, so the case page keeps them apart); a record attached by hand stays marked as such, and
    one first pulled in by a network becomes attached by hand when attached directly."""
    refs, network_ids = list(record_refs or []), list(dict.fromkeys(network_ids or []))
    if len(refs) > MAX_ITEMS or len(network_ids) > MAX_ITEMS:
        raise CaseError(f"at most {MAX_ITEMS} records and {MAX_ITEMS} networks at a time")
    with audit.write_transaction(engine) as connection:
        case = _case(connection, case_id, agency_id)
        pks = list(dict.fromkeys(resolve_record(connection, ref) for ref in refs))
        for network_id in network_ids:
            if connection.execute(select(networks.c.id).where(networks.c.id == network_id)).first() is None:
                raise CaseError(f"no network {network_id[:200]!r}")
        now = _now()

        def held(pk: int, via: str | None) -> dict[str, Any]:
            return {"case_id": case_id, "record_pk": pk, "agency_id": case["agency_id"], "added_at": now,
                    "added_by": user_id, "via_network": via}  # fmt: skip

        if pks:
            connection.execute(
                insert_ignoring_duplicates(connection, case_records), [held(pk, None) for pk in pks]
            )
            connection.execute(
                case_records.update()
                .where(case_records.c.case_id == case_id, case_records.c.record_pk.in_(pks))
                .values(via_network=None)
            )
            _audit(connection, "case.attach_records", case, user_id, record_pks=pks)
        pulled = 0
        for network_id in network_ids:
            connection.execute(
                insert_ignoring_duplicates(connection, case_networks),
                [{"case_id": case_id, "network_id": network_id, "added_at": now, "added_by": user_id}],
            )
            members = list(
                connection.execute(select(records.c.id).where(records.c.network_id == network_id)).scalars()
            )
            if members:
                connection.execute(
                    insert_ignoring_duplicates(connection, case_records),
                    [held(pk, network_id) for pk in members],
                )
            pulled += len(members)
            _audit(
                connection, "case.attach_network", case, user_id, network_id=network_id, records=len(members)
            )
        if pks or network_ids:
            _touch(connection, case_id)
    return Added(records=len(pks), networks=len(network_ids), pulled_in=pulled)


def attach_records(engine: Engine, case_id: int, refs: list[str], *, user_id: int | None) -> list[int]:
    """Attach records by hand (see :func:`add_to_case`); returns their primary keys."""
    with engine.connect() as connection:
        pks = [resolve_record(connection, ref) for ref in refs]
    add_to_case(engine, case_id, record_refs=list(pks), user_id=user_id)
    return pks


def attach_network(engine: Engine, case_id: int, network_id: str, *, user_id: int | None) -> int:
    """Attach a network and pull in its current records (see :func:`add_to_case`); returns how many."""
    return add_to_case(engine, case_id, network_ids=[network_id], user_id=user_id).pulled_in


def add_note(
    engine: Engine, case_id: int, body: str, *, user_id: int | None, agency_id: int | None = None
) -> int:
    """Add a note (kept verbatim, at most ``MAX_NOTE`` characters, always shown escaped)."""
    body = _clean(body)
    if not body.strip():
        raise CaseError("empty note")
    if len(body) > MAX_NOTE:
        raise CaseError(f"a note is at most {MAX_NOTE:,} characters")
    with audit.write_transaction(engine) as connection:
        case = _case(connection, case_id, agency_id)
        note_id = connection.execute(
            case_notes.insert()
            .values(case_id=case_id, user_id=user_id, body=body, created_at=_now())
            .returning(case_notes.c.id)
        ).scalar_one()
        _touch(connection, case_id)
        _audit(connection, "case.note", case, user_id, note_id=note_id)
    return note_id


def set_status(
    engine: Engine, case_id: int, status: str, *, user_id: int | None, agency_id: int | None = None
) -> None:
    """Move a case to ``open``, ``active``, ``referred`` or ``closed``."""
    if status not in STATUSES:
        raise CaseError(f"status must be one of {', '.join(STATUSES)}")
    with audit.write_transaction(engine) as connection:
        case = _case(connection, case_id, agency_id)
        connection.execute(
            cases.update().where(cases.c.id == case_id).values(status=status, updated_at=_now())
        )
        _audit(connection, "case.status", case, user_id, old=case["status"], new=status)


def assign(
    engine: Engine, case_id: int, assignee_id: int, *, user_id: int | None, agency_id: int | None = None
) -> None:
    """Assign a case to a user of the case's own agency."""
    with audit.write_transaction(engine) as connection:
        case = _case(connection, case_id, agency_id)
        agency = connection.execute(select(users.c.agency_id).where(users.c.id == assignee_id)).scalar()
        if agency != case["agency_id"]:
            raise CaseError("a case can only be assigned to a user of its own agency")
        connection.execute(
            cases.update().where(cases.c.id == case_id).values(assigned_to=assignee_id, updated_at=_now())
        )
        _audit(connection, "case.assign", case, user_id, assignee_id=assignee_id)


def agency_members(connection: Connection, agency_id: int) -> list[str]:
    """The usernames of an agency's active users, for assignee menus."""
    query = (
        select(users.c.username)
        .where(users.c.agency_id == agency_id, users.c.disabled.is_(False))
        .order_by(users.c.username)
    )
    return list(connection.execute(query).scalars())


def user_id_of(engine: Engine, username: str, agency_id: int) -> int:
    """The id of an active user of ``agency_id`` by name; CaseError otherwise."""
    with engine.connect() as connection:
        found = connection.execute(
            select(users.c.id).where(and_(users.c.username == username, users.c.agency_id == agency_id))
        ).scalar()
    if found is None:
        raise CaseError(f"no user {username[:150]!r} in this agency")
    return int(found)


def add_feedback(
    engine: Engine,
    case_id: int | None,
    record_ref: RecordRef | None = None,
    *,
    network_id: str | None = None,
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
    """Record a correct/incorrect judgement on a record's or a network's extraction, indicator or outcome.

    Outcome feedback is what ``lantern calibrate`` learns from (see :func:`calibration_labels`):
    "trafficking: correct" means the investigator found the record (or network) to be trafficking
    (label 1); "minor: correct" that a person advertised is a minor.
    """
    if kind not in FEEDBACK_KINDS or verdict not in VERDICTS:
        raise CaseError(f"kind must be one of {FEEDBACK_KINDS} and verdict one of {VERDICTS}")
    if (record_ref is None) == (network_id is None):
        raise CaseError("feedback is on one record or one network")
    if kind == "extraction" and not field:
        raise CaseError("extraction feedback names the field (phones, ages, ...)")
    if kind == "indicator" and not rule_id:
        raise CaseError("indicator feedback names the rule id")
    if kind == "outcome" and target not in TARGETS:
        raise CaseError(f"outcome feedback needs a target: {', '.join(TARGETS)}")
    if note is not None and len(note) > MAX_NOTE:
        raise CaseError(f"a note is at most {MAX_NOTE:,} characters")
    with audit.write_transaction(engine) as connection:
        pk = resolve_record(connection, record_ref) if record_ref is not None else None
        if (
            network_id is not None
            and connection.execute(select(networks.c.id).where(networks.c.id == network_id)).first() is None
        ):
            raise CaseError(f"no network {network_id[:200]!r}")
        if case_id is not None:
            _case(connection, case_id, agency_id)
        feedback_id = connection.execute(
            feedback.insert()
            .values(case_id=case_id, record_pk=pk, network_id=network_id, user_id=user_id, agency_id=agency_id,
                    kind=kind, field=field, value=value, rule_id=rule_id, target=target, verdict=verdict,
                    note=note, created_at=_now())
            .returning(feedback.c.id)
        ).scalar_one()  # fmt: skip
        subject = f"record:{pk}" if pk is not None else f"network:{network_id}"
        audit.append(
            connection, "feedback.add", user_id=user_id, agency_id=agency_id,
            target=f"case:{case_id}" if case_id is not None else subject,
            detail={"on": subject, "case_id": case_id, "kind": kind, "verdict": verdict, "rule_id": rule_id,
                    "field": field, "target": target},
        )  # fmt: skip
    return feedback_id


def calibration_labels(engine: Engine, *, agency_id: int | None = None) -> list[dict[str, Any]]:
    """Outcome feedback in ``lantern calibrate``'s label format; the newest judgement per record wins.

    A judgement on a network labels each of its current members (a later judgement on one member, or on
    the network again, overrides it)."""
    query = (
        select(feedback.c.id, feedback.c.target, feedback.c.verdict, feedback.c.network_id,
               records.c.source, records.c.record_id)
        .join(records, records.c.id == feedback.c.record_pk, isouter=True)
        .where(feedback.c.kind == "outcome")
        .order_by(feedback.c.id)
    )  # fmt: skip
    if agency_id is not None:
        query = query.where(feedback.c.agency_id == agency_id)
    latest: dict[tuple[str, str, str], dict[str, Any]] = {}
    with engine.connect() as connection:
        for row in connection.execute(query).all():
            label = 1 if row.verdict == "correct" else 0
            if row.network_id is not None:
                members = connection.execute(
                    select(records.c.source, records.c.record_id).where(
                        records.c.network_id == row.network_id
                    )
                ).all()
            else:
                members = [(row.source, row.record_id)]
            for source, record_id in members:
                latest[(source, record_id, row.target)] = {
                    "source": source, "id": record_id, "label": label, "target": row.target,
                }  # fmt: skip
    return list(latest.values())
