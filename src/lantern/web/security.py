"""Defences that every page and file shares: response headers, image-name checks, the CSAM gate.

Ad content is written by adversaries (PRINCIPLES.md §8), so the browser is told to run only our own
scripts, never to guess a content type, and never to frame us. Images are served only by SHA-256 from
the content-addressed store, and only after :func:`image_may_be_shown` agrees (PRINCIPLES.md §5).
"""

from __future__ import annotations

import re

from fastapi import HTTPException
from sqlalchemy import Engine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lantern.csam import is_blocked

SHA256_RE = re.compile(r"^[0-9a-f]{64}$")

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "font-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)

SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
]

SIGN_IN_HEADERS = [
    (name, b"same-origin" if name == b"referrer-policy" else value) for name, value in SECURITY_HEADERS
]


def is_sha256(value: str) -> bool:
    """Whether ``value`` is a lower-case hex SHA-256: the only image names the app will ever open."""
    return bool(SHA256_RE.fullmatch(value))


def image_may_be_shown(sha256: str, engine: Engine) -> bool:
    """The single gate every image response and thumbnail passes through.

    Images matching a loaded CSAM hash list must never be rendered, thumbnailed or redistributed
    (PRINCIPLES.md §5). ``lantern.csam.is_blocked`` answers from a short cache and fails closed, so a
    database error hides the image rather than showing it. Every route that serves or lists an image
    asks here, so the rule lives in one place.
    """
    return is_sha256(sha256) and not is_blocked(sha256, engine)


class SecurityHeadersMiddleware:
    """Adds CSP, nosniff and friends to every response; pure ASGI so it costs almost nothing per request.

    Pages get ``Cache-Control: no-store`` because they show sensitive records; vendored static files may
    be cached by the browser.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_static = scope.get("path", "").startswith("/static/")
        # The sign-in form has no session and so no CSRF token; the login-CSRF check needs the browser to
        # send our Origin with the POST, which "no-referrer" turns into "null". "same-origin" still
        # tells no other site anything.
        sign_in = scope.get("path") == "/login"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() not in {name for name, _ in SECURITY_HEADERS}
                ]
                headers.extend(SIGN_IN_HEADERS if sign_in else SECURITY_HEADERS)
                if not is_static and not any(k.lower() == b"cache-control" for k, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodySizeLimitMiddleware:
    """Refuses request bodies larger than ``max_bytes`` with 413 before any handler (or the multipart
    parser, or the CSRF check reading a form) sees them: by ``Content-Length`` up front, and by counting
    for chunked bodies without one."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _refuse(self, send: Send) -> None:
        body = b'{"detail":"request body too large"}'
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_big = int(value) > self.max_bytes
                except ValueError:
                    too_big = True
                if too_big:
                    await self._refuse(send)
                    return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge()
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._refuse(send)


class _TooLarge(HTTPException):
    """Raised inside the app when a chunked body passes the limit. An HTTPException, so a body parser
    that wraps other errors into 400 lets it through and the app answers 413."""

    def __init__(self) -> None:
        super().__init__(413, "request body too large")
