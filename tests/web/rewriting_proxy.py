"""A reverse proxy for the tests that behaves like nginx's default ``proxy_pass``: it sends every request on
to the upstream with ``Host`` rewritten to the upstream's address and ``X-Forwarded-For``/``-Proto`` added,
and passes the answer back unchanged (every ``Set-Cookie`` kept)."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

HOP_BY_HOP = {
    b"host",
    b"connection",
    b"content-length",
    b"transfer-encoding",
    b"keep-alive",
    b"content-encoding",
}
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


def rewriting_proxy(upstream: str) -> Starlette:
    upstream_host = httpx.URL(upstream).netloc

    async def forward(request: Request) -> Response:
        headers = [(k, v) for k, v in request.headers.raw if k.lower() not in HOP_BY_HOP]
        headers += [(b"host", upstream_host), (b"x-forwarded-for", (request.client.host if request.client else "").encode()),
                    (b"x-forwarded-proto", request.url.scheme.encode())]  # fmt: skip
        async with httpx.AsyncClient(base_url=upstream, follow_redirects=False, timeout=30) as client:
            # a client per request: a shared one would keep every user's cookies in its jar
            answer = await client.request(
                request.method,
                request.url.path,
                params=request.query_params,
                content=await request.body(),
                headers=headers,
            )
        response = Response(answer.content, status_code=answer.status_code)
        response.raw_headers = [(k, v) for k, v in answer.headers.raw if k.lower() not in HOP_BY_HOP]
        response.raw_headers.append((b"content-length", str(len(answer.content)).encode()))
        return response

    return Starlette(routes=[Route("/{path:path}", forward, methods=METHODS)])
