"""Request dependencies: settings, a database connection, and the single access hook.

Every router is mounted with :func:`require_access`, so when the accounts issue lands, authentication
and authorisation are added in that one function and cover every page and API route.
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Request
from sqlalchemy.engine import Connection

from lantern.config import Settings
from lantern.extract import ExtractConfig


def require_access(request: Request) -> None:
    """Placeholder for authentication and roles (a later issue); deliberately allows every request now."""
    return None


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_extract_config(request: Request) -> ExtractConfig:
    return request.app.state.extract_config


def get_connection(request: Request) -> Iterator[Connection]:
    """One connection per request, returned to the pool afterwards; reads only."""
    with request.app.state.engine.connect() as connection:
        yield connection
