"""Entity pages: everything that uses one phone, email, handle, payment, URL, name or image, over time."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.engine import Connection

from lantern.extract import ExtractConfig
from lantern.security.web import audit, require
from lantern.web.deps import get_connection, get_extract_config
from lantern.web.routes.common import lenient_page, render
from lantern.web.security import is_sha256
from lantern.web.views.entities import entity_detail, normalise_entity

router = APIRouter(dependencies=[Depends(require("read"))])

KINDS = ("phone", "email", "handle", "payment", "url", "name", "image")


def checked_entity(kind: str, value: str, config: ExtractConfig) -> str:
    """The stored form of the identifier, or 404 for an unknown kind or a malformed image name."""
    if kind not in KINDS:
        raise HTTPException(404, "Unknown identifier kind")
    if kind == "image" and not is_sha256(value):
        raise HTTPException(404, "Images are named by their SHA-256")
    return normalise_entity(kind, value, config)


@router.get("/entities/{kind}/{value:path}", response_class=HTMLResponse)
def entity_page(
    request: Request,
    kind: str,
    value: str,
    connection: Connection = Depends(get_connection),
    config: ExtractConfig = Depends(get_extract_config),
) -> HTMLResponse:
    value = checked_entity(kind, value, config)
    audit(request, "entity.view", f"{kind}:{value}")
    detail = entity_detail(connection, kind, value, page=lenient_page(request.query_params.get("page")))
    return render(request, "entity.html", {"entity": detail})
