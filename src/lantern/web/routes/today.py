"""Today, the home page: what is new since the investigator's last visit (``lantern.web.views.today``)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.engine import Connection

from lantern.security.web import Principal, require
from lantern.web.deps import get_connection
from lantern.web.routes.common import render
from lantern.web.views.today import today

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def today_page(
    request: Request,
    connection: Connection = Depends(get_connection),
    principal: Principal = Depends(require("read")),
) -> HTMLResponse:
    page = today(
        connection, request.app.state.engine, user_id=principal.user_id, agency_id=principal.agency_id
    )
    return render(request, "today.html", {"today": page})
