"""Request dependencies: settings, a database connection, and the guards every router is mounted with.

Every router gets :data:`GUARDED` (CSRF on state-changing requests, then a signed-in principal), and
every route adds ``Depends(require(<permission>))`` from :mod:`lantern.security.web`, following the
matrix in :mod:`lantern.security.roles`. ``tests/web/test_authz.py`` walks ``app.routes`` so a new route
cannot escape that matrix.
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Depends, Request
from sqlalchemy.engine import Connection

from lantern.config import Settings
from lantern.extract import ExtractConfig
from lantern.security.web import current_principal, verify_csrf

# CSRF first (it passes anonymous requests), then 401 for anyone not signed in.
GUARDED = [Depends(verify_csrf), Depends(current_principal)]


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_extract_config(request: Request) -> ExtractConfig:
    return request.app.state.extract_config


def get_connection(request: Request) -> Iterator[Connection]:
    """One connection per request, returned to the pool afterwards; reads only."""
    with request.app.state.engine.connect() as connection:
        yield connection
