"""Triage as a workflow: each agency's review state of records and networks, with who and when.

A record or network an agency has not touched is ``new``. Reviewing or dismissing takes it out of that
agency's default queue; escalating keeps it in and marks it; an assignee names who should look. The
corpus is shared, the review state is not: every row belongs to one agency. Every change is audited.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, and_, select, update
from sqlalchemy.engine import Connection

from lantern.cases.service import CaseError, RecordRef, resolve_record
from lantern.security import audit
from lantern.store.dialect import insert_ignoring_duplicates
from lantern.store.schema import network_reviews, networks, record_reviews, users

STATES = ("new", "reviewed", "dismissed", "escalated")
OUT_OF_QUEUE = ("reviewed", "dismissed")
"""States that take an item out of the agency's default queue."""


def set_review(
    engine: Engine,
    *,
    agency_id: int,
    user_id: int | None,
    state: str,
    record: RecordRef | None = None,
    network_id: str | None = None,
    assignee_id: int | None = None,
) -> dict[str, Any]:
    """Set the agency's state (and optionally the assignee) of one record or one network; returns the row."""
    if state not in STATES:
        raise CaseError(f"state must be one of {', '.join(STATES)}")
    if (record is None) == (network_id is None):
        raise CaseError("a review is of one record or one network")
    now = datetime.now(UTC)
    with audit.write_transaction(engine) as connection:
        if assignee_id is not None:
            agency = connection.execute(select(users.c.agency_id).where(users.c.id == assignee_id)).scalar()
            if agency != agency_id:
                raise CaseError("the assignee must be a user of the agency")
        if record is not None:
            table, key_column, key = record_reviews, "record_pk", resolve_record(connection, record)
            subject = f"record:{key}"
        else:
            if connection.execute(select(networks.c.id).where(networks.c.id == network_id)).first() is None:
                raise CaseError(f"no network {str(network_id)[:200]!r}")
            table, key_column, key, subject = (
                network_reviews,
                "network_id",
                network_id,
                f"network:{network_id}",
            )
        row = {"agency_id": agency_id, key_column: key, "state": state, "assignee_id": assignee_id,
               "updated_by": user_id, "updated_at": now}  # fmt: skip
        connection.execute(insert_ignoring_duplicates(connection, table), [row])
        values = {"state": state, "updated_by": user_id, "updated_at": now}
        if assignee_id is not None:
            values["assignee_id"] = assignee_id
        connection.execute(
            update(table)
            .where(and_(table.c.agency_id == agency_id, table.c[key_column] == key))
            .values(**values)
        )
        audit.append(connection, "review.set", user_id=user_id, agency_id=agency_id, target=subject,
                     detail={"state": state, "assignee_id": assignee_id})  # fmt: skip
        stored = (
            connection.execute(
                select(table).where(table.c.agency_id == agency_id, table.c[key_column] == key)
            )
            .mappings()
            .one()
        )
    return dict(stored)


def record_states(connection: Connection, agency_id: int, pks: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The agency's review rows of these records (state, assignee's name, who, when), by record pk."""
    pks = list(pks)
    if not pks:
        return {}
    return {
        row["record_pk"]: row
        for row in _states(connection, record_reviews, agency_id, record_reviews.c.record_pk.in_(pks))
    }


def network_states(connection: Connection, agency_id: int, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The agency's review rows of these networks, by network id."""
    ids = list(ids)
    if not ids:
        return {}
    return {
        row["network_id"]: row
        for row in _states(connection, network_reviews, agency_id, network_reviews.c.network_id.in_(ids))
    }


def _states(connection: Connection, table: Any, agency_id: int, which: Any) -> list[dict[str, Any]]:
    assignee, by = users.alias("assignee"), users.alias("by")
    query = (
        select(table, assignee.c.username.label("assignee"), by.c.username.label("updated_by_name"))
        .join(assignee, assignee.c.id == table.c.assignee_id, isouter=True)
        .join(by, by.c.id == table.c.updated_by, isouter=True)
        .where(table.c.agency_id == agency_id, which)
    )
    return [dict(row) for row in connection.execute(query).mappings()]
