"""The triage queue: likely minors first, each with its top reasons; j/k to move, Enter or o to open."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.engine import Connection

from lantern.security.web import require
from lantern.web.deps import get_connection
from lantern.web.routes.common import lenient_page, render
from lantern.web.views.triage import triage

router = APIRouter(dependencies=[Depends(require("read"))])


@router.get("/triage", response_class=HTMLResponse)
def triage_page(request: Request, connection: Connection = Depends(get_connection)) -> HTMLResponse:
    page = triage(connection, page=lenient_page(request.query_params.get("page")))
    return render(request, "triage.html", {"queue": page})
