"""Which reader a file needs: by name where names are reliable, by content where they are not.

A Memex CDR dump, a saved X API response and a Lantern record file are all "JSON lines", so names
alone would read a CDR page as a (broken) Lantern record. Sniffing looks at a bounded prefix only:
the first 1 MiB, enough to see the keys of the first object even with a large page in it.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable, Iterator
from pathlib import Path

FORMATS = ("jsonl", "csv", "warc", "cdr", "twitter", "mastodon")
SNIFF_BYTES = 1024 * 1024

_CDR = re.compile(rb'"(raw_content|crawl_data)"\s*:')
_TWEET = re.compile(rb'"author_id"\s*:')
_TEXT = re.compile(rb'"text"\s*:')
_INCLUDES = re.compile(rb'"includes"\s*:\s*\{')
_ACCOUNT = re.compile(rb'"account"\s*:\s*\{')
_CONTENT = re.compile(rb'"content"\s*:')


def format_by_name(path: Path) -> str | None:
    """``csv``, ``warc``, ``jsonl`` or ``json`` from the suffixes (``.gz`` allowed), else None."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    if not suffixes:
        return None
    return {".csv": "csv", ".warc": "warc", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json"}.get(
        suffixes[-1]
    )


def _prefix(path: Path) -> bytes:
    try:
        if path.name.lower().endswith(".gz"):
            with gzip.open(path, "rb") as handle:
                return handle.read(SNIFF_BYTES)
        with path.open("rb") as handle:
            return handle.read(SNIFF_BYTES)
    except (OSError, EOFError, gzip.BadGzipFile):
        return b""


def sniff_bytes(prefix: bytes) -> str | None:
    """``warc``, ``cdr``, ``twitter`` or ``mastodon`` from the start of a file, or None (plain records)."""
    head = prefix.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"WARC/"):
        return "warc"
    if not head.startswith((b"{", b"[")):
        return None
    first = head.split(b"\n", 1)[0] if head.startswith(b"{") else head
    if _CDR.search(first):
        return "cdr"
    if _INCLUDES.search(first) or (_TWEET.search(first) and _TEXT.search(first)):
        return "twitter"
    if _ACCOUNT.search(first) and _CONTENT.search(first):
        return "mastodon"
    return None


def sniff_format(path: Path) -> str | None:
    """Sniff a file's format from its first MiB (decompressed for ``.gz``)."""
    return sniff_bytes(_prefix(path))


def page_reader(fmt: str) -> Callable[[str, Path], Iterator]:
    """The reader function for a page or post format (imported lazily: Scrapy-free, but not tiny)."""
    if fmt == "warc":
        from lantern.sources.warc import read_warc

        return read_warc
    if fmt == "cdr":
        from lantern.sources.cdr import read_cdr

        return read_cdr
    from lantern.sources.social import read_mastodon, read_twitter

    return read_twitter if fmt == "twitter" else read_mastodon
