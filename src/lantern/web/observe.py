"""Each request gets an id, an access-log line and a latency measurement; ``/readyz`` and ``/metrics``.

The id is the caller's ``X-Request-ID`` when it is a plain token (a proxy's), otherwise a new one; the
response carries it back and every log line written while the request is served names it
(``lantern.logs``). The access log names the route template (``/entities/{kind}/{value:path}``) and only
the names of query parameters, never their values or the path itself: searches and identifiers (phones,
e-mails, handles, record ids, which can hold contacts) stay out of logs, which are kept and shipped with
less care than the audit log, where each search is recorded for accountability.

``/readyz`` answers 200 when the database answers, its schema is the newest and the linker's state is in
memory (or there is none yet), 503 otherwise; it is public, like ``/healthz``, and says only which check
failed. ``/metrics`` (``lantern.metrics``) is for the ``metrics`` permission: administrators, or an API
token with only the ``metrics`` scope for Prometheus.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lantern.logs import request_id
from lantern.security.web import require

access = logging.getLogger("lantern.access")
_TOKEN = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def _templates(app: Any) -> dict[int, str]:
    """Each route object's full path template, prefixes of included routers included (FastAPI keeps an
    included router as one node, and the route the request reports carries only its own path)."""
    found: dict[int, str] = {}

    def walk(routes: Any) -> None:
        for route in routes:
            if hasattr(route, "effective_route_contexts"):
                for context in route.effective_route_contexts():
                    found[id(context.original_route)] = context.path or context.original_route.path
            elif hasattr(route, "path"):
                found[id(route)] = getattr(route, "path_format", route.path)

    walk(app.routes)
    return found


def route_of(scope: Scope) -> str:
    """The template of the route that answered: ``/static`` for files, ``(unmatched)`` when none did."""
    route = scope.get("route")
    if route is not None:
        app = scope.get("app")
        templates = getattr(app.state, "route_templates", None) if app is not None else None
        if templates is None and app is not None:
            templates = app.state.route_templates = _templates(app)
        path = (templates or {}).get(id(route)) or getattr(route, "path_format", None) or route.path
        return re.sub(r"\{(\w+):\w+\}", r"{\1}", path)
    return "/static" if scope.get("path", "").startswith("/static/") else "(unmatched)"


class ObserveMiddleware:
    """Request id, access log line and latency histogram for every HTTP request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        rid = given if _TOKEN.match(given) else uuid.uuid4().hex
        token = request_id.set(rid)
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            seconds = time.perf_counter() - started
            route = route_of(scope)
            metrics = getattr(scope.get("app") and scope["app"].state, "metrics", None)
            if metrics is not None and route != "/metrics":
                metrics.observe(route, scope["method"], status, seconds)
            access.info(
                "%s %s %s %.1f ms",
                scope["method"],
                route,
                status,
                seconds * 1000,
                extra=_fields(scope, route, status, seconds),
            )
            request_id.reset(token)


def _fields(scope: Scope, route: str, status: int, seconds: float) -> dict[str, Any]:
    query = scope.get("query_string", b"").decode("latin-1")
    names = sorted({part.split("=", 1)[0] for part in query.split("&") if part})
    principal = (scope.get("state") or {}).get("principal")
    client = scope.get("client")
    return {
        "method": scope["method"],
        "route": route,
        "query_keys": ",".join(names) or None,
        "status": status,
        "duration_ms": round(seconds * 1000, 1),
        "client": client[0] if client else None,
        "user": getattr(principal, "username", None),
    }


router = APIRouter()


@router.get("/readyz", include_in_schema=False)
def readyz(request: Request) -> JSONResponse:
    """Ready to serve: the database answers, its schema is current, the linker's state is loaded."""
    from lantern.networks.runner import state_path
    from lantern.store.db import is_current
    from lantern.web.links import link_cache, warm_link_cache

    checks: dict[str, str] = {}
    try:
        with request.app.state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
        checks["schema"] = "current" if is_current(request.app.state.engine) else "out of date"
    except Exception:
        logging.getLogger("lantern.web").exception("readiness: the database did not answer")
        checks["database"], checks["schema"] = "unreachable", "unknown"
    if not state_path(request.app.state.settings).exists():
        checks["linker"] = "nothing linked yet"
    else:
        cache = link_cache(request)
        checks["linker"] = "loaded" if cache.loaded else "loading"
        if not cache.loaded:
            warm_link_cache(request.app)  # a probe before `lantern serve` warmed it starts the load
    ready = checks["database"] == "ok" and checks["schema"] == "current" and checks["linker"] != "loading"
    return JSONResponse({"ready": ready, **checks}, status_code=200 if ready else 503)


@router.get("/metrics", include_in_schema=False, dependencies=[Depends(require("metrics"))])
def metrics(request: Request) -> Response:
    """Prometheus' text format (``lantern.metrics``)."""
    return Response(request.app.state.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
