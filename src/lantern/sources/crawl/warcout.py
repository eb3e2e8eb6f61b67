"""Capturing every crawl response to gzipped WARC files, with the request that fetched it.

The WARC is the evidence (PRINCIPLES §7): records extracted from a page point back to the byte
offset of its response record, so the exact capture can be produced after the ad is taken down.

Scrapy hands middlewares a body already de-chunked, so ``Transfer-Encoding`` is renamed to
``X-Lantern-Orig-Transfer-Encoding`` (as web archives do) to keep the record readable; the body is
otherwise recorded as received, still content-encoded (gzip) when the server compressed it.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from scrapy.http import Request, Response
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from lantern import __version__ as lantern_version


def _headers(headers: Any) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for name, values in headers.items():
        text = name.decode("latin-1")
        if text.lower() == "transfer-encoding":
            text = "X-Lantern-Orig-Transfer-Encoding"
        pairs.extend((text, value.decode("latin-1")) for value in values)
    return pairs


class WarcCapture:
    """Appends request/response pairs to ``<dir>/<prefix>-<UTC time>-<pid>-<n>.warc.gz``, rolling over
    at ``max_bytes``; opened lazily so a crawl that fetches nothing leaves no empty file."""

    def __init__(self, directory: str | Path, prefix: str, *, max_bytes: int = 1024**3) -> None:
        self.directory = Path(directory)
        self.prefix = prefix
        self.max_bytes = max_bytes
        self._handle: BinaryIO | None = None
        self._writer: WARCWriter | None = None
        self._path: Path | None = None
        self._serial = 0

    def _open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self._serial += 1
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        self._path = self.directory / f"{self.prefix}-{stamp}-{os.getpid()}-{self._serial:03d}.warc.gz"
        self._handle = self._path.open("ab")
        self._writer = WARCWriter(self._handle, gzip=True)
        info = {"software": f"lantern/{lantern_version} (scrapy, warcio)", "format": "WARC File Format 1.1"}
        self._writer.write_record(self._writer.create_warcinfo_record(self._path.name, info))

    def write(self, request: Request, response: Response) -> dict[str, Any]:
        """Write the pair; return where the response record is (file, offset, record id)."""
        if self._writer is None or (self._handle is not None and self._handle.tell() > self.max_bytes):
            self.close()
            self._open()
        assert self._writer is not None and self._handle is not None and self._path is not None
        writer = self._writer
        parts = urlsplit(request.url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        request_headers = StatusAndHeaders(
            f"{request.method} {path} HTTP/1.1",
            [("Host", parts.netloc), *_headers(request.headers)],
            is_http_request=True,
        )
        try:
            reason = HTTPStatus(response.status).phrase
        except ValueError:
            reason = "Unknown"
        response_headers = StatusAndHeaders(
            f"{response.status} {reason}",
            _headers(response.headers),
            protocol=response.protocol or "HTTP/1.1",
        )
        address = {"WARC-IP-Address": str(response.ip_address)} if response.ip_address else {}
        response_record = writer.create_warc_record(
            response.url,
            "response",
            payload=BytesIO(response.body),
            http_headers=response_headers,
            warc_headers_dict=address,
        )
        record_id = response_record.rec_headers.get_header("WARC-Record-ID")
        request_record = writer.create_warc_record(
            request.url,
            "request",
            payload=BytesIO(request.body or b""),
            http_headers=request_headers,
            warc_headers_dict={"WARC-Concurrent-To": record_id},
        )
        offset = self._handle.tell()
        writer.write_record(response_record)
        writer.write_record(request_record)
        self._handle.flush()
        return {
            "warc_file": self._path.name,
            "record_offset": offset,
            "warc_record_id": record_id,
            "warc_date": response_record.rec_headers.get_header("WARC-Date"),
        }

    def close(self, *args: Any, **kwargs: Any) -> None:
        """Close the current file (also the spider_closed signal handler)."""
        if self._handle is not None:
            self._handle.close()
        self._handle = self._writer = None
