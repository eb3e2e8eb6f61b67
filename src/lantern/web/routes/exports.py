"""Downloads for analysts: a network or a case as a graph or a map, and records as a table.

The network and case pages link here; scripts call the same addresses with an API token of scope
``export``. Each download needs the ``export`` permission, a case's only inside its agency, and each is
written to the audit log with its format and filters. The files are the ones ``lantern export`` writes
(``lantern.exports``), built in a temporary file and streamed, so a large export holds no memory.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy import select
from sqlalchemy.engine import Connection

from lantern.config import Settings
from lantern.exports.ads import MEDIA_TYPES as AD_MEDIA_TYPES
from lantern.exports.ads import AdFilter, AdFormat, ad_rows, write_ads
from lantern.exports.network import (
    MEDIA_TYPES,
    NetworkFormat,
    Subject,
    case_subject,
    filename,
    network_subject,
    record_links,
    subject_links,
    write_subject,
)
from lantern.security.web import Principal, audit, require
from lantern.store.schema import cases
from lantern.web.deps import get_connection, get_settings
from lantern.web.links import link_cache

router = APIRouter()


def _files(types: dict[Any, str]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI: the route answers with a file in one of these media types."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {
        200: {
            "description": "the file, as an attachment",
            "content": {t.split(";")[0]: binary for t in types.values()},
        }
    }


CHUNK = 256 * 1024
MAX_ID = 2**31 - 1


def _download(spool: IO[bytes], media_type: str, name: str) -> StreamingResponse:
    spool.seek(0)

    def chunks() -> Iterator[bytes]:
        with spool:
            while block := spool.read(CHUNK):
                yield block

    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    return StreamingResponse(chunks(), media_type=media_type, headers=headers)


def _subject_download(
    request: Request, subject: Subject, fmt: NetworkFormat, name: str, settings: Settings
) -> StreamingResponse:
    links = link_cache(request).call(lambda result: subject_links(subject, fmt, result), [])
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed when the response has streamed it
    write_subject(subject, fmt, spool, links=links, record_href=record_links(settings.base_url))
    return _download(spool, MEDIA_TYPES[fmt], filename(name, fmt))


@router.get(
    "/export/networks/{network_id}",
    dependencies=[Depends(require("export"))],
    response_class=Response,
    responses=_files(MEDIA_TYPES),
)
def export_network(
    request: Request,
    network_id: str,
    format: NetworkFormat = Query(NetworkFormat.graphml),
    connection: Connection = Depends(get_connection),
    settings: Settings = Depends(get_settings),
) -> StreamingResponse:
    """A network's records and the kept evidence between them (GraphML, GEXF, entity-link CSV for i2
    and Maltego) or its itinerary (GeoJSON, KML)."""
    subject = network_subject(connection, network_id)
    if subject is None:
        raise HTTPException(404, "No such network")
    audit(
        request,
        "export.network",
        f"network:{network_id}",
        {"format": format.value, "records": len(subject.rows)},
    )
    return _subject_download(request, subject, format, f"network-{network_id}", settings)


@router.get("/export/cases/{case_id}", response_class=Response, responses=_files(MEDIA_TYPES))
def export_case(
    request: Request,
    case_id: int = Path(ge=1, le=MAX_ID),
    format: NetworkFormat = Query(NetworkFormat.graphml),
    principal: Principal = Depends(require("export")),
    connection: Connection = Depends(get_connection),
    settings: Settings = Depends(get_settings),
) -> StreamingResponse:
    """A case's records as a graph of their evidence, or their itinerary (its agency only)."""
    case = connection.execute(select(cases.c.title, cases.c.agency_id).where(cases.c.id == case_id)).first()
    if case is None or not principal.sees_agency(case.agency_id):
        raise HTTPException(404, "No such case")
    subject = case_subject(connection, case_id, case.title)
    audit(request, "export.case", f"case:{case_id}", {"format": format.value, "records": len(subject.rows)})
    return _subject_download(request, subject, format, f"case-{case_id}", settings)


@router.get(
    "/export/ads",
    dependencies=[Depends(require("export"))],
    response_class=Response,
    responses=_files(AD_MEDIA_TYPES),
)
def export_ads(
    request: Request,
    format: AdFormat = Query(AdFormat.csv),
    network: str | None = Query(None, max_length=80),
    case: int | None = Query(None, ge=1, le=MAX_ID),
    min_minor: float | None = Query(None, ge=0, le=1),
    min_trafficking: float | None = Query(None, ge=0, le=1),
    since: datetime | None = None,
    until: datetime | None = None,
    principal: Principal = Depends(require("export")),
    connection: Connection = Depends(get_connection),
) -> StreamingResponse:
    """Records with their extracted fields and both scores: CSV (UTF-8 with BOM, formula-safe), XLSX,
    Parquet or JSON lines; filtered by network, case (its agency only), score floors and posting period."""
    if case is not None:
        agency = connection.execute(select(cases.c.agency_id).where(cases.c.id == case)).scalar()
        if agency is None or not principal.sees_agency(agency):
            raise HTTPException(404, "No such case")
    where = AdFilter(network, case, min_minor, min_trafficking, since, until)
    spool: Any = tempfile.TemporaryFile()  # noqa: SIM115 - closed when the response has streamed it
    if format in (AdFormat.csv, AdFormat.jsonl):
        import io

        text = io.TextIOWrapper(spool, encoding="utf-8", newline="", write_through=True)
        written = write_ads(ad_rows(connection, where), format, text)
        text.detach()
    else:
        written = write_ads(ad_rows(connection, where), format, spool)
    filters = where.described()
    audit(request, "export.ads", "ads", {"format": format.value, "records": written, "filters": filters})
    return _download(spool, AD_MEDIA_TYPES[format], f"lantern-ads.{format.value}")
