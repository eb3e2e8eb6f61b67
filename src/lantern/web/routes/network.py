"""The network page: members and why each belongs, graph, itinerary map, timeline, contacts, personas."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.engine import Connection

from lantern.web import queries
from lantern.web.deps import get_connection
from lantern.web.routes.common import render

router = APIRouter()


@router.get("/networks/{network_id:path}", response_class=HTMLResponse)
def network_page(
    request: Request, network_id: str, connection: Connection = Depends(get_connection)
) -> HTMLResponse:
    detail = queries.network_detail(connection, network_id)
    if detail is None:
        raise HTTPException(404, "No such network")
    return render(request, "network.html", {"network": detail})
