"""The JSON API: the same reads as the pages, with Pydantic response models (see ``/openapi.json``)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, Response, UploadFile
from sqlalchemy.engine import Connection

from lantern.config import Settings
from lantern.extract import ExtractConfig
from lantern.security.web import audit, require
from lantern.web.deps import get_connection, get_extract_config, get_settings
from lantern.web.imagesearch import DEFAULT_MAX_DISTANCE, search_image
from lantern.web.links import link_cache
from lantern.web.models import (
    EntityDetail,
    HubsPage,
    ImageSearchResponse,
    NetworkDetail,
    RecordDetail,
    SearchFilters,
    SearchResponse,
    SortOrder,
    TriagePage,
    WhyResponse,
)
from lantern.web.routes.common import search_detail
from lantern.web.routes.entities import checked_entity
from lantern.web.routes.images import image_search_detail, read_upload
from lantern.web.security import image_may_be_shown, is_sha256
from lantern.web.views import entities, networks, records, search, triage
from lantern.web.views.cards import MAX_PAGE, PAGE_SIZE
from lantern.web.views.images import image_info

router = APIRouter()


@router.get("/search", response_model=SearchResponse, dependencies=[Depends(require("search"))])
def api_search(
    request: Request,
    q: str = Query("", max_length=500, description="Phone (any format), email, handle, @handle or words"),
    city: str | None = Query(None, max_length=200),
    site: str | None = Query(None, max_length=1000),
    date_from: date | None = Query(None, alias="from"),
    date_to: date | None = Query(None, alias="to"),
    kind: Literal["ad", "post"] | None = None,
    min_trafficking: float | None = Query(None, ge=0, le=1),
    min_minor: float | None = Query(None, ge=0, le=1),
    sort: SortOrder = "relevance",
    page: int = Query(1, ge=1, le=MAX_PAGE),
    page_size: int = Query(PAGE_SIZE, ge=1, le=100),
    connection: Connection = Depends(get_connection),
    config: ExtractConfig = Depends(get_extract_config),
) -> SearchResponse:
    """Search records; contacts are matched by their normalised value, other text by full-text search."""
    filters = SearchFilters(
        city=city,
        site=site,
        date_from=date_from,
        date_to=date_to,
        kind=kind,
        min_trafficking=min_trafficking,
        min_minor=min_minor,
    )
    audit(request, "search", "records", search_detail(q, filters, sort, page))
    return search.search(connection, q, filters, sort=sort, page=page, page_size=page_size, config=config)


@router.get(
    "/records/{source}/{record_id:path}", response_model=RecordDetail, dependencies=[Depends(require("read"))]
)
def api_record(
    request: Request, source: str, record_id: str, connection: Connection = Depends(get_connection)
) -> RecordDetail:
    """One record with highlighted spans, reasons, images, and every preserved revision with its SHA-256."""
    detail = records.record_detail(connection, source, record_id)
    if detail is None:
        raise HTTPException(404, "No such record")
    audit(request, "record.view", f"record:{source}:{record_id}")
    return detail


@router.get(
    "/networks/{network_id}/why/{source}/{record_id:path}",
    response_model=WhyResponse,
    dependencies=[Depends(require("read"))],
)
def api_network_why(
    request: Request,
    network_id: str,
    source: str,
    record_id: str,
    connection: Connection = Depends(get_connection),
) -> WhyResponse:
    """The shortest path of kept evidence from the network's first record to this member."""
    answer = networks.why(connection, network_id, f"{source}:{record_id}", link_cache(request))
    if answer is None:
        raise HTTPException(404, "No such member")
    return answer


@router.get(
    "/networks/{network_id:path}", response_model=NetworkDetail, dependencies=[Depends(require("read"))]
)
def api_network(
    request: Request, network_id: str, connection: Connection = Depends(get_connection)
) -> NetworkDetail:
    """Figures, scores and indicators, itinerary, templates with slots, graph, contacts, personas, the
    suppressed hubs its records carry, and members with the evidence path of the first ones."""
    detail = networks.network_detail(connection, network_id, link_cache(request))
    if detail is None:
        raise HTTPException(404, "No such network")
    audit(request, "network.view", f"network:{network_id}")
    return detail


@router.get("/hubs", response_model=HubsPage, dependencies=[Depends(require("read"))])
def api_hubs(
    kind: Literal["phone", "email", "handle", "payment", "image", "text"] | None = None,
    connection: Connection = Depends(get_connection),
) -> HubsPage:
    """Identifiers the linker does not link through (site boilerplate, stock images), and why."""
    return networks.hubs(connection, kind)


@router.get("/triage", response_model=TriagePage, dependencies=[Depends(require("read"))])
def api_triage(
    page: int = Query(1, ge=1, le=MAX_PAGE),
    page_size: int = Query(PAGE_SIZE, ge=1, le=100),
    connection: Connection = Depends(get_connection),
) -> TriagePage:
    """Likely minors first, then trafficking score; each with its top reasons. Leads, not verdicts."""
    return triage.triage(connection, page=page, page_size=page_size)


@router.get(
    "/entities/{kind}/{value:path}", response_model=EntityDetail, dependencies=[Depends(require("read"))]
)
def api_entity(
    request: Request,
    kind: str,
    value: str,
    page: int = Query(1, ge=1, le=MAX_PAGE),
    connection: Connection = Depends(get_connection),
    config: ExtractConfig = Depends(get_extract_config),
) -> EntityDetail:
    """Everything using a phone, email, handle, payment, url, name or image (by SHA-256), over time."""
    value = checked_entity(kind, value, config)
    audit(request, "entity.view", f"{kind}:{value}")
    return entities.entity_detail(connection, kind, value, page=page)


@router.post("/images/search", response_model=ImageSearchResponse, dependencies=[Depends(require("search"))])
def api_image_search(
    request: Request,
    image: UploadFile = File(...),
    max_distance: int = Form(DEFAULT_MAX_DISTANCE, ge=0, le=20),
    connection: Connection = Depends(get_connection),
    settings: Settings = Depends(get_settings),
) -> ImageSearchResponse:
    """Exact (SHA-256) and near-duplicate (pHash Hamming distance) stored images and their records."""
    fingerprint = read_upload(image, settings)
    audit(
        request,
        "image.search",
        "images",
        image_search_detail(fingerprint, image.filename or "", max_distance),
    )
    return search_image(connection, request.app.state.phash_index, fingerprint, max_distance)


@router.post(
    "/images/{sha256}/reveal",
    status_code=204,
    response_class=Response,
    dependencies=[Depends(require("reveal_image"))],
)
def api_reveal(request: Request, sha256: str, connection: Connection = Depends(get_connection)) -> Response:
    """Record (in the audit log) that an investigator chose to see an image unblurred."""
    if (
        not is_sha256(sha256)
        or not image_may_be_shown(sha256, connection.engine)
        or image_info(connection, sha256) is None
    ):
        raise HTTPException(404, "No such image")
    audit(request, "image.reveal", f"image:{sha256}")
    return Response(status_code=204)
