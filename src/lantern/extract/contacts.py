"""Emails, URLs and domains, social handles and payment handles.

Every pattern that starts with a repeated character class is anchored by a look-behind on the same
class, so a megabyte of one hostile "word" is scanned once rather than once per starting position.
"""

from __future__ import annotations

import re
from typing import Final

from lantern.extract.normalise import fold_case
from lantern.extract.scan import LOWER_ALNUM, matches_not_after
from lantern.extract.spans import SpanSet
from lantern.extract.trie import trie_pattern

COMMON_TLDS: Final = frozenset(
    [
        "com",
        "net",
        "org",
        "edu",
        "gov",
        "info",
        "biz",
        "me",
        "io",
        "co",
        "us",
        "uk",
        "ca",
        "au",
        "in",
        "de",
        "fr",
        "es",
        "it",
        "nl",
        "ru",
        "ch",
        "se",
        "no",
        "pl",
        "br",
        "mx",
        "nz",
        "ie",
        "za",
        "sg",
        "hk",
        "ph",
        "xyz",
        "online",
        "site",
        "club",
        "live",
        "app",
        "email",
        "mail",
    ]
)
"""TLDs accepted in spelled-out emails ("name at domain dot com"), where anything else is prose."""

_EMAIL: Final = re.compile(
    r"(?<![\w.%+-])([a-z0-9][a-z0-9._%+-]{0,63})@([a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){0,4}\.[a-z]{2,24})"
    r"(?![a-z0-9-])",
)
_AT: Final = r"(?:\s*@\s*|\s*[(\[{<]\s*at\s*[)\]}>]\s*|\s+at\s+)"
_DOT: Final = r"(?:\s*\.\s*|\s*[(\[{<]\s*(?:dot|\.)\s*[)\]}>]\s*|\s+dot\s+)"
"""``.``, ``dot``, ``(dot)``, ``[dot]`` and the bracketed ``[.]`` (the "defanged" form security tools print)."""
_EMAIL_SPELLED: Final = re.compile(
    rf"(?<![\w.%+-])([a-z0-9][a-z0-9._%+-]{{0,63}}){_AT}([a-z0-9-]{{1,63}}(?:{_DOT}[a-z0-9-]{{1,63}}){{1,4}})"
    r"(?![a-z0-9-])",
)
_DOT_SPLIT: Final = re.compile(_DOT)
_OPENING: Final = frozenset("([{<")
_CLOSING: Final = frozenset(")]}>")


def _at_words(low: str) -> list[tuple[int, int]]:
    r"""Spans of ``@``, a bracketed ``(at)`` / ``[ at ]`` and an ``at`` between whitespace, left to right and
    not overlapping: what ``@|[(\[{<]\s*at\s*[)\]}>]|(?<=\s)at(?=\s)`` finds with ``finditer``.

    The literal ``@`` and ``at`` are found with ``str.find`` and the brackets and spaces around each are
    read here: a regular expression opening with the whitespace before ``at`` tried every space of the ad
    (11 µs a body, for one or two hits). ``tests/extract/test_fast_scans.py`` compares the two."""
    found: list[tuple[int, int]] = []
    at = low.find("@")
    while at >= 0:
        found.append((at, at + 1))
        at = low.find("@", at + 1)
    size = len(low)
    word = low.find("at")
    while word >= 0:
        before = word - 1
        while before >= 0 and low[before].isspace():
            before -= 1
        if before >= 0 and low[before] in _OPENING:
            after = word + 2
            while after < size and low[after].isspace():
                after += 1
            if after < size and low[after] in _CLOSING:
                found.append((before, after + 1))
        if word and low[word - 1].isspace() and word + 2 < size and low[word + 2].isspace():
            found.append((word, word + 2))
        word = low.find("at", word + 1)
    found.sort()
    kept: list[tuple[int, int]] = []
    for start, end in found:
        if not kept or start >= kept[-1][1]:
            kept.append((start, end))
    return kept


