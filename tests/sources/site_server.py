"""A fictional classified site served on 127.0.0.1 by the tests themselves (and by the crawl bench).

Everything is neutral and made up: phone numbers only from 713-555-0100..0199, e-mail at example.com,
abstract coloured-block images. ``version`` can be changed between two crawls to edit, add and
remove ads, as real sites do.
"""

from __future__ import annotations

import hashlib
import io
import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from PIL import Image

PRIVATE_IMAGE = "http://10.255.255.1/img/secret.png"
METADATA_IMAGE = "http://169.254.169.254/latest/meta-data/photo.png"


def abstract_png(seed: int, size: int = 48) -> bytes:
    """Coloured blocks, different for each seed; no people."""
    rng = random.Random(seed)
    image = Image.new("RGB", (size, size), (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    for _ in range(4):
        x, y = rng.randrange(size // 2), rng.randrange(size // 2)
        image.paste((rng.randrange(256), rng.randrange(256), rng.randrange(256)), (x, y, x + 12, y + 12))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@dataclass
class FixtureSite:
    """The site's content; ``version`` 1 or 2. Special ads: 5 broken, 6 slow, 7 huge, 8 redirects,
    10 names private-address images, 11 redirects to a private address, 13 is robots-disallowed,
    14 is a server error. In version 2 ad 3 changes, ad 4 disappears and ad 9 appears."""

    version: int = 1
    per_page: int = 4
    slow_seconds: float = 3.0
    huge_bytes: int = 2_000_000
    generated: int = 0  # >0: a bench site of that many plain ads, no special cases
    hits: dict[str, int] = field(default_factory=dict)
    _images: dict[int, bytes] = field(default_factory=dict)

    def ad_numbers(self) -> list[int]:
        if self.generated:
            return list(range(1, self.generated + 1))
        numbers = [1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14]
        if self.version >= 2:
            numbers = sorted([n for n in numbers if n != 4] + [9])
        return numbers

    def image(self, seed: int) -> bytes:
        if seed not in self._images:
            self._images[seed] = abstract_png(seed)
        return self._images[seed]

    def listing(self, page: int) -> str:
        numbers = self.ad_numbers()
        pages = max(1, -(-len(numbers) // self.per_page))
        chosen = numbers[(page - 1) * self.per_page : page * self.per_page]
        links = "".join(f'<li><a class="ad-link" href="/ad/{n}">Ad {n}</a></li>' for n in chosen)
        following = f'<a rel="next" href="/city/houston?page={page + 1}">Next</a>' if page < pages else ""
        return f"<html><head><title>Houston page {page}</title></head><body><ul>{links}</ul>{following}</body></html>"

    def ad(self, number: int) -> str:
        changed = " Updated: now also weekends." if (number == 3 and self.version >= 2) else ""
        images = "" if self.generated else f'<img src="/img/{number}.png"><img src="/img/{number + 100}.png">'
        if number == 10 and not self.generated:
            images = f'<img src="/img/10.png"><img src="{PRIVATE_IMAGE}"><img src="{METADATA_IMAGE}">'
        title = (
            "" if number == 5 and not self.generated else f'<h1 class="title">Friendly company {number}</h1>'
        )
        return (
            f"<html><head><meta charset='utf-8'><title>Ad {number}</title></head><body><article>{title}"
            f'<div class="meta"><span class="location">Houston, TX</span>'
            f'<time datetime="2026-03-{1 + number % 28:02d}T10:00:00Z">March</time>'
            f'<span class="poster">poster{number}</span></div>'
            f'<div class="body"><p>Call or text 713-555-01{number % 100:02d}.</p>'
            f"<p>Write to person{number}@example.com. Available today.{changed}</p></div>"
            f'<div class="photos">{images}</div></article></body></html>'
        )


def _handler(site: FixtureSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # quiet
            return

        def _send(
            self, status: int, body: bytes, kind: str = "text/html; charset=utf-8", **headers: str
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_GET(self) -> None:
            with suppress(BrokenPipeError, ConnectionResetError):
                self._route()

        def _route(self) -> None:
            parts = urlsplit(self.path)
            site.hits[parts.path] = site.hits.get(parts.path, 0) + 1
            if parts.path == "/robots.txt":
                rules = (
                    b"User-agent: *\nDisallow:\n" if site.generated else b"User-agent: *\nDisallow: /ad/13\n"
                )
                self._send(200, rules, "text/plain")
            elif parts.path == "/city/houston":
                page = int(parse_qs(parts.query).get("page", ["1"])[0])
                self._send(200, site.listing(page).encode())
            elif parts.path.startswith("/img/"):
                seed = int(parts.path.rsplit("/", 1)[1].split(".")[0])
                self._send(200, site.image(seed), "image/png")
            elif parts.path.startswith("/ad/"):
                self._ad(int(parts.path.rsplit("/", 1)[1]))
            else:
                self._send(404, b"<html>not found</html>")

        def _ad(self, number: int) -> None:
            special = not site.generated
            if number not in site.ad_numbers() and number != 108:
                self._send(404, b"<html>This ad has been removed.</html>")
            elif special and number == 6:
                time.sleep(site.slow_seconds)
                self._send(200, site.ad(number).encode())
            elif special and number == 7:
                self._send(200, b"<html>" + b"x" * site.huge_bytes + b"</html>")
            elif special and number == 8:
                self._send(302, b"", Location="/ad/108")
            elif special and number == 11:
                self._send(302, b"", Location="http://10.255.255.1/ad/11")
            elif special and number == 14:
                self._send(500, b"<html>Internal error</html>")
            else:
                body = site.ad(number).encode()
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    self._send(304, b"", ETag=etag)
                else:
                    self._send(200, body, ETag=etag)

    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """Crawlers drop connections on purpose (timeouts, size limits): not an error here."""


@contextmanager
def serve(site: FixtureSite) -> Iterator[str]:
    """Serve the site on 127.0.0.1 (a free port) in a thread; yields the base URL."""
    server = _QuietServer(("127.0.0.1", 0), _handler(site))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def site_toml(base: str, **crawl: object) -> str:
    """A site file for the fixture site at ``base`` (127.0.0.1 allowed, private ranges still refused)."""
    settings = {
        "start_urls": [f"{base}/city/houston"],
        "ad_links": "css:a.ad-link::attr(href)",
        "next_page": "css:a[rel=next]::attr(href)",
        "image_domains": ["10.255.255.1", "169.254.169.254"],
        "delay": 0,
        "concurrency": 8,
        "timeout": 1,
        "max_bytes": 200_000,
        "robots_txt": True,
        "allow_networks": ["127.0.0.1/32"],
        **crawl,
    }

    def toml_value(value: object) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, list):
            return "[" + ", ".join(toml_value(v) for v in value) + "]"
        if isinstance(value, str):
            return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return str(value)

    crawl_lines = "\n".join(f"{key} = {toml_value(value)}" for key, value in settings.items())
    return f"""[site]
name = "fixture-classifieds"
domains = ["127.0.0.1"]
required = ["id", "title"]

[pages]
ad = '/ad/[0-9]+$'
listing = '/city/'

[fields]
id = {{ from = "url", regex = '/ad/([0-9]+)' }}
title = "css:h1.title::text"
body = {{ css = "div.body", text = true }}
location = "css:.meta .location::text"
posted_at = "css:.meta time::attr(datetime)"
author = "css:.meta .poster::text"
images = {{ css = "div.photos img::attr(src)" }}

[crawl]
{crawl_lines}
"""
