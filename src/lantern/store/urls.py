"""Database URLs as people write them, turned into what SQLAlchemy and pg8000 take.

Lantern runs on SQLite or on PostgreSQL through pg8000, the pure-Python driver in the lock. People copy
URLs from libpq tools and hosting panels: ``postgresql://`` and ``postgres://`` (no driver named),
``?sslmode=require``, ``sslrootcert=``. pg8000 takes none of libpq's TLS parameters; it takes an
``ssl.SSLContext``. :func:`engine_arguments` builds that context with libpq's meaning of each mode:

=============== ==================================================================================
``disable``     no TLS
``require``     TLS, the server's certificate not checked (checked against ``sslrootcert`` if given)
``verify-ca``   TLS, the certificate must chain to ``sslrootcert`` (or the system's CAs)
``verify-full`` as ``verify-ca``, and the certificate must name the host
=============== ==================================================================================

``allow`` and ``prefer`` (try TLS, fall back to plain text) cannot be had with pg8000 and are refused
rather than silently weakened or strengthened. ``sslcert``/``sslkey`` give a client certificate.
"""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

SSL_MODES = ("disable", "require", "verify-ca", "verify-full")
_TLS_KEYS = ("sslmode", "sslrootcert", "sslcert", "sslkey")
_POSTGRES_NAMES = {"postgres", "postgresql", "postgresql+pg8000"}
_SQLITE_NAMES = {"sqlite", "sqlite+pysqlite"}


def parse_url(url: str) -> URL:
    """``url`` as a SQLAlchemy URL with pg8000 named for PostgreSQL; ValueError with one line otherwise."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ValueError("not a database URL; use sqlite:///PATH or postgresql://USER@HOST/DB") from None
    if parsed.drivername in _SQLITE_NAMES:
        return parsed
    if parsed.drivername not in _POSTGRES_NAMES:
        raise ValueError(
            f"unsupported database {parsed.drivername!r}; Lantern runs on sqlite:/// or postgresql:// (pg8000)"
        )
    parsed = parsed.set(drivername="postgresql+pg8000")
    mode = parsed.query.get("sslmode", "disable")
    if mode in ("allow", "prefer"):
        raise ValueError(
            f"sslmode={mode} falls back to plain text, which pg8000 cannot do; use sslmode=verify-full "
            "(or require), or sslmode=disable on a trusted local link"
        )
    if mode not in SSL_MODES:
        raise ValueError(f"unknown sslmode={mode!r}; use one of {', '.join(SSL_MODES)}")
    for key in ("sslrootcert", "sslcert", "sslkey"):
        value = parsed.query.get(key)
        if isinstance(value, str) and not Path(value).expanduser().is_file():
            raise ValueError(f"{key}={value}: no such file")
    return parsed


def check_url(url: str) -> None:
    """Raise ValueError naming the problem when ``url`` cannot be opened as written."""
    parse_url(url)


def engine_arguments(url: str) -> tuple[URL, dict[str, Any]]:
    """The URL SQLAlchemy should open and the ``connect_args`` the driver needs (the TLS context)."""
    parsed = parse_url(url)
    if parsed.drivername != "postgresql+pg8000":
        return parsed, {}
    query = dict(parsed.query)
    tls = {key: query.pop(key) for key in _TLS_KEYS if key in query}
    parsed = parsed.set(query=query)
    context = ssl_context(**tls)
    return parsed, ({"ssl_context": context} if context is not None else {})


def ssl_context(
    sslmode: str = "disable",
    sslrootcert: str | None = None,
    sslcert: str | None = None,
    sslkey: str | None = None,
) -> ssl.SSLContext | None:
    """The TLS context libpq would use for these parameters (None for ``disable``)."""
    if sslmode == "disable":
        return None
    verify = sslmode in ("verify-ca", "verify-full") or sslrootcert is not None
    context = ssl.create_default_context(cafile=str(Path(sslrootcert).expanduser()) if sslrootcert else None)
    context.check_hostname = sslmode == "verify-full"
    if not verify:
        context.verify_mode = ssl.CERT_NONE
    if sslcert:
        context.load_cert_chain(
            str(Path(sslcert).expanduser()), str(Path(sslkey).expanduser()) if sslkey else None
        )
    return context


def masked_url(url: str) -> str:
    """``url`` with any password replaced by ``***`` (for printing)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(not a URL)"
