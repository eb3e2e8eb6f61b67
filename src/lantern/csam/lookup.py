"""``is_blocked(sha256)``: the check the web's ``image_may_be_shown`` calls before serving any image.

Cached per database for a few seconds so a page of thumbnails costs one query, not one each; a block
made in this process clears the cache at once. It fails closed: if the database cannot be read the
image is treated as blocked, because showing abuse material is the one error that cannot be undone.
"""

from __future__ import annotations

import threading
import time

from sqlalchemy import select
from sqlalchemy.engine import Engine

from lantern.store.schema import csam_blocked_images

TTL_SECONDS = 10.0
_lock = threading.Lock()
_cache: dict[str, tuple[float, frozenset[str]]] = {}


def clear_cache() -> None:
    """Forget cached blocks (called after anything is blocked, and by tests)."""
    with _lock:
        _cache.clear()


def _default_engine() -> Engine:
    from lantern.config import load_settings
    from lantern.store.db import open_database

    return open_database(load_settings().database_url)


def blocked_hashes(engine: Engine) -> frozenset[str]:
    """Every blocked image's SHA-256, from the cache when fresh."""
    key = engine.url.render_as_string(hide_password=True)
    now = time.monotonic()
    with _lock:
        cached = _cache.get(key)
        if cached and now - cached[0] < TTL_SECONDS:
            return cached[1]
    with engine.connect() as connection:
        found = frozenset(connection.execute(select(csam_blocked_images.c.sha256)).scalars())
    with _lock:
        _cache[key] = (now, found)
    return found


def is_blocked(sha256: str, engine: Engine | None = None) -> bool:
    """Whether the image with this SHA-256 matched a hash list (True as well when it cannot be known)."""
    try:
        return sha256.lower() in blocked_hashes(engine or _default_engine())
    except Exception:  # fail closed
        return True
