"""FastAPI building blocks for sign-in, sessions, API tokens, permissions, CSRF and auditing.

Nothing here imports ``lantern.web``; the app wires these in (docs/security.md, "Web integration"):

* ``Depends(current_principal)`` on every router (replacing ``lantern.web.deps.require_access``):
  the signed-in user from the session cookie, or from ``Authorization: Bearer lt_...``; 401 otherwise.
* ``Depends(require("export"))`` on a route that needs a permission (403 and an audit entry otherwise).
* ``Depends(verify_csrf)`` on every router: POST/PUT/PATCH/DELETE from a cookie session must carry the
  session's CSRF token (``X-CSRF-Token`` header or ``csrf_token`` form field); templates get the token
  from :func:`csrf_token`.
* :func:`login` / :func:`logout` for the sign-in and sign-out handlers, :func:`audit` for every search,
  record view, image reveal and export.

The app must set ``app.state.engine``; ``app.state.security`` (a :class:`SecurityConfig`) is optional.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

from fastapi import Depends, HTTPException, Request, Response
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from lantern.config import Settings, load_settings
from lantern.security import accounts, csrf, roles, sessions, tokens
from lantern.security import audit as audit_log
from lantern.security.clock import Clock, utcnow

SESSION_COOKIE = "lantern_session"


@dataclass(frozen=True)
class Principal:
    """Who is making the request, as of this request (role and agency are read fresh each time)."""

    user_id: int
    username: str
    agency_id: int
    role: str
    via: Literal["session", "token"]
    scopes: frozenset[str] = frozenset()
    must_change_password: bool = False
    session_id: str | None = field(default=None, repr=False)
    token_id: int | None = None
    csrf_token_hash: str | None = field(default=None, repr=False)

    def can(self, permission: str) -> bool:
        """Role allows it, and for a token the token's scopes cover it too."""
        if not roles.allowed(self.role, permission):
            return False
        return self.via == "session" or roles.scope_allows(self.scopes, permission)

    def sees_agency(self, agency_id: int | None) -> bool:
        """Agency-owned data (cases, watchlists) is visible only inside its agency, for every role."""
        return agency_id is not None and agency_id == self.agency_id


@dataclass(frozen=True)
class SecurityConfig:
    """Per-app settings; put one on ``app.state.security`` to change the defaults (tests inject a clock)."""

    session_policy: sessions.SessionPolicy = field(default_factory=sessions.SessionPolicy)
    lockout: accounts.LockoutPolicy = field(default_factory=accounts.LockoutPolicy)
    clock: Clock = utcnow
    secure_cookies: bool | None = None  # None: Secure when https or LANTERN_SECURE_COOKIES=1
    samesite: Literal["lax", "strict"] = "lax"
    login_attempts_per_ip: int = 30
    login_window_seconds: int = 300


def config(request: Request) -> SecurityConfig:
    return getattr(request.app.state, "security", None) or _DEFAULT


_DEFAULT = SecurityConfig()


def _engine(request: Request) -> Engine:
    return request.app.state.engine


def client_ip(request: Request) -> str | None:
    """The peer address (behind a proxy, run uvicorn with ``--proxy-headers`` so this is the client)."""
    return request.client.host if request.client else None


def _context(request: Request, principal: Principal | None = None) -> dict[str, Any]:
    context: dict[str, Any] = {"ip": client_ip(request)}
    if principal is not None:
        context["via"] = principal.via
        if principal.token_id is not None:
            context["token_id"] = principal.token_id
    return context


# --- who is asking ------------------------------------------------------------------------------


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def get_principal(request: Request) -> Principal | None:
    """The principal, or None when the request is anonymous (for pages that also serve visitors).

    An ``Authorization`` header, when present, is the only credential looked at; an invalid one is
    anonymous rather than falling back to the cookie.
    """
    if hasattr(request.state, "principal"):
        return request.state.principal
    cfg = config(request)
    principal: Principal | None = None
    bearer = _bearer(request)
    if bearer is not None:
        info = tokens.authenticate(_engine(request), bearer, clock=cfg.clock)
        if info is not None:
            principal = Principal(
                user_id=info.user_id,
                username=info.username,
                agency_id=info.agency_id,
                role=info.role,
                via="token",
                scopes=info.scopes,
                token_id=info.token_id,
            )
    else:
        session = sessions.validate(
            _engine(request),
            request.cookies.get(SESSION_COOKIE),
            policy=cfg.session_policy,
            clock=cfg.clock,
        )
        if session is not None:
            principal = Principal(
                user_id=session.user_id,
                username=session.username,
                agency_id=session.agency_id,
                role=session.role,
                via="session",
                must_change_password=session.must_change_password,
                session_id=session.session_id,
                csrf_token_hash=session.csrf_token_hash,
            )
    request.state.principal = principal
    return principal


