"""The JSON API of the investigator's workspace: Today, the networks list, review state, cases (items,
notes, status, assignee, evidence export) and feedback. Reads need the read scope, changes the write
scope, the evidence bundle the export scope (``lantern.security.roles``); everything is agency-scoped
and audited by the services it calls.
"""

from __future__ import annotations

import shutil
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import FileResponse
from sqlalchemy.engine import Connection
from starlette.background import BackgroundTask

from lantern.cases import service
from lantern.cases.review import network_states, record_states
from lantern.security.web import Principal, audit, require
from lantern.web import actions
from lantern.web.deps import get_connection
from lantern.web.models import (
    CaseCreate,
    CaseDetail,
    CaseItems,
    CaseItemsAdded,
    CasePatch,
    CaseSummary,
    Created,
    FeedbackRequest,
    NetworkList,
    NetworkSort,
    NoteCreate,
    ReviewRequest,
    ReviewState,
    TodayPage,
    TriageFilters,
    TriageQueue,
)
from lantern.web.views.cards import MAX_PAGE, PAGE_SIZE
from lantern.web.views.cases import case_summary, case_view
from lantern.web.views.network_list import NetworkFilters, network_list
from lantern.web.views.today import today
from lantern.web.views.triage import review_of, triage_queue

router = APIRouter()

CaseId = Annotated[int, Path(ge=1, le=2_147_483_647)]

WRITE = require("case_write")


@router.get("/today", response_model=TodayPage)
def api_today(
    request: Request,
    connection: Connection = Depends(get_connection),
    principal: Principal = Depends(require("read")),
) -> TodayPage:
    """What is new since the caller's last visit: records, grown networks, their cases, alerts, minors."""
    return today(
        connection, request.app.state.engine, user_id=principal.user_id, agency_id=principal.agency_id
    )


@router.get("/networks", response_model=NetworkList)
def api_networks(
    sort: NetworkSort = "minor",
    limit: int = Query(PAGE_SIZE, ge=1, le=100),
    page: int = Query(1, ge=1, le=MAX_PAGE),
    min_minor: float | None = Query(None, ge=0, le=1),
    min_trafficking: float | None = Query(None, ge=0, le=1),
    min_size: int | None = Query(None, ge=1, le=2_147_483_647),
    city: str | None = Query(None, max_length=200),
    site: str | None = Query(None, max_length=1000),
    seen_from: date | None = None,
    seen_to: date | None = None,
    grew_since: date | None = None,
    connection: Connection = Depends(get_connection),
    principal: Principal = Depends(require("read")),
) -> NetworkList:
    """Networks sorted by minor or trafficking risk, size, first or last seen, or growth since a date."""
    filters = NetworkFilters(min_minor, min_trafficking, min_size, city, site, seen_from, seen_to, grew_since)
    return network_list(
        connection, filters, sort=sort, page=page, page_size=limit, agency_id=principal.agency_id
    )


@router.get("/triage/queue", response_model=TriageQueue)
def api_triage_queue(
    request: Request,
    state: Literal["queue", "all", "new", "reviewed", "dismissed", "escalated", "mine"] = "queue",
    city: str | None = Query(None, max_length=200),
    site: str | None = Query(None, max_length=1000),
    date_from: date | None = Query(None, alias="from"),
    date_to: date | None = Query(None, alias="to"),
    kind: Literal["ad", "post"] | None = None,
    min_minor: float | None = Query(None, ge=0, le=1),
    max_minor: float | None = Query(None, ge=0, le=1),
    min_trafficking: float | None = Query(None, ge=0, le=1),
    max_trafficking: float | None = Query(None, ge=0, le=1),
    after: str | None = Query(None, max_length=80, description="next_after of the previous page"),
    limit: int = Query(PAGE_SIZE, ge=1, le=100),
    connection: Connection = Depends(get_connection),
    principal: Principal = Depends(require("read")),
) -> TriageQueue:
    """The agency's triage queue: one row per network (its best record, reasons, score breakdown, review
    state), records and networks the agency reviewed or dismissed left out unless ``state`` asks."""
    filters = TriageFilters(city=city, site=site, date_from=date_from, date_to=date_to, kind=kind,
                            min_minor=min_minor, max_minor=max_minor, min_trafficking=min_trafficking,
                            max_trafficking=max_trafficking, state=state)  # fmt: skip
    return triage_queue(connection, filters, agency_id=principal.agency_id, user_id=principal.user_id,
                        after=after, page_size=limit)  # fmt: skip