_DOMAIN_AFTER: Final = re.compile(rf"\s*([a-z0-9-]{{1,63}}(?:{_DOT}[a-z0-9-]{{1,63}}){{1,4}})(?![a-z0-9-])")


def _spelled_windows(low: str, plain: SpanSet) -> list[tuple[int, int]]:
    """Stretches of ``low`` that may hold a spelled email: an ``at`` followed by a dotted domain ending in
    a known TLD, outside the ``plain`` emails already found. Most texts say "text me at" but name no
    domain, and the full pattern never runs."""
    windows: list[tuple[int, int]] = []
    for start, end in _at_words(low):
        if plain.contains_point(start):
            continue
        d = _DOMAIN_AFTER.match(low, end)
        if d is None:
            continue
        labels = [p for p in _DOT_SPLIT.split(d.group(1)) if p]
        if len(labels) < 2 or labels[-1] not in COMMON_TLDS:
            continue
        lo = max(0, start - 80)
        if windows and lo <= windows[-1][1]:
            windows[-1] = (windows[-1][0], d.end())
        else:
            windows.append((lo, d.end()))
    return windows


_URL: Final = re.compile(
    r"(?<![\w/])(?:(?:https?://|www\.)[^\s<>\"'()\[\]{}]{1,2000}"
    r"|[a-z0-9][a-z0-9-]{0,62}(?:\.[a-z0-9-]{1,63}){0,3}\.(?:com|net|org|me|io|co|info|biz|xyz|us|uk)"
    r"(?:/[^\s<>\"'()\[\]{}]{0,2000})?)(?![\w@])",
)

_URL_GATE: Final = re.compile(r"https?://|www\.|\.(?:com|net|org|me|io|co|info|biz|xyz|us|uk)(?![a-z0-9_])")
"""Every URL the pattern accepts holds one of these; most texts hold none, and then ``_URL`` never runs."""

PLATFORMS: Final = {
    "snapchat": "snapchat", "snap": "snapchat", "sc": "snapchat", "👻": "snapchat",
    "instagram": "instagram", "insta": "instagram", "ig": "instagram",
    "telegram": "telegram", "tg": "telegram", "tele": "telegram",
    "whatsapp": "whatsapp", "whats app": "whatsapp", "wa": "whatsapp", "wapp": "whatsapp",
    "kik": "kik", "twitter": "twitter", "x": "twitter", "wechat": "wechat", "we chat": "wechat",
    "weixin": "wechat", "facebook": "facebook", "fb": "facebook", "messenger": "facebook",
    "tiktok": "tiktok", "onlyfans": "onlyfans", "line": "line", "signal": "signal", "skype": "skype",
    "discord": "discord", "threads": "threads", "reddit": "reddit",
}  # fmt: skip
_SHORT: Final = frozenset(
    {"sc", "ig", "tg", "tele", "wa", "wapp", "x", "fb", "line", "signal", "snap", "threads"}
)
"""Keywords that are ordinary words or letters too: they need an explicit ``:``/``@``/``-`` after them."""

