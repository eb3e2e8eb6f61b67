"""The network page (figures, scores and indicators, itinerary, templates, graph, members and why each
belongs) and the list of suppressed hubs the linker never links through."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.engine import Connection

from lantern.security.web import audit, require
from lantern.web.deps import get_connection
from lantern.web.links import link_cache
from lantern.web.routes.common import render
from lantern.web.views.networks import hubs, network_detail

router = APIRouter(dependencies=[Depends(require("read"))])

HUB_KINDS = ("phone", "email", "handle", "payment", "image", "text")


@router.get("/hubs", response_class=HTMLResponse)
def hubs_page(request: Request, connection: Connection = Depends(get_connection)) -> HTMLResponse:
    kind = request.query_params.get("kind")
    kind = kind if kind in HUB_KINDS else None
    return render(request, "hubs.html", {"hubs": hubs(connection, kind), "kind": kind, "kinds": HUB_KINDS})


@router.get("/networks/{network_id:path}", response_class=HTMLResponse)
def network_page(
    request: Request, network_id: str, connection: Connection = Depends(get_connection)
) -> HTMLResponse:
    detail = network_detail(connection, network_id, link_cache(request))
    if detail is None:
        raise HTTPException(404, "No such network")
    audit(request, "network.view", f"network:{network_id}")
    return render(request, "network.html", {"network": detail})
