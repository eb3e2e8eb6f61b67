"""The search page: one box for phones (any format, disguised too), emails, handles or words."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.engine import Connection

from lantern.extract import ExtractConfig
from lantern.security.web import audit, require
from lantern.web.deps import get_connection, get_extract_config
from lantern.web.routes.common import lenient_filters, lenient_page, lenient_sort, render, search_detail
from lantern.web.views.search import filter_options, search

router = APIRouter(dependencies=[Depends(require("search"))])

FORM_KEYS = ("q", "city", "site", "from", "to", "kind", "min_trafficking", "min_minor", "sort")


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    connection: Connection = Depends(get_connection),
    config: ExtractConfig = Depends(get_extract_config),
) -> HTMLResponse:
    params = {k: v[:500] for k, v in request.query_params.items() if k in (*FORM_KEYS, "page")}
    q = params.get("q", "")
    filters = lenient_filters(params)
    sort = lenient_sort(params.get("sort"))
    has_query = bool(q.strip()) or any(v is not None for v in filters.model_dump().values())
    if has_query:
        audit(request, "search", "records", search_detail(q, filters, sort, params.get("page")))
    result = (
        search(connection, q, filters, sort=sort, page=lenient_page(params.get("page")), config=config)
        if has_query
        else None
    )
    return render(
        request,
        "search.html",
        {
            "q": q,
            "params": {k: v for k, v in params.items() if k in FORM_KEYS},
            "filters": filters,
            "sort": sort,
            "result": result,
            "sites": filter_options(connection, "site"),
            "cities": filter_options(connection, "city"),
        },
    )