_HANDLE: Final = re.compile(  # not after a letter or digit: ``matches_not_after``, so ``re`` skips ahead in C
    rf"({trie_pattern(PLATFORMS)})(?:\s*(?:id|name|user(?:name)?|handle|me|at|is))?"
    r"(\s*[:=@\-–>]+\s*|\s+)@?([a-z0-9][a-z0-9._-]{1,31})(?![a-z0-9])",
)
_STOP: Final = frozenset(
    [
        "only",
        "me",
        "and",
        "or",
        "for",
        "the",
        "to",
        "is",
        "at",
        "on",
        "my",
        "please",
        "text",
        "call",
        "dm",
        "add",
        "msg",
        "message",
        "available",
        "now",
        "here",
        "with",
        "me.",
        "too",
        "also",
        "if",
        "you",
        "your",
        "just",
        "here:",
        "no",
        "not",
        "first",
        "friendly",
        "preferred",
        "ok",
        "okay",
    ]
)
_PROFILE_URL: Final = re.compile(
    r"(?<![\w.])(?:https?://)?(?:www\.)?"
    r"(instagram\.com|t\.me|telegram\.me|snapchat\.com/add|twitter\.com|x\.com|facebook\.com|fb\.com"
    r"|kik\.me|tiktok\.com/@|onlyfans\.com|venmo\.com(?:/u)?|paypal\.me|paypal\.com/paypalme|cash\.app)"
    r"/\$?@?([a-z0-9][a-z0-9._-]{1,40})",
)
_PROFILE_PLATFORM: Final = {
    "instagram.com": "instagram", "t.me": "telegram", "telegram.me": "telegram",
    "snapchat.com/add": "snapchat", "twitter.com": "twitter", "x.com": "twitter",
    "facebook.com": "facebook", "fb.com": "facebook", "kik.me": "kik", "tiktok.com/@": "tiktok",
    "onlyfans.com": "onlyfans", "venmo.com": "venmo", "venmo.com/u": "venmo", "paypal.me": "paypal",
    "paypal.com/paypalme": "paypal", "cash.app": "cashapp",
}  # fmt: skip
PAYMENT_PLATFORMS: Final = frozenset({"cashapp", "venmo", "paypal"})
_PROFILE_HOSTS: Final = ("instagram.com", "t.me", "telegram.me", "snapchat.com", "twitter.com", "x.com",
                  "facebook.com", "fb.com", "kik.me", "tiktok.com", "onlyfans.com", "venmo.com", "paypal.",
                  "cash.app")  # fmt: skip
"""Cheap substring gate: ``_PROFILE_URL`` runs only when one of its hosts is in the text."""

_CASHTAG: Final = re.compile(r"\$(?<![\w$]\$)([a-z][a-z0-9_-]{1,19})(?![\w$])")
"""Opens with the literal ``$`` (the look-behind follows it), so ``re`` jumps from one ``$`` to the next."""
_CURRENCY_WORDS: Final = frozenset(
    {"usd", "cad", "aud", "gbp", "eur", "nzd", "hh", "hr", "hour", "only", "cash"}
)
_PAY_KEYED: Final = re.compile(
    r"(?<![a-z0-9])(venmo|cash\s?app|paypal|zelle|apple\s?pay)"
    r"(?:\s*(?:id|name|user(?:name)?|handle|me|at|is))?(\s*[:=@\-–>]+\s*|\s+)"
    r"([$@]?[a-z0-9][a-z0-9._-]{1,31}(?:@[a-z0-9-]+(?:\.[a-z0-9-]+)+)?)(?![a-z0-9])",
)


class Hit:
    """One contact found in normalised text; ``value`` is whatever the output list needs.

    A plain class rather than a dataclass, as ``normalise.TraceStep`` says why."""

    __slots__ = ("end", "platform", "start", "techniques", "type", "value")

    def __init__(self, type: str, start: int, end: int, value: str, platform: str = "",
                 techniques: tuple[str, ...] = ()) -> None:  # fmt: skip
        self.type = type
        self.start = start
        self.end = end
        self.value = value
        self.platform = platform
        self.techniques = techniques

    def __repr__(self) -> str:
        return f"Hit({self.type!r}, {self.start}, {self.end}, {self.value!r}, {self.platform!r})"


