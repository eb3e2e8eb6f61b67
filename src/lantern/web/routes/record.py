"""The record page: highlighted text with reasons, the preserved original and its revisions, images."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.engine import Connection

from lantern.security.web import audit, require
from lantern.web.deps import get_connection
from lantern.web.routes.common import render
from lantern.web.views.records import record_detail

router = APIRouter(dependencies=[Depends(require("read"))])


@router.get("/records/{source}/{record_id:path}", response_class=HTMLResponse)
def record_page(
    request: Request, source: str, record_id: str, connection: Connection = Depends(get_connection)
) -> HTMLResponse:
    detail = record_detail(connection, source, record_id)
    if detail is None:
        raise HTTPException(404, "No such record")
    audit(request, "record.view", f"record:{source}:{record_id}")
    return render(request, "record.html", {"record": detail})