def current_principal(request: Request) -> Principal:
    """Dependency: the signed-in principal, or 401 (pages should turn that into a redirect to sign-in)."""
    principal = get_principal(request)
    if principal is None:
        raise HTTPException(
            status_code=401, detail="sign-in required", headers={"WWW-Authenticate": "Bearer"}
        )
    return principal


def require(permission: str) -> Callable[..., Principal]:
    """Dependency factory: the principal if it may use ``permission``; 403 (audited) otherwise.

    A session whose password must be changed (after an admin reset) may do nothing else until it is.
    """
    if permission not in roles.PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")

    def dependency(request: Request, principal: Principal = Depends(current_principal)) -> Principal:
        if principal.must_change_password and principal.via == "session":
            raise HTTPException(status_code=403, detail="password change required")
        if not principal.can(permission):
            audit(request, "access.denied", target=request.url.path, detail={"permission": permission})
            raise HTTPException(status_code=403, detail="not permitted")
        return principal

    dependency.__name__ = f"require_{permission}"
    return dependency


# --- CSRF ---------------------------------------------------------------------------------------


def csrf_token(request: Request) -> str | None:
    """The CSRF token to embed in forms (``<input type=hidden name=csrf_token>``) or a meta tag."""
    token = request.cookies.get(SESSION_COOKIE)
    return csrf.csrf_token_for(token) if token else None


async def verify_csrf(request: Request) -> None:
    """Dependency: refuse a state-changing request from a cookie session without the right token.

    Put it on every router. Safe methods pass; bearer-token requests pass (no ambient credential);
    anonymous requests pass here and are refused by :func:`current_principal` where it applies.
    """
    if not csrf.needs_check(request.method):
        return
    principal = await run_in_threadpool(get_principal, request)
    if principal is None or principal.via == "token":
        return
    submitted = request.headers.get(csrf.HEADER)
    if submitted is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(csrf.FORM_FIELD)
        submitted = value if isinstance(value, str) else None
    if not csrf.is_valid(submitted, principal.csrf_token_hash or ""):
        await run_in_threadpool(audit, request, "csrf.rejected", request.url.path, None)
        raise HTTPException(status_code=403, detail="missing or invalid CSRF token")


def app_settings(request: Request) -> Settings:
    """The app's settings (``app.state.settings``), or the environment's for an app built without them."""
    settings = getattr(request.app.state, "settings", None)
    return settings if settings is not None else load_settings()


def same_origin(request: Request) -> bool:
    """Whether ``Origin`` (or ``Referer``) names this server; absent headers count as same-origin.

    This server is the ``Host`` the request came with, or the configured public address (``base_url``):
    behind a reverse proxy that rewrites Host (nginx's default ``proxy_pass`` sends its upstream's name),
    only the configured address matches what the browser sends. Used on the sign-in form, which has no
    session yet and so no CSRF token (login CSRF).
    """
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source or source == "null":
        return source is None
    parts = urlsplit(source)
    if parts.netloc == request.headers.get("host", request.url.netloc):
        return True
    public = app_settings(request).base_url
    if public is None:
        return False
    expected = urlsplit(public)
    return (parts.scheme, parts.netloc.lower()) == (expected.scheme, expected.netloc.lower())


# --- cookies ------------------------------------------------------------------------------------


def cookie_secure(request: Request) -> bool:
    """Secure cookies over https, or always with ``LANTERN_SECURE_COOKIES=1`` (TLS ends at a proxy).

    Plain http is allowed only so ``lantern serve`` works on http://127.0.0.1 for development.
    """
    configured = config(request).secure_cookies
    if configured is not None:
        return configured
    return request.url.scheme == "https" or app_settings(request).secure_cookies


