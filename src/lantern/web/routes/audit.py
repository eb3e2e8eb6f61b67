"""The agency's audit log for supervisors (and admins), newest first, and a check of the whole chain.

Supervisors see the entries whose ``agency_id`` is their agency; admins (``audit_all``) may switch to
every agency's. Paging goes by entry id (``before``), so a page stays put while entries are appended.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from lantern.security import audit as audit_log
from lantern.security.web import Principal, audit, require
from lantern.web.routes.common import lenient_page, render

router = APIRouter()

PAGE = 50


def _page(request: Request, principal: Principal, verified: audit_log.VerifyResult | None = None):
    everyone = request.query_params.get("scope") == "all" and principal.can("audit_all")
    before = request.query_params.get("before")
    before_id = lenient_page(before) if before else None
    with request.app.state.engine.connect() as connection:
        rows = audit_log.entries(
            connection,
            agency_id=None if everyone else principal.agency_id,
            limit=PAGE + 1,
            before_id=before_id,
        )
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    for row in rows:
        row["detail_text"] = json.dumps(row.get("detail") or {}, sort_keys=True, ensure_ascii=False)[:600]
    return render(
        request,
        "audit.html",
        {
            "entries": rows,
            "next_before": rows[-1]["id"] if more and rows else None,
            "everyone": everyone,
            "may_see_all": principal.can("audit_all"),
            "verified": verified,
        },
    )


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, principal: Principal = Depends(require("audit_agency"))) -> HTMLResponse:
    return _page(request, principal)


@router.post("/audit/verify", response_class=HTMLResponse)
async def audit_verify(
    request: Request, principal: Principal = Depends(require("audit_agency"))
) -> HTMLResponse:
    def check() -> audit_log.VerifyResult:
        with request.app.state.engine.connect() as connection:
            return audit_log.verify(connection)

    result = await run_in_threadpool(check)
    detail = {"ok": result.ok, "entries": result.entries, "broken_id": result.broken_id}
    await run_in_threadpool(audit, request, "audit.verify", "audit_log", detail)
    return await run_in_threadpool(_page, request, principal, result)
