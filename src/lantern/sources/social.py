"""Reading social posts: X/Twitter API v2 responses and Mastodon statuses, one record per post.

Both arrive either as one JSON document (a saved API response, an array of statuses) or as JSON
lines (one response page or one post per line, as streaming tools write them); a file that parses
as one JSON document is read whole, anything else line by line.

``RawItem.raw`` is the original bytes when a line or file holds exactly one post. When a document
holds several, each post's raw is that post re-serialised in the same API shape (for X: the tweet
with only the ``includes`` it references; for Mastodon: the status object), equal in value to what
the file held but not byte-identical; ``extra.provenance`` says so (``raw: reserialised``) and names
the file, line and the post's position in the document. Images named by posts are URLs and are kept
as text, never fetched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson

from lantern.records import value_problem
from lantern.sources.files import RawItem, open_binary, read_jsonl
from lantern.sources.guard import describe
from lantern.sources.lines import BOM

MAX_DOCUMENT_BYTES = 256 * 1024 * 1024
"""A single JSON document bigger than this is not held in memory; it is read as JSON lines."""

Post = tuple[dict[str, Any], dict[str, Any]]
"""(record fields, raw envelope) for one post."""


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


def _twitter_posts(document: Any) -> list[Post]:
    """Tweets in an API v2 response (or a bare tweet, or a list of either), joined to their includes."""
    if isinstance(document, list):
        return [post for part in document for post in _twitter_posts(part)]
    if not isinstance(document, dict):
        return [({"__invalid__": type(document).__name__}, {})]
    if "data" not in document and "text" in document:
        document = {"data": document}
    includes = document.get("includes") if isinstance(document.get("includes"), dict) else {}
    users = {u.get("id"): u for u in _as_list(includes.get("users")) if isinstance(u, dict)}
    media = {m.get("media_key"): m for m in _as_list(includes.get("media")) if isinstance(m, dict)}
    places = {p.get("id"): p for p in _as_list(includes.get("places")) if isinstance(p, dict)}
    posts: list[Post] = []
    for tweet in _as_list(document.get("data")):
        if not isinstance(tweet, dict):
            posts.append(({"__invalid__": type(tweet).__name__}, {}))
            continue
        posts.append(_tweet(tweet, users, media, places))
    return posts


def _tweet(tweet: dict[str, Any], users: dict, media: dict, places: dict) -> Post:
    author = users.get(tweet.get("author_id")) or {}
    attachments = tweet.get("attachments") if isinstance(tweet.get("attachments"), dict) else {}
    items = [media[k] for k in _as_list(attachments.get("media_keys")) if k in media]
    geo = tweet.get("geo") if isinstance(tweet.get("geo"), dict) else {}
    place = places.get(geo.get("place_id")) or {}
    note = tweet.get("note_tweet") if isinstance(tweet.get("note_tweet"), dict) else {}
    tweet_id = tweet.get("id")
    username = author.get("username")
    record: dict[str, Any] = {
        "id": str(tweet_id) if isinstance(tweet_id, int) and not isinstance(tweet_id, bool) else tweet_id,
        "source": "twitter",
        "kind": "post",
        "url": f"https://x.com/{username}/status/{tweet_id}"
        if username
        else f"https://x.com/i/web/status/{tweet_id}",
        "posted_at": tweet.get("created_at"),
        "body": note.get("text") or tweet.get("text"),
        "author": username,
        "location": place.get("full_name"),
        "images": [
            m.get("url") or m.get("preview_image_url")
            for m in items
            if m.get("url") or m.get("preview_image_url")
        ],
        "author_id": tweet.get("author_id"),
        "author_name": author.get("name"),
        "author_profile_location": author.get("location"),
        "lang": tweet.get("lang"),
        "conversation_id": tweet.get("conversation_id"),
        "referenced_tweets": tweet.get("referenced_tweets"),
        "media": [{k: m.get(k) for k in ("media_key", "type", "alt_text") if m.get(k)} for m in items],
    }
    includes: dict[str, Any] = {}
    if author:
        includes["users"] = [author]
    if items:
        includes["media"] = items
    if place:
        includes["places"] = [place]
    envelope = {"data": tweet, "includes": includes} if includes else {"data": tweet}
    return {k: v for k, v in record.items() if v not in (None, [], "")}, envelope


def _mastodon_posts(document: Any) -> list[Post]:
    """Statuses in a Mastodon API array, a single status, or a list of those."""
    if isinstance(document, list):
        return [post for part in document for post in _mastodon_posts(part)]
    if not isinstance(document, dict):
        return [({"__invalid__": type(document).__name__}, {})]
    return [_status(document)]


def _status(status: dict[str, Any]) -> Post:
    shown = status.get("reblog") if isinstance(status.get("reblog"), dict) else status
    account = shown.get("account") if isinstance(shown.get("account"), dict) else {}
    uri = shown.get("uri") or shown.get("url")
    account_host = urlsplit(account.get("url") or "").hostname
    acct = account.get("acct")
    if isinstance(acct, str) and "@" not in acct and account_host:
        acct = f"{acct}@{account_host}"
    attachments = [a for a in _as_list(shown.get("media_attachments")) if isinstance(a, dict)]
    record: dict[str, Any] = {
        # Status ids are local to the instance that answered; the uri is the same everywhere, so it is
        # the identity, and a status without one is quarantined rather than keyed by a local number.
        "id": uri if isinstance(uri, str) else None,
        "source": "mastodon",
        "kind": "post",
        "url": shown.get("url") or shown.get("uri"),
        "posted_at": shown.get("created_at"),
        "title": shown.get("spoiler_text") or None,
        "body": shown.get("content"),
        "author": acct,
        "images": [
            a.get("url") or a.get("remote_url") or a.get("preview_url")
            for a in attachments
            if a.get("url") or a.get("remote_url") or a.get("preview_url")
        ],
        "status_id": shown.get("id"),
        "author_name": account.get("display_name"),
        "language": shown.get("language"),
        "tags": [t.get("name") for t in _as_list(shown.get("tags")) if isinstance(t, dict)],
        "media": [{k: a.get(k) for k in ("type", "description") if a.get(k)} for a in attachments],
        "boosted_by": status.get("account", {}).get("acct")
        if shown is not status and isinstance(status.get("account"), dict)
        else None,
    }
    return {k: v for k, v in record.items() if v not in (None, [], "")}, status


def _items_from(
    document: Any,
    raw: bytes,
    origin: str,
    line: int,
    fmt: str,
    base_dir: Path,
    posts_of: Callable[[Any], list[Post]],
) -> Iterator[RawItem]:
    bound = value_problem({"document": document}, max_bytes=None)  # before the posts are walked
    if bound is not None:
        yield RawItem(origin, line, raw, fmt, base_dir, problem=("record", bound[1]))
        return
    try:
        posts = posts_of(document)
    except Exception as error:  # a shape no rule foresaw: this document is quarantined, not the file
        yield RawItem(
            origin, line, raw, fmt, base_dir, problem=("record", f"cannot be read: {describe(error)}")
        )
        return
    if not posts:
        yield RawItem(
            origin, line, raw, fmt, base_dir, problem=("record", f"no {fmt} posts in this document")
        )
        return
    single = len(posts) == 1
    for index, (record, envelope) in enumerate(posts, start=1):
        post_raw = raw if single else orjson.dumps(envelope)
        item = RawItem(origin, line, post_raw, fmt, base_dir)
        if "__invalid__" in record:
            item.problem = ("record", f"expected a {fmt} post object, got {record['__invalid__']}")
            yield item
            continue
        record["provenance"] = {
            "format": fmt,
            "file": origin,
            "line": line,
            "post": index,
            "raw": "original bytes" if single else "reserialised (the document held several posts)",
        }
        item.data = record
        yield item


def _read_posts(
    path: str, base_dir: Path, fmt: str, posts_of: Callable[[Any], list[Post]]
) -> Iterator[RawItem]:
    origin = "<stdin>" if path == "-" else path
    whole: bytes | None = None
    if path == "-":
        whole = open_binary(path).read(MAX_DOCUMENT_BYTES + 1)
        if len(whole) > MAX_DOCUMENT_BYTES:
            reason = f"stdin is over {MAX_DOCUMENT_BYTES} bytes: save it to a file to read it line by line"
            yield RawItem(
                origin, 1, whole[: 1024 * 1024], fmt, base_dir, truncated=True, problem=("record", reason)
            )
            return
    elif Path(path).stat().st_size <= MAX_DOCUMENT_BYTES or path.lower().endswith(".gz"):
        with open_binary(path) as handle:
            whole = handle.read(MAX_DOCUMENT_BYTES + 1)
    if whole is not None and whole.startswith(BOM):
        whole = whole[len(BOM) :]
    if whole is not None and len(whole) <= MAX_DOCUMENT_BYTES:
        try:
            document = orjson.loads(whole)
        except orjson.JSONDecodeError:
            document = None
        if document is not None:
            yield from _items_from(document, whole, origin, 1, fmt, base_dir, posts_of)
            return
        if path == "-":
            lines = whole.splitlines()
            for number, line in enumerate(lines, start=1):
                if line.strip():
                    yield from _line_items(RawItem(origin, number, line, fmt, base_dir), fmt, posts_of)
            return
    for item in read_jsonl(path, base_dir):
        yield from _line_items(item, fmt, posts_of)


def line_items(item: RawItem, fmt: str) -> Iterator[RawItem]:
    """The posts of one JSON line already read (``twitter`` or ``mastodon``)."""
    return _line_items(item, fmt, _twitter_posts if fmt == "twitter" else _mastodon_posts)


def _line_items(item: RawItem, fmt: str, posts_of: Callable[[Any], list[Post]]) -> Iterator[RawItem]:
    item.fmt = fmt
    if item.problem is not None:
        yield item
        return
    try:
        document = orjson.loads(item.raw)
    except orjson.JSONDecodeError as error:
        item.problem = ("record", f"malformed JSON: {error}")
        yield item
        return
    yield from _items_from(document, item.raw, item.origin, item.line, fmt, item.base_dir, posts_of)


def read_twitter(path: str, base_dir: Path) -> Iterator[RawItem]:
    """One RawItem per tweet in X/Twitter API v2 JSON (a response, JSON lines of responses, or tweets)."""
    return _read_posts(path, base_dir, "twitter", _twitter_posts)


def read_mastodon(path: str, base_dir: Path) -> Iterator[RawItem]:
    """One RawItem per Mastodon status (an API array, JSON lines of statuses, or one status)."""
    return _read_posts(path, base_dir, "mastodon", _mastodon_posts)
