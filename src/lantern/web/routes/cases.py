"""Cases in the browser: the list, a new case, a case page (records attached by hand apart from those
an attached network pulled in, networks that grew since, notes, feedback, the timeline), "add to case"
from every page, notes, status and assignee, feedback, and the evidence bundle.

Forms post here and come back (303) to the page they were sent from, with a short notice; the same
actions are in the JSON API (``routes/workspace_api.py``), through the same ``lantern.web.actions``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

from lantern.cases import service
from lantern.security.web import Principal, audit, require
from lantern.web import actions
from lantern.web.routes.account import safe_next
from lantern.web.routes.common import render
from lantern.web.routes.workspace_api import CaseId, bundle_response
from lantern.web.views.cases import case_summary, case_view

router = APIRouter()

WRITE = require("case_write")


def back(next_url: str, notice: str, **extra: object) -> RedirectResponse:
    """Back to the page the form came from (a local path only), with a notice code for it to show."""
    target = safe_next(next_url)
    path, _, fragment = target.partition("#")
    joiner = "&" if "?" in path else "?"
    query = urlencode({"notice": notice, **{k: v for k, v in extra.items() if v is not None}})
    return RedirectResponse(f"{path}{joiner}{query}" + (f"#{fragment}" if fragment else ""), status_code=303)


@router.get("/cases", response_class=HTMLResponse)
def cases_page(request: Request, principal: Principal = Depends(require("read"))) -> HTMLResponse:
    status = request.query_params.get("status")
    status = status if status in service.STATUSES else None
    rows = service.list_cases(request.app.state.engine, agency_id=principal.agency_id, status=status)
    return render(request, "cases.html", {"cases": [case_summary(r) for r in rows], "status": status,
                                          "statuses": service.STATUSES})  # fmt: skip


@router.post("/cases")
def create_case(
    request: Request, title: str = Form(""), next: str = Form(""), principal: Principal = Depends(WRITE)
) -> RedirectResponse:
    case_id = actions.create_case(request, principal, title)
    return back(next or f"/cases/{case_id}", "created", case=case_id)


@router.post("/cases/add")
def add_to_case(
    request: Request,
    case: str = Form(""),
    title: str = Form(""),
    record: list[str] = Form([]),
    network: list[str] = Form([]),
    next: str = Form("/"),
    principal: Principal = Depends(WRITE),
) -> RedirectResponse:
    """ "Add to case" from any page: the chosen case, or a new one named ``title``; records as
    ``source/id`` (checked rows or the page's own record), networks by id."""
    refs = [actions.record_ref(item) for item in record if item]
    networks = [item for item in network if item]
    if case == "new" or not case:
        case_id = actions.create_case(request, principal, title)
    elif case.isdigit() and len(case) < 10:
        case_id = int(case)
    else:
        return back(next, "error")
    added = actions.add_to_case(request, principal, case_id, refs, networks)
    return back(next, "added", case=case_id, records=added.records, networks=added.networks)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    case_id: CaseId, request: Request, principal: Principal = Depends(require("read"))
) -> HTMLResponse:
    engine = request.app.state.engine
    with actions.refusals():
        detail = case_view(service.get_case(engine, case_id, agency_id=principal.agency_id))
    with engine.connect() as connection:
        members = service.agency_members(connection, principal.agency_id)
    audit(request, "case.view", f"case:{case_id}")
    return render(request, "case.html", {"case": detail, "members": members, "statuses": service.STATUSES})


@router.post("/cases/{case_id}/notes")
def case_note(
    case_id: CaseId, request: Request, text: str = Form(""), principal: Principal = Depends(WRITE)
) -> RedirectResponse:
    actions.add_note(request, principal, case_id, text)
    return back(f"/cases/{case_id}#notes", "note")


@router.post("/cases/{case_id}/update")
def case_update(
    case_id: CaseId,
    request: Request,
    status: str = Form(""),
    assignee: str = Form(""),
    principal: Principal = Depends(WRITE),
) -> RedirectResponse:
    actions.update_case(request, principal, case_id, status or None, assignee or None)
    return back(f"/cases/{case_id}", "updated")


@router.get("/cases/{case_id}/export")
def case_export(
    case_id: CaseId, request: Request, principal: Principal = Depends(require("export"))
) -> FileResponse:
    """The evidence bundle, downloaded from the case page (the same zip as ``lantern cases export``)."""
    return bundle_response(request, principal, case_id)


@router.post("/review")
def review(
    request: Request,
    state: str = Form(...),
    record: str = Form(""),
    network: str = Form(""),
    assignee: str = Form(""),
    next: str = Form("/triage"),
    principal: Principal = Depends(WRITE),
) -> RedirectResponse:
    """Review, dismiss, escalate or assign a record or a network for the agency."""
    actions.set_review(
        request, principal, state, record=actions.record_ref(record) if record else None,
        network=network or None, assignee=assignee or None,
    )  # fmt: skip
    return back(next, "review")


@router.post("/feedback")
def feedback(
    request: Request,
    kind: str = Form(...),
    verdict: str = Form(...),
    record: str = Form(""),
    network: str = Form(""),
    indicator: str = Form(""),
    case: str = Form(""),
    next: str = Form("/"),
    principal: Principal = Depends(WRITE),
) -> RedirectResponse:
    """This lead is right or wrong, this person is or is not a minor, this indicator fired wrongly."""
    actions.add_feedback(
        request, principal, kind, verdict, record=actions.record_ref(record) if record else None,
        network=network or None, indicator=indicator or None, case_id=int(case) if case.isdigit() and len(case) < 10 else None,
    )  # fmt: skip
    return back(next, "feedback")
