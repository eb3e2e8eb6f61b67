"""Which reader a file needs: by name where names are reliable, by content where they are not.

A Memex CDR dump, a saved X API response and a Lantern record file are all "JSON lines", so names
alone would read a CDR page as a (broken) Lantern record. Sniffing looks at a bounded prefix only:
the first 1 MiB, and in it the first 100 lines. A file is read as CDR or posts only when every line
sniffed says so (one look-alike first record must not reroute a file of Lantern records); when the
lines disagree, the file is ``mixed`` and each record is read by the format it has
(:func:`record_format`, the same judgement for a line as for a file).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson

FORMATS = ("jsonl", "csv", "warc", "cdr", "twitter", "mastodon")
SNIFF_BYTES = 1024 * 1024
SNIFF_LINES = 100

_CDR = re.compile(rb'"(raw_content|crawl_data)"\s*:')
_TWEET = re.compile(rb'"author_id"\s*:')
_TEXT = re.compile(rb'"text"\s*:')
_INCLUDES = re.compile(rb'"includes"\s*:\s*\{')
_ACCOUNT = re.compile(rb'"account"\s*:\s*\{')
_CONTENT = re.compile(rb'"content"\s*:')


def format_by_name(path: Path) -> str | None:
    """``csv``, ``warc``, ``jsonl`` or ``json`` from the suffixes (``.gz`` allowed), else None."""
    from lantern.sources.files import COMPRESSED

    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in COMPRESSED:
        suffixes = suffixes[:-1]
    if not suffixes:
        return None
    return {".csv": "csv", ".warc": "warc", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json"}.get(
        suffixes[-1]
    )


def _prefix(path: Path) -> bytes:
    from lantern.sources.files import open_binary

    try:
        with open_binary(str(path)) as handle:
            return handle.read(SNIFF_BYTES)
    except Exception:  # a broken file is said by its reader, which meets the same break
        return b""


def record_format(document: Any) -> str | None:
    """``cdr``, ``twitter`` or ``mastodon`` for one decoded JSON document, or None for a Lantern record.

    A document with Lantern's required ``id`` and ``source`` is a Lantern record whatever else it
    carries, unless it is plainly a tweet (``author_id`` and ``text``, no ``title`` or ``body``).
    """
    if not isinstance(document, dict):
        return None
    if isinstance(document.get("includes"), dict) or ("data" in document and "id" not in document):
        return "twitter"
    tweet = "author_id" in document and "text" in document
    if tweet and "body" not in document and "title" not in document:
        return "twitter"
    if isinstance(document.get("id"), str) and isinstance(document.get("source"), str):
        return None
    if "raw_content" in document or "crawl_data" in document:
        return "cdr"
    if tweet:
        return "twitter"
    if isinstance(document.get("account"), dict) and "content" in document:
        return "mastodon"
    return None


def _text_format(text: bytes) -> str | None:
    """The format by key names alone, for a document too large for the prefix to hold whole."""
    if _CDR.search(text):
        return "cdr"
    if _INCLUDES.search(text) or (_TWEET.search(text) and _TEXT.search(text)):
        return "twitter"
    if _ACCOUNT.search(text) and _CONTENT.search(text):
        return "mastodon"
    return None


def sniff_bytes(prefix: bytes) -> str | None:
    """``warc``, ``cdr``, ``twitter``, ``mastodon`` or ``mixed`` from the start of a file, or None
    (plain records)."""
    head = prefix.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"WARC/"):
        return "warc"
    if head.startswith(b"["):
        return _text_format(head)
    if not head.startswith(b"{"):
        return None
    lines = head.splitlines()
    complete = lines if len(prefix) < SNIFF_BYTES else lines[:-1]  # the last may be cut off
    found: set[str | None] = set()
    for line in (complete or lines[:1])[:SNIFF_LINES]:
        if not line.strip():
            continue
        try:
            found.add(record_format(orjson.loads(line)))
        except orjson.JSONDecodeError:  # broken JSON is evidence only when it names a format's keys
            named = _text_format(line)
            if named is not None:
                found.add(named)
    if len(found) > 1:
        return "mixed"
    return found.pop() if found else None


def sniff_format(path: Path) -> str | None:
    """Sniff a file's format from its first MiB (decompressed for ``.gz``)."""
    return sniff_bytes(_prefix(path))


def page_reader(fmt: str) -> Callable[[str, Path], Iterator]:
    """The reader function for a page or post format (imported lazily: Scrapy-free, but not tiny)."""
    if fmt == "mixed":
        return read_mixed
    if fmt == "warc":
        from lantern.sources.warc import read_warc

        return read_warc
    if fmt == "cdr":
        from lantern.sources.cdr import read_cdr

        return read_cdr
    from lantern.sources.social import read_mastodon, read_twitter

    return read_twitter if fmt == "twitter" else read_mastodon


def read_mixed(path: str, base_dir: Path) -> Iterator:
    """JSON lines whose records are not all of one format: each read by the format it has."""
    from lantern.sources.cdr import cdr_item
    from lantern.sources.files import read_jsonl
    from lantern.sources.guard import mapped
    from lantern.sources.social import line_items

    for item in read_jsonl(path, base_dir):
        try:
            fmt = None if item.problem else record_format(orjson.loads(item.raw))
        except orjson.JSONDecodeError:
            fmt = None  # quarantined as malformed JSON when it is validated
        if fmt == "cdr":
            yield mapped(item, cdr_item)
        elif fmt in ("twitter", "mastodon"):
            yield from line_items(item, fmt)
        else:
            yield item