def find_emails(text: str, low: str | None = None) -> list[Hit]:
    """Plain and spelled-out emails (``jo at example dot com``), lower-cased.

    ``low`` is ``fold_case(text)`` when the caller has it; every pattern here runs on it.
    """
    low = fold_case(text) if low is None else low
    out: list[Hit] = []
    for lo, hi in _at_windows(low):
        for m in _EMAIL.finditer(low, lo, hi):
            out.append(Hit("email", m.start(), m.end(), f"{m.group(1)}@{m.group(2)}"))
    seen = SpanSet([(h.start, h.end) for h in out])
    windows = _spelled_windows(low, seen) if "at" in low or "@" in low else []
    for lo, hi in windows:
        pos = lo
        while spelled := _EMAIL_SPELLED.search(low, pos, hi):
            # A rejected match ("me at 305-555-0186. jo") resumes after its user part, since the real
            # address may start inside what it swallowed as a domain.
            pos = spelled.end(1)
            if seen.overlaps(spelled.start(), spelled.end()):
                continue
            labels = [p for p in _DOT_SPLIT.split(spelled.group(2)) if p]
            if len(labels) < 2 or labels[-1].lower() not in COMMON_TLDS:
                continue
            user = spelled.group(1)
            if user.lower() in _STOP:
                continue
            pos = spelled.end()
            out.append(
                Hit(
                    "email",
                    spelled.start(),
                    spelled.end(),
                    f"{user}@{'.'.join(labels)}".lower(),
                    techniques=("spelled_email",),
                )
            )
    return out


_USER_REACH: Final = 64
"""How far before its ``@`` an address can start (``_EMAIL``'s user part is at most 64 characters)."""
_DOMAIN_RUN: Final = re.compile(r"[a-z0-9.-]*")


def _at_windows(low: str) -> list[tuple[int, int]]:
    """Stretches of ``low`` that hold every address ``_EMAIL`` would find in the whole text: from
    ``_USER_REACH`` before each ``@`` to the end of the domain characters after it, merged when they
    overlap. ``_EMAIL`` opens with a look-behind, so ``re`` would otherwise try it at every character of
    the ad; an address holds exactly one ``@`` and lies inside its window, and the look-behind and
    look-ahead see the same characters at a window's edges as in the whole text."""
    windows: list[tuple[int, int]] = []
    at = low.find("@")
    while at >= 0:
        lo = max(0, at - _USER_REACH)
        hi = _DOMAIN_RUN.match(low, at + 1).end()  # type: ignore[union-attr]  # ``*`` always matches
        if windows and lo <= windows[-1][1]:
            windows[-1] = (windows[-1][0], hi)
        else:
            windows.append((lo, hi))
        at = low.find("@", at + 1)
    return windows


def find_urls(text: str, low: str | None = None) -> list[Hit]:
    """URLs and bare domains, as written (case kept)."""
    if "." not in text:
        return []
    low = fold_case(text) if low is None else low
    if not _URL_GATE.search(low):
        return []
    out: list[Hit] = []
    for lo, hi in _url_runs(low):
        for m in _URL.finditer(low, lo, hi):
            url = text[m.start() : m.end()].rstrip(".,;:!?")
            if "@" in text[max(0, m.start() - 1) : m.start()]:
                continue
            out.append(Hit("url", m.start(), m.start() + len(url), url))
    return out


_URL_STOP_CHARS: Final = frozenset("<>\"'()[]{}")
"""Besides white space, the characters no URL holds (``_URL``'s ``[^\\s<>\"'()\\[\\]{}]``)."""
_URL_STOP: Final = re.compile(r"[\s" + re.escape("".join(sorted(_URL_STOP_CHARS))) + "]")
_URL_REACH: Final = 300
"""How far before its ``_URL_GATE`` hit a URL can start: a bare domain's name and labels before the TLD
(``https?://`` and ``www.`` are gate hits themselves, where their URL starts)."""


def _url_runs(low: str) -> list[tuple[int, int]]:
    """Stretches of ``low`` that can hold every URL ``_URL`` would find in the whole text.

    Each is the run of non-delimiter characters around a gate hit (at most ``_URL_REACH`` back). No URL
    crosses a delimiter, so ``_URL`` run over these stretches finds what it finds over the whole text,
    but its per-character cost (it opens with a look-behind) is paid on a few words, not the whole ad.
    """
    runs: list[tuple[int, int]] = []
    for gate in _URL_GATE.finditer(low):
        at = gate.start()
        floor = runs[-1][1] if runs else 0
        if at < floor:
            continue
        lo = at
        limit = max(floor, at - _URL_REACH)
        while lo > limit and not ((ch := low[lo - 1]).isspace() or ch in _URL_STOP_CHARS):
            lo -= 1
        stop = _URL_STOP.search(low, gate.end())
        runs.append((lo, stop.start() if stop else len(low)))
    return runs