def set_session_cookie(request: Request, response: Response, new: sessions.NewSession) -> None:
    """HttpOnly, SameSite, Secure as above, host-only, path /, lasting until the absolute expiry."""
    response.set_cookie(
        SESSION_COOKIE,
        new.token,
        max_age=int(config(request).session_policy.absolute.total_seconds()),
        path="/",
        secure=cookie_secure(request),
        httponly=True,
        samesite=config(request).samesite,
    )


def clear_session_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        secure=cookie_secure(request),
        httponly=True,
        samesite=config(request).samesite,
    )


# --- sign-in, sign-out, audit -------------------------------------------------------------------


class LoginThrottle:
    """Failed sign-ins per client address in a sliding window (in memory, per process).

    Complements the per-account lock: it slows one address guessing across many accounts, and it keeps
    one address from locking every account. Each worker process has its own window.
    """

    def __init__(self, limit: int, window_seconds: int) -> None:
        self.limit, self.window = limit, window_seconds
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.setdefault(key, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def blocked(self, key: str) -> bool:
        with self._lock:
            return len(self._recent(key, time.monotonic())) >= self.limit

    def failed(self, key: str) -> None:
        with self._lock:
            self._recent(key, time.monotonic()).append(time.monotonic())
            if len(self._failures) > 100_000:  # bound memory under a spray from many addresses
                self._failures.clear()


def _throttle(request: Request) -> LoginThrottle:
    throttle = getattr(request.app.state, "login_throttle", None)
    if throttle is None:
        cfg = config(request)
        throttle = request.app.state.login_throttle = LoginThrottle(
            cfg.login_attempts_per_ip, cfg.login_window_seconds
        )
    return throttle


def login(
    request: Request, response: Response, username: str, password: str, totp_code: str | None = None
) -> accounts.AuthResult:
    """Check credentials, and on success start a session and set its cookie (sync: call from a ``def``
    route or through ``run_in_threadpool``). On failure show :data:`accounts.PUBLIC_FAILURE` only.
    """
    cfg = config(request)
    ip = client_ip(request) or "unknown"
    if not same_origin(request):
        audit(request, "login.failure", "unknown user", {"reason": "cross_origin"})
        return accounts.AuthResult(False, "cross_origin")
    if _throttle(request).blocked(ip):
        audit(request, "login.failure", "unknown user", {"reason": "ip_throttled"})
        return accounts.AuthResult(False, "ip_throttled")
    result = accounts.authenticate(
        _engine(request),
        username,
        password,
        totp_code,
        policy=cfg.lockout,
        context={"ip": ip, "via": "web"},
        clock=cfg.clock,
    )
    if not result.ok or result.user is None:
        _throttle(request).failed(ip)
        return result
    start_session(request, response, result.user.id)
    return result


def start_session(request: Request, response: Response, user_id: int) -> None:
    """End the browser's old session, if any, start one for ``user_id`` and set its cookie (after a
    password sign-in or a single sign-on)."""
    cfg = config(request)
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        sessions.revoke(_engine(request), old)
    new = sessions.create(
        _engine(request),
        user_id,
        ip=client_ip(request) or "unknown",
        user_agent=request.headers.get("user-agent"),
        policy=cfg.session_policy,
        clock=cfg.clock,
    )
    set_session_cookie(request, response, new)


def logout(request: Request, response: Response) -> None:
    """End the current session (audited) and clear the cookie."""
    token = request.cookies.get(SESSION_COOKIE)
    principal = get_principal(request)
    if token:
        sessions.revoke(_engine(request), token)
    if principal is not None:
        audit(request, "logout")
    clear_session_cookie(request, response)


def audit(
    request: Request, action: str, target: str | None = None, detail: dict[str, Any] | None = None
) -> audit_log.AuditEntry:
    """Append an audit entry for this request's principal (user, agency, ip, via) and return it.

    Call it for every search (with its query), record view, image reveal, export and admin action.
    Sync: from ``async def`` routes use ``await run_in_threadpool(audit, request, ...)``.
    """
    principal = getattr(request.state, "principal", None)
    return audit_log.record(
        _engine(request),
        action,
        user_id=principal.user_id if principal else None,
        agency_id=principal.agency_id if principal else None,
        target=target,
        detail={**(detail or {}), **_context(request, principal)},
        clock=config(request).clock,
    )