@router.post("/review", response_model=ReviewState)
def api_review(body: ReviewRequest, request: Request, principal: Principal = Depends(WRITE)) -> ReviewState:
    """Set the agency's review state (new, reviewed, dismissed, escalated) and assignee of a record or
    network; reviewed and dismissed items leave the agency's default triage queue."""
    record = actions.record_ref(body.record) if body.record else None
    row = actions.set_review(
        request, principal, body.state, record=record, network=body.network, assignee=body.assignee
    )
    with request.app.state.engine.connect() as connection:
        if body.network:
            row = network_states(connection, principal.agency_id, [body.network]).get(body.network, row)
        else:
            row = record_states(connection, principal.agency_id, [row["record_pk"]]).get(
                row["record_pk"], row
            )
    return review_of(row)


@router.get("/cases", response_model=list[CaseSummary])
def api_cases(request: Request, principal: Principal = Depends(require("read"))) -> list[CaseSummary]:
    """The agency's cases, most recently changed first."""
    return [
        case_summary(row)
        for row in service.list_cases(request.app.state.engine, agency_id=principal.agency_id)
    ]


@router.post("/cases", response_model=Created, status_code=201)
def api_create_case(body: CaseCreate, request: Request, principal: Principal = Depends(WRITE)) -> Created:
    """Open a case in the caller's agency, assigned to the caller."""
    return Created(id=actions.create_case(request, principal, body.title))


def _case(request: Request, principal: Principal, case_id: int) -> CaseDetail:
    with actions.refusals():
        return case_view(service.get_case(request.app.state.engine, case_id, agency_id=principal.agency_id))


@router.get("/cases/{case_id}", response_model=CaseDetail)
def api_case(
    case_id: CaseId, request: Request, principal: Principal = Depends(require("read"))
) -> CaseDetail:
    """A case: records (attached by hand or pulled in by a network), networks, notes, feedback, activity."""
    detail = _case(request, principal, case_id)
    audit(request, "case.view", f"case:{case_id}")
    return detail


@router.patch("/cases/{case_id}", response_model=CaseDetail)
def api_patch_case(
    case_id: CaseId, body: CasePatch, request: Request, principal: Principal = Depends(WRITE)
) -> CaseDetail:
    """Change a case's status (open, active, referred, closed) or assignee (a username of the agency)."""
    actions.update_case(request, principal, case_id, body.status, body.assignee)
    return _case(request, principal, case_id)


@router.post("/cases/{case_id}/items", response_model=CaseItemsAdded)
def api_case_items(
    case_id: CaseId, body: CaseItems, request: Request, principal: Principal = Depends(WRITE)
) -> CaseItemsAdded:
    """Attach records and networks (a network pulls in its current records, kept apart on the case)."""
    added = actions.add_to_case(
        request, principal, case_id, [actions.record_ref(r) for r in body.records], body.networks
    )
    return CaseItemsAdded(records=added.records, networks=added.networks, pulled_in=added.pulled_in)


@router.post("/cases/{case_id}/notes", response_model=Created, status_code=201)
def api_case_note(
    case_id: CaseId, body: NoteCreate, request: Request, principal: Principal = Depends(WRITE)
) -> Created:
    """Add a note to a case (kept verbatim, shown escaped, at most 10,000 characters)."""
    return Created(id=actions.add_note(request, principal, case_id, body.text))


@router.post("/feedback", response_model=Created, status_code=201)
def api_feedback(body: FeedbackRequest, request: Request, principal: Principal = Depends(WRITE)) -> Created:
    """Judge a record or network: the lead is right or wrong, a person is or is not a minor, an indicator
    fired rightly or wrongly. Lead and minor judgements feed ``lantern calibrate``."""
    if body.kind == "indicator" and not body.indicator:
        raise HTTPException(400, "indicator feedback names the indicator")
    record = actions.record_ref(body.record) if body.record else None
    feedback_id = actions.add_feedback(
        request, principal, body.kind, body.verdict, record=record, network=body.network,
        indicator=body.indicator, case_id=body.case, note=body.note,
    )  # fmt: skip
    return Created(id=feedback_id)


@router.get(
    "/cases/{case_id}/export",
    response_class=FileResponse,
    responses={200: {"content": {"application/zip": {}}, "description": "The evidence bundle"}},
)
def api_case_export(
    case_id: CaseId, request: Request, principal: Principal = Depends(require("export"))
) -> FileResponse:
    """The case's evidence bundle: report.pdf, case.json, records.csv, preserved originals, images,
    manifest.json and SHA256SUMS, zipped (audited with the zip's SHA-256)."""
    return bundle_response(request, principal, case_id)


def bundle_response(request: Request, principal: Principal, case_id: int) -> FileResponse:
    path = actions.export(request, principal, case_id)
    return FileResponse(
        path,
        media_type="application/zip",
        filename=path.name,
        headers={"Cache-Control": "private, no-store"},
        background=BackgroundTask(shutil.rmtree, path.parent, ignore_errors=True),
    )