_NUMBERISH: Final = re.compile(r"[\d.\-]+")
_LINE_COMPOUND: Final = re.compile(
    r"(?:booking|phone|help|hot|land|direct|text|support|private|business|work|main|contact|cell|mobile"
    r"|office|personal|call|front|bottom|top)[\s-]*$",
)
"""``booking line``, ``phone line``, ``help line``: a telephone line, not the LINE messenger."""


def find_handles(text: str, claimed: SpanSet | None = None, low: str | None = None) -> list[Hit]:
    """Messaging and social handles after a platform keyword, and profile URLs.

    ``claimed`` holds spans other extractors own (phones): a number after ``WhatsApp:`` or ``Booking
    line:`` is reported as a phone, never as a handle, whatever disguise it wears (``f0ur 0ne ...``).
    """
    low = fold_case(text) if low is None else low
    text = low
    out: list[Hit] = []
    for m in matches_not_after(_HANDLE, low, LOWER_ALNUM):
        key = m.group(1)
        platform = PLATFORMS[key]
        sep = m.group(2)
        handle = m.group(3).rstrip("._-")
        explicit = bool(sep.strip()) or text[m.start(3) - 1 : m.start(3)] == "@"
        if key in _SHORT and not explicit:
            continue
        if handle.lower() in _STOP or handle.lower() in PLATFORMS:
            continue
        if not explicit and not re.search(r"[0-9_.]", handle):
            continue
        if _NUMBERISH.fullmatch(handle):
            continue  # a number after "WhatsApp:" is a phone; the phone extractor reports it
        if claimed is not None and claimed.overlaps(m.start(3), m.start(3) + len(handle)):
            continue
        if key == "line" and _LINE_COMPOUND.search(text, max(0, m.start() - 12), m.start()):
            continue
        out.append(Hit("handle", m.start(), m.start(3) + len(handle), handle.lower(), platform))
    profiles = "/" in text and any(host in text for host in _PROFILE_HOSTS)
    for m in _PROFILE_URL.finditer(text) if profiles else ():
        platform = _PROFILE_PLATFORM[m.group(1).lower()]
        handle = m.group(2).rstrip("._-").lower()
        kind = "payment" if platform in PAYMENT_PLATFORMS else "handle"
        if handle in {"share", "p", "reel", "add", "u", "home", "login", "profile.php"}:
            continue
        out.append(Hit(kind, m.start(), m.start(2) + len(handle), handle, platform))
    return out


def find_payments(text: str, low: str | None = None) -> list[Hit]:
    """Cash tags (``$name``) and keyed payment handles (``Venmo: @name``), lower-cased."""
    text = fold_case(text) if low is None else low
    out: list[Hit] = []
    if "$" in text:
        for m in _CASHTAG.finditer(text):
            tag = m.group(1)
            if tag.lower() in _CURRENCY_WORDS or tag.lower().rstrip("s") in _CURRENCY_WORDS:
                continue
            out.append(Hit("payment", m.start(), m.end(), "$" + tag.lower(), "cashapp"))
    tags = SpanSet([(h.start, h.end) for h in out])
    keyed = any(word in text for word in ("venmo", "cash", "paypal", "zelle", "apple"))
    for m in _PAY_KEYED.finditer(text) if keyed else ():
        raw = m.group(1).lower().replace(" ", "")
        platform = {"cashapp": "cashapp", "venmo": "venmo", "paypal": "paypal"}.get(raw)
        if platform is None:
            continue
        value = m.group(3)
        if value.lower().lstrip("$@") in _STOP:
            continue
        if platform == "cashapp":
            if not value.startswith("$"):
                value = "$" + value.lstrip("@")
            if tags.contains_point(m.start(3)):
                continue
        else:
            value = value.lstrip("@")
        out.append(Hit("payment", m.start(), m.end(), value.lower(), platform))
    return out
