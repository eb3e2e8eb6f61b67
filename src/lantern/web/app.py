"""The app factory: one FastAPI app over one store, with pages, the JSON API and vendored assets.

Tests build it on a temporary store with ``create_app(settings)``; ``lantern serve`` builds it from the
environment. Nothing here fetches from the network: every script, style and map is served from
``static/``, and ``/docs`` (which would load Swagger from a CDN) is switched off; the schema stays at
``/openapi.json``.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from lantern.config import Settings, load_settings
from lantern.extract import ExtractConfig
from lantern.metrics import Metrics
from lantern.store.db import open_database
from lantern.web import observe
from lantern.web.deps import GUARDED
from lantern.web.imagesearch import PhashIndex
from lantern.web.links import link_cache_of
from lantern.web.observe import ObserveMiddleware
from lantern.web.routes import (
    account,
    api,
    audit,
    cases,
    entities,
    exports,
    images,
    network,
    record,
    search,
    sso,
    today,
    triage,
    workspace_api,
)
from lantern.web.routes.common import account_context
from lantern.web.security import BodySizeLimitMiddleware, SecurityHeadersMiddleware
from lantern.web.templating import build_templates

STATIC_DIR = Path(__file__).parent / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the investigator app on ``settings`` (default: from ``LANTERN_*`` and the config file)."""
    settings = settings or load_settings()
    app = FastAPI(
        title="Lantern",
        description=(
            "Investigator API: search, triage, records, networks, entities and image search. "
            "Scores are leads for a human, not verdicts."
        ),
        version="0.1.0",
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
    )
    engine = open_database(settings.database_url)
    app.state.settings = settings
    app.state.engine = engine
    app.state.metrics = Metrics(engine, settings, lambda: link_cache_of(app.state).loaded)
    app.state.extract_config = ExtractConfig(default_region=settings.default_region)
    app.state.templates = build_templates()
    app.state.phash_index = PhashIndex(engine)

    # Sign-in pages guard themselves (the form is public); everything else needs a signed-in principal,
    # CSRF on state-changing requests, and per route the permission roles.py gives it.
    app.include_router(account.router, include_in_schema=False)
    app.include_router(sso.router, include_in_schema=False)
    for module in (search, record, network, triage, entities, images, audit, today, cases):
        app.include_router(module.router, dependencies=GUARDED, include_in_schema=False)
    app.include_router(api.router, prefix="/api", dependencies=GUARDED, tags=["api"])
    app.include_router(workspace_api.router, prefix="/api", dependencies=GUARDED, tags=["api"])
    app.include_router(exports.router, prefix="/api", dependencies=GUARDED, tags=["export"])
    app.include_router(observe.router, dependencies=GUARDED[:1])  # /readyz is public, /metrics guards itself
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> PlainTextResponse:
        """Liveness, and the benchmark's baseline: no database work."""
        return PlainTextResponse("ok")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException):
        if request.url.path.startswith("/api/") or error.status_code == 405:
            return JSONResponse(
                {"detail": error.detail},
                status_code=error.status_code,
                headers=getattr(error, "headers", None),
            )
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if error.status_code == 401:  # pages: sign in, then come back (local paths only)
            return RedirectResponse("/login?next=" + quote(here, safe="/"), status_code=303)
        if error.status_code == 403 and error.detail == "password change required":
            return RedirectResponse("/account/password?next=" + quote(here, safe="/"), status_code=303)
        context = await run_in_threadpool(account_context, request)
        return request.app.state.templates.TemplateResponse(
            request,
            "error.html",
            {"status": error.status_code, "detail": str(error.detail), "q": "", **context},
            status_code=error.status_code,
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError):
        # Echo only where the problem is, never the submitted (hostile) value.
        problems = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in error.errors()]
        return JSONResponse({"detail": problems}, status_code=422)

    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_image_bytes + 1024 * 1024)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(ObserveMiddleware)
    return app
