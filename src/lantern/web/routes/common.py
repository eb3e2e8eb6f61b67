"""Small helpers the page routers share."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from lantern.web.models import SearchFilters, SortOrder

SORTS: tuple[SortOrder, ...] = ("relevance", "date", "risk")


def render(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    context.setdefault("q", "")
    return request.app.state.templates.TemplateResponse(request, template, context, status_code=status_code)


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
