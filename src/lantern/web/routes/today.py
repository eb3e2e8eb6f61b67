"""Today, the home page: what is new since the investigator's last visit (``lantern.web.views.today``)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.engine import Connection

from lantern.cases import visits
from lantern.security.web import Principal, require
from lantern.web.deps import get_connection
from lantern.web.routes.common import render
from lantern.web.views.today import fetch_today, today_view

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def today_page(
    request: Request,
    connection: Connection = Depends(get_connection),
    principal: Principal = Depends(require("read")),
) -> HTMLResponse:
    since = visits.visit(request.app.state.engine, principal.user_id)
    found = fetch_today(
        connection, request.app.state.engine, since, user_id=principal.user_id, agency_id=principal.agency_id
    )
    return render(request, "today.html", {"today": today_view(found)})
