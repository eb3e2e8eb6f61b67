"""The network page (figures, scores and indicators, itinerary, templates, graph, members and why each
belongs) and the list of suppressed hubs the linker never links through."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.engine import Connection

from lantern.security.web import Principal, audit, require
from lantern.web.deps import get_connection
from lantern.web.links import link_cache
from lantern.web.routes.common import lenient_page, render
from lantern.web.views.network_list import NetworkFilters, network_list
from lantern.web.views.networks import hubs, network_detail

router = APIRouter(dependencies=[Depends(require("read"))])

HUB_KINDS = ("phone", "email", "handle", "payment", "image", "text")


@router.get("/hubs", response_class=HTMLResponse)
def hubs_page(request: Request, connection: Connection = Depends(get_connection)) -> HTMLResponse:
    kind = request.query_params.get("kind")
    kind = kind if kind in HUB_KINDS else None
    return render(request, "hubs.html", {"hubs": hubs(connection, kind), "kind": kind, "kinds": HUB_KINDS})


LIST_SORTS = ("minor", "trafficking", "size", "last_seen", "first_seen", "grew")
LIST_KEYS = (
    "sort",
    "min_minor",
    "min_trafficking",
    "min_size",
    "city",
    "site",
    "seen_from",
    "seen_to",
    "grew_since",
)


def _number(value: str | None, kind: type, low: float, high: float):
    try:
        number = kind(value) if value not in (None, "") else None
    except ValueError:
        return None
    return number if number is None or low <= number <= high else None


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@router.get("/networks", response_class=HTMLResponse)
def networks_page(
    request: Request,
    connection: Connection = Depends(get_connection),
    principal: Principal = Depends(require("read")),
) -> HTMLResponse:
    """Every network, sorted and filtered; a blank or malformed filter is ignored."""
    params = {k: v[:200] for k, v in request.query_params.items() if k in LIST_KEYS}
    sort = params.get("sort") if params.get("sort") in LIST_SORTS else "minor"
    filters = NetworkFilters(
        min_minor=_number(params.get("min_minor"), float, 0, 1),
        min_trafficking=_number(params.get("min_trafficking"), float, 0, 1),
        min_size=_number(params.get("min_size"), int, 1, 10**9),
        city=(params.get("city") or "").strip() or None,
        site=(params.get("site") or "").strip() or None,
        seen_from=_day(params.get("seen_from")),
        seen_to=_day(params.get("seen_to")),
        grew_since=_day(params.get("grew_since")),
    )
    listing = network_list(
        connection, filters, sort=sort, page=lenient_page(request.query_params.get("page")),  # type: ignore[arg-type]
        agency_id=principal.agency_id,
    )  # fmt: skip
    return render(request, "networks.html", {"listing": listing, "params": params, "sorts": LIST_SORTS})


@router.get("/networks/{network_id:path}", response_class=HTMLResponse)
def network_page(
    request: Request, network_id: str, connection: Connection = Depends(get_connection)
) -> HTMLResponse:
    detail = network_detail(connection, network_id, link_cache(request))
    if detail is None:
        raise HTTPException(404, "No such network")
    audit(request, "network.view", f"network:{network_id}")
    return render(request, "network.html", {"network": detail})
