"""A small OpenID Connect provider for the tests, served on loopback: discovery, an authorization page with
a "Continue" button, the token endpoint (client secret, PKCE S256, one-time codes), and the signing keys.
ID tokens are signed RS256 with joserfc. ``provider.claims`` is who the next sign-in is, as an identity
provider would assert it; ``provider.tamper`` makes it misbehave in one named way."""

from __future__ import annotations

import base64
import hashlib
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from html import escape
from typing import Any
from urllib.parse import urlencode

import httpx
import uvicorn
from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.routing import Route

CLIENT_ID = "lantern-test"
CLIENT_SECRET = "test-client-secret-not-real"


@dataclass
class LoopbackProvider:
    base_url: str = ""
    claims: dict[str, Any] = field(default_factory=dict)
    tamper: str | None = None
    """None, or "nonce", "audience", "signature", "expired": the next ID token is wrong that way."""
    redirect_uris: set[str] = field(default_factory=set)
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    key: RSAKey = field(
        default_factory=lambda: RSAKey.generate_key(
            2048, parameters={"kid": "test-1", "use": "sig", "alg": "RS256"}
        )
    )

    # --- endpoints -----------------------------------------------------------------------------------
    async def discovery(self, request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "issuer": self.base_url,
                "authorization_endpoint": f"{self.base_url}/authorize",
                "token_endpoint": f"{self.base_url}/token",
                "jwks_uri": f"{self.base_url}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
            }
        )

    async def jwks(self, request: Request) -> JSONResponse:
        return JSONResponse({"keys": [self.key.as_dict(private=False)]})

    async def authorize(self, request: Request) -> HTMLResponse:
        q = request.query_params
        if (
            q.get("client_id") != CLIENT_ID
            or q.get("response_type") != "code"
            or q.get("code_challenge_method") != "S256"
        ):
            return HTMLResponse("bad request", status_code=400)
        if self.redirect_uris and q.get("redirect_uri") not in self.redirect_uris:
            return HTMLResponse("unregistered redirect_uri", status_code=400)
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"nonce": q["nonce"], "challenge": q["code_challenge"], "redirect_uri": q["redirect_uri"],
                            "state": q["state"], "claims": dict(self.claims)}  # fmt: skip
        who = escape(str(self.claims.get("preferred_username", "?")))
        return HTMLResponse(
            f"<!doctype html><title>Test identity provider</title><h1>Test identity provider</h1>"
            f"<p>Sign in to Lantern as <b id=who>{who}</b>?</p>"
            f'<form method=post action="/approve"><input type=hidden name=code value="{code}">'
            f"<button id=continue>Continue</button></form>"
        )

    async def approve(self, request: Request) -> RedirectResponse:
        code = (await request.form())["code"]
        pending = self.codes[str(code)]
        target = f"{pending['redirect_uri']}?{urlencode({'code': code, 'state': pending['state']})}"
        return RedirectResponse(target, status_code=303)

    async def token(self, request: Request) -> JSONResponse:
        form = await request.form()
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        client = (
            base64.b64decode(value).decode()
            if scheme.lower() == "basic"
            else f"{form.get('client_id')}:{form.get('client_secret')}"
        )
        if client != f"{CLIENT_ID}:{CLIENT_SECRET}":
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        pending = self.codes.pop(str(form.get("code")), None)  # one use only
        if pending is None or form.get("redirect_uri") != pending["redirect_uri"]:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        verifier = str(form.get("code_verifier", ""))
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if challenge != pending["challenge"]:
            return JSONResponse({"error": "invalid_grant", "error_description": "PKCE"}, status_code=400)
        now = int(time.time())
        claims = {"iss": self.base_url, "aud": CLIENT_ID, "iat": now, "exp": now + 300, "nonce": pending["nonce"],
                  **pending["claims"]}  # fmt: skip
        key = self.key
        if self.tamper == "nonce":
            claims["nonce"] = "not-the-one-sent"
        elif self.tamper == "audience":
            claims["aud"] = "another-application"
        elif self.tamper == "expired":
            claims["exp"] = now - 3600
        elif self.tamper == "signature":
            key = RSAKey.generate_key(2048, parameters={"kid": "test-1"})
        id_token = jwt.encode({"alg": "RS256", "kid": "test-1"}, claims, key)
        return JSONResponse({"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 300,
                             "id_token": id_token})  # fmt: skip

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self.discovery),
                Route("/jwks", self.jwks),
                Route("/authorize", self.authorize),
                Route("/approve", self.approve, methods=["POST"]),
                Route("/token", self.token, methods=["POST"]),
            ]
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerThread:
    """An ASGI app served by uvicorn on 127.0.0.1 in a thread, until ``stop``."""

    def __init__(self, app: Any, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self, ready_path: str = "/") -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                httpx.get(self.url + ready_path, timeout=1)
                return self
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError(f"server on {self.url} did not start")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=5)
