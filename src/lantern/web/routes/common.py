"""Small helpers the page routers share."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from lantern.security.web import csrf_token, get_principal
from lantern.store.schema import agencies, cases
from lantern.web.models import SearchFilters, SortOrder

SORTS: tuple[SortOrder, ...] = ("relevance", "date", "risk")
NOTICES = {
    "created": "Case opened.",
    "added": "Added to the case.",
    "note": "Note added.",
    "updated": "Case updated.",
    "review": "Review state saved.",
    "feedback": "Feedback recorded: it informs the next calibration.",
    "error": "Choose a case, or give the new case a title.",
}
"""What a page says after a form brought the investigator back to it (``?notice=``): fixed texts only."""
NOTICE_PARAMS = ("notice", "case", "records", "networks")


def _agency_name(request: Request, agency_id: int) -> str:
    with request.app.state.engine.connect() as connection:
        name = connection.execute(select(agencies.c.name).where(agencies.c.id == agency_id)).scalar()
    return name or f"agency {agency_id}"


def account_context(request: Request) -> dict[str, Any]:
    """Who is signed in, for the top bar, the CSRF meta tag and which controls to offer."""
    principal = get_principal(request)
    session = principal is not None and principal.via == "session"
    can_write = bool(principal and principal.can("case_write"))
    return {
        "principal": principal,
        "agency_name": _agency_name(request, principal.agency_id) if principal else "",
        "csrf_token": (csrf_token(request) or "") if session else "",
        "can_reveal": bool(principal and principal.can("reveal_image")),
        "can_audit": bool(principal and principal.can("audit_agency")),
        "can_write": can_write,
        "can_export": bool(principal and principal.can("export")),
        "open_cases": _open_cases(request, principal.agency_id) if can_write and principal else [],
        "notice": _notice(request),
        "here": _here(request),
    }


def _here(request: Request) -> str:
    """This page's local address without the notice a form left on it: where the page's forms return."""
    kept = [(k, v) for k, v in request.query_params.multi_items() if k not in NOTICE_PARAMS]
    return request.url.path + (f"?{urlencode(kept)}" if kept else "")


def _open_cases(request: Request, agency_id: int) -> list[dict[str, Any]]:
    """The agency's cases that are not closed, for the "add to case" menus (newest changes first)."""
    with request.app.state.engine.connect() as connection:
        rows = connection.execute(
            select(cases.c.id, cases.c.title)
            .where(cases.c.agency_id == agency_id, cases.c.status != "closed")
            .order_by(cases.c.updated_at.desc())
            .limit(50)
        ).mappings()
        return [dict(row) for row in rows]


def _notice(request: Request) -> dict[str, Any] | None:
    text = NOTICES.get(request.query_params.get("notice") or "")
    if text is None:
        return None
    case = request.query_params.get("case") or ""
    return {"text": text, "case": int(case) if case.isdigit() else None}


def render(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    context.setdefault("q", "")
    for key, value in account_context(request).items():
        context.setdefault(key, value)
    return request.app.state.templates.TemplateResponse(request, template, context, status_code=status_code)


def search_detail(q: str, filters: SearchFilters, sort: str, page: Any) -> dict[str, Any]:
    """What an audit entry of a search records: the query as typed, the filters used, sort and page."""
    used = {k: str(v) for k, v in filters.model_dump().items() if v is not None}
    return {"query": q, "filters": used, "sort": sort, "page": str(page or 1)}


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _score(value: str | None) -> float | None:
    try:
        score = float(value) if value not in (None, "") else None
    except ValueError:
        return None
    return None if score is None or not 0 <= score <= 1 else score


def lenient_filters(params: dict[str, str]) -> SearchFilters:
    """Filters from a submitted form: a blank or malformed field is ignored rather than an error page."""
    kind = params.get("kind")
    return SearchFilters(
        city=(params.get("city") or "").strip()[:200] or None,
        site=(params.get("site") or "").strip()[:1000] or None,
        date_from=_date(params.get("from")),
        date_to=_date(params.get("to")),
        kind=kind if kind in ("ad", "post") else None,
        min_trafficking=_score(params.get("min_trafficking")),
        min_minor=_score(params.get("min_minor")),
    )


def lenient_sort(value: str | None) -> SortOrder:
    return value if value in SORTS else "relevance"  # type: ignore[return-value]


def lenient_page(value: str | None) -> int:
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1
