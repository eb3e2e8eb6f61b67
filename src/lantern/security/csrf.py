"""CSRF tokens bound to the session.

The form token is an HMAC of the session's cookie token, so the server can recompute it for every page
it renders without storing it in clear; the session row stores only its SHA-256 for checking. A request
that changes state (POST, PUT, PATCH, DELETE) from a cookie session must carry the token in the
``X-CSRF-Token`` header or the ``csrf_token`` form field. Bearer-token requests are exempt: browsers
never attach an ``Authorization`` header on their own, which is what CSRF relies on.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
HEADER = "x-csrf-token"
FORM_FIELD = "csrf_token"
MAX_LENGTH = 200


def token_digest(value: str) -> str:
    """SHA-256 hex of a token (what is stored)."""
    return hashlib.sha256(value.encode()).hexdigest()


def csrf_token_for(session_token: str) -> str:
    """The CSRF token of the session whose cookie token is ``session_token``."""
    mac = hmac.new(session_token.encode(), b"lantern-csrf-v1", hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def is_valid(submitted: str | None, stored_hash: str) -> bool:
    """Whether ``submitted`` is the session's CSRF token (constant-time)."""
    if not submitted or len(submitted) > MAX_LENGTH:
        return False
    return hmac.compare_digest(token_digest(submitted), stored_hash)


def needs_check(method: str) -> bool:
    """Whether a request with ``method`` changes state and so must carry the token."""
    return method.upper() in UNSAFE_METHODS
