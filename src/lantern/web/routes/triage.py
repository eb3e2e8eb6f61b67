"""The triage queue as a workflow: the agency's review state on records and networks, one row per
network with its best reasons, filters, and keys (j/k move, Enter or o open, r review, d dismiss,
e escalate, x select, c add to case)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from sqlalchemy.engine import Connection

from lantern.cases.service import agency_members
from lantern.security.web import Principal, require
from lantern.web.deps import get_connection
from lantern.web.models import TriageFilters
from lantern.web.routes.common import lenient_filters, lenient_page, render
from lantern.web.views.triage import triage_queue

router = APIRouter()

FORM_KEYS = ("city", "site", "from", "to", "kind", "min_minor", "max_minor", "min_trafficking",
             "max_trafficking", "state")  # fmt: skip
STATES = ("queue", "all", "new", "reviewed", "dismissed", "escalated", "mine")


def triage_filters(params: dict[str, str]) -> TriageFilters:
    """Filters from the form; a blank or malformed field is ignored rather than an error page."""
    base = lenient_filters(params).model_dump()
    extra = {}
    for key in ("max_minor", "max_trafficking"):
        try:
            extra[key] = (
                TriageFilters(**{key: params.get(key)}).model_dump()[key] if params.get(key) else None
            )
        except ValidationError:
            extra[key] = None
    state = params.get("state") if params.get("state") in STATES else "queue"
    return TriageFilters(**base, **extra, state=state)


@router.get("/triage", response_class=HTMLResponse)
def triage_page(
    request: Request,
    connection: Connection = Depends(get_connection),
    principal: Principal = Depends(require("read")),
) -> HTMLResponse:
    params = {k: v[:200] for k, v in request.query_params.items() if k in (*FORM_KEYS, "after", "page")}
    filters = triage_filters(params)
    queue = triage_queue(
        connection,
        filters,
        agency_id=principal.agency_id,
        user_id=principal.user_id,
        after=params.get("after"),
        page=lenient_page(params.get("page")),
    )
    form = {k: v for k, v in params.items() if k in FORM_KEYS}
    members = agency_members(connection, principal.agency_id) if principal.can("case_write") else []
    return render(
        request, "triage.html", {"queue": queue, "params": form, "states": STATES, "members": members}
    )
