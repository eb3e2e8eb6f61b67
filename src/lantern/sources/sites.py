"""Per-site extraction rules kept as data: which pages are ads and which selectors give each field.

Sites change their markup faster than Lantern releases, so the rules live in TOML files
(``lantern/sources/sites/*.toml`` built in, plus ``DATA_DIR/sites/*.toml`` and files named with
``--sites``) that an analyst can fix without touching code. The same file drives ``lantern crawl``
(its ``[crawl]`` table) and the WARC and CDR readers (``[site]``, ``[pages]``, ``[fields]``).

A page these rules cannot map (no site matches its host, a required field is empty because the
layout changed) becomes an :class:`Unmapped` with a one-line reason, so ingest can quarantine it
instead of losing it.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from parsel import Selector

BUILTIN_DIR = Path(__file__).with_name("sites")
TEXT_FIELDS = ("id", "title", "body", "location", "author", "posted_at")
LIST_FIELDS = ("images",)
MAX_SELECTED_CHARS = 1_000_000
"""Bounds one selected value; a bigger one is the ingest's job to refuse (records.MAX_FIELD_BYTES)."""


class SiteConfigError(ValueError):
    """A site file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True, slots=True)
class Unmapped:
    """Why a page could not become a record: the field at fault (or ``record``) and a reason."""

    field: str
    reason: str


@dataclass(frozen=True, slots=True)
class FieldRule:
    """How to get one field: a selector (``css`` or ``xpath``), or the page URL, then an optional regex.

    ``text`` takes the whole text of the selected elements (not just direct text nodes), ``html`` keeps
    their markup, ``all`` joins every match (lists always keep every match), ``url`` resolves the value
    against the page URL, ``date_format`` parses a site's own date style into ISO 8601.
    """

    name: str
    css: str | None = None
    xpath: str | None = None
    from_url: bool = False
    regex: re.Pattern[str] | None = None
    text: bool = False
    html: bool = False
    all: bool = False
    join: str = " "
    url: bool = False
    const: str | None = None
    date_format: str | None = None

    def describe(self) -> str:
        """The rule as a person wrote it, for quarantine reasons."""
        if self.const is not None:
            return f"const {self.const!r}"
        where = "url" if self.from_url else f"css:{self.css}" if self.css else f"xpath:{self.xpath}"
        return f"{where} regex {self.regex.pattern}" if self.regex else where


@dataclass(frozen=True, slots=True)
class CrawlRules:
    """The ``[crawl]`` table: where to start, what to follow, and how politely."""

    start_urls: tuple[str, ...] = ()
    ad_links: str | None = None
    next_page: str | None = None
    image_domains: tuple[str, ...] = ()
    max_pages: int = 10_000
    delay: float = 1.0
    concurrency: int = 2
    robots_txt: bool = True
    timeout: float = 30.0
    max_bytes: int = 10 * 1024 * 1024
    max_image_bytes: int = 20 * 1024 * 1024
    allow_networks: tuple[str, ...] = ()
    revisit: str = "conditional"
    user_agent: str = "LanternCrawler/0.1 (investigative research; set crawl.user_agent to add a contact)"


@dataclass(frozen=True)
class SiteRules:
    """One site's rules, loaded from a TOML file."""

    name: str
    domains: tuple[str, ...]
    kind: str = "ad"
    ad_pattern: re.Pattern[str] | None = None
    listing_pattern: re.Pattern[str] | None = None
    fields: dict[str, FieldRule] = field(default_factory=dict)
    required: tuple[str, ...] = ("id",)
    crawl: CrawlRules = field(default_factory=CrawlRules)
    path: str = ""

    def matches_host(self, host: str) -> bool:
        """A host is this site's if it equals one of its domains or is a subdomain of one."""
        host = host.lower().rstrip(".")
        return any(host == d or host.endswith("." + d) for d in self.domains)

    def is_listing(self, url: str) -> bool:
        """Listing pages are navigation: they name ads but are not records themselves."""
        return bool(self.listing_pattern and self.listing_pattern.search(url))

    def is_ad(self, url: str) -> bool:
        """With no ``[pages] ad`` pattern, every page of the site that is not a listing is an ad."""
        if self.ad_pattern is not None:
            return bool(self.ad_pattern.search(url))
        return not self.is_listing(url)


def _selector_text(spec: str, file: str, name: str) -> dict[str, str]:
    kind, _, expression = spec.partition(":")
    if kind not in ("css", "xpath") or not expression:
        raise SiteConfigError(f"{file}: fields.{name}: expected 'css:…' or 'xpath:…', got {spec!r}")
    return {kind: expression}


def _field_rule(name: str, spec: Any, file: str) -> FieldRule:
    if isinstance(spec, str):
        spec = _selector_text(spec, file, name)
    if not isinstance(spec, dict):
        raise SiteConfigError(f"{file}: fields.{name}: expected a selector string or a table")
    known = {"css", "xpath", "from", "regex", "text", "html", "all", "join", "url", "const", "date_format"}
    unknown = set(spec) - known
    if unknown:
        raise SiteConfigError(f"{file}: fields.{name}: unknown key {sorted(unknown)[0]!r}")
    sources = [k for k in ("css", "xpath", "from", "const") if k in spec]
    if len(sources) != 1:
        raise SiteConfigError(f"{file}: fields.{name}: give exactly one of css, xpath, from = 'url', const")
    if "from" in spec and spec["from"] != "url":
        raise SiteConfigError(f"{file}: fields.{name}: 'from' can only be 'url'")
    try:
        regex = re.compile(spec["regex"]) if "regex" in spec else None
        if "css" in spec:
            Selector(text="<p/>").css(spec["css"])
        if "xpath" in spec:
            Selector(text="<p/>").xpath(spec["xpath"])
    except Exception as error:  # bad regex or selector syntax: say which
        raise SiteConfigError(f"{file}: fields.{name}: {error}") from error
    return FieldRule(
        name=name,
        css=spec.get("css"),
        xpath=spec.get("xpath"),
        from_url="from" in spec,
        regex=regex,
        text=bool(spec.get("text", False)),
        html=bool(spec.get("html", False)),
        all=bool(spec.get("all", False)) or name in LIST_FIELDS,
        join=str(spec.get("join", " ")),
        url=bool(spec.get("url", name in LIST_FIELDS)),
        const=spec.get("const"),
        date_format=spec.get("date_format"),
    )


def _crawl_rules(table: dict[str, Any], file: str) -> CrawlRules:
    allowed = set(CrawlRules.__dataclass_fields__)
    unknown = set(table) - allowed
    if unknown:
        raise SiteConfigError(f"{file}: crawl: unknown key {sorted(unknown)[0]!r}")
    values = dict(table)
    for key in ("start_urls", "image_domains", "allow_networks"):
        if key in values:
            values[key] = tuple(values[key])
    if values.get("revisit", "conditional") not in ("conditional", "never", "always"):
        raise SiteConfigError(f"{file}: crawl.revisit: expected conditional, never or always")
    return CrawlRules(**values)


def parse_site(data: dict[str, Any], file: str = "<site>") -> SiteRules:
    """Validate a site table (as read from TOML) into rules, naming the file and key on error."""
    site = data.get("site")
    if not isinstance(site, dict) or not site.get("name"):
        raise SiteConfigError(f"{file}: [site] needs a name")
    domains = site.get("domains") or []
    if not domains:
        raise SiteConfigError(f"{file}: site.domains must list at least one host")
    pages = data.get("pages", {})
    try:
        ad_pattern = re.compile(pages["ad"]) if pages.get("ad") else None
        listing_pattern = re.compile(pages["listing"]) if pages.get("listing") else None
    except re.error as error:
        raise SiteConfigError(f"{file}: pages: {error}") from error
    fields = {name: _field_rule(name, spec, file) for name, spec in data.get("fields", {}).items()}
    unknown = set(fields) - set(TEXT_FIELDS) - set(LIST_FIELDS)
    if unknown:
        raise SiteConfigError(
            f"{file}: fields.{sorted(unknown)[0]}: not a record field ({', '.join(TEXT_FIELDS + LIST_FIELDS)})"
        )
    required = tuple(site.get("required", ("id",)))
    kind = site.get("kind", "ad")
    if kind not in ("ad", "post"):
        raise SiteConfigError(f"{file}: site.kind must be ad or post")
    return SiteRules(
        name=str(site["name"]),
        domains=tuple(str(d).lower() for d in domains),
        kind=kind,
        ad_pattern=ad_pattern,
        listing_pattern=listing_pattern,
        fields=fields,
        required=required,
        crawl=_crawl_rules(data.get("crawl", {}), file),
        path=file,
    )


def load_site(path: str | Path) -> SiteRules:
    """Read one site file."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise SiteConfigError(f"{path}: {error}") from error
    return parse_site(data, str(path))


def _site_files(paths: Iterable[str | Path]) -> list[Path]:
    files: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            files.extend(sorted(path.glob("*.toml")))
        elif path.exists():
            files.append(path)
    return files


class SiteRegistry:
    """Every known site; a later file with the same site name replaces an earlier one (user over built-in)."""

    def __init__(self, sites: Iterable[SiteRules] = ()) -> None:
        self._sites: dict[str, SiteRules] = {}
        for site in sites:
            self.add(site)

    def add(self, site: SiteRules) -> None:
        self._sites[site.name] = site

    def __iter__(self):
        return iter(self._sites.values())

    def __len__(self) -> int:
        return len(self._sites)

    def for_url(self, url: str) -> SiteRules | None:
        """The site whose domains cover the URL's host (the longest domain wins)."""
        host = (urlsplit(url).hostname or "").lower()
        best: tuple[int, SiteRules] | None = None
        for site in self._sites.values():
            for domain in site.domains:
                if (host == domain or host.endswith("." + domain)) and (
                    best is None or len(domain) > best[0]
                ):
                    best = (len(domain), site)
        return best[1] if best else None

    @classmethod
    def load(cls, extra_paths: Iterable[str | Path] = ()) -> SiteRegistry:
        """Built-in sites, then the given files and folders in order."""
        return cls(load_site(path) for path in _site_files([BUILTIN_DIR, *extra_paths]))


_active: SiteRegistry | None = None


def configure(extra_paths: Iterable[str | Path] = ()) -> SiteRegistry:
    """Choose the rules the readers use for the rest of this process (the CLI calls this once)."""
    global _active
    _active = SiteRegistry.load(extra_paths)
    return _active


def active_sites() -> SiteRegistry:
    """The configured registry, or the built-in sites if nothing was configured."""
    global _active
    if _active is None:
        _active = SiteRegistry.load()
    return _active


def _normalise_space(text: str) -> str:
    return " ".join(text.split())


def _select(rule: FieldRule, page: Selector, url: str) -> list[str]:
    if rule.const is not None:
        return [rule.const]
    if rule.from_url:
        values = [url]
    else:
        nodes = page.css(rule.css) if rule.css else page.xpath(rule.xpath or "")
        if rule.html:
            values = nodes.getall()
        elif rule.text:
            # Text nodes joined by spaces, so "<p>a</p><p>b</p>" reads "a b", not "ab".
            values = [" ".join(node.xpath(".//text()").getall()) for node in nodes]
        else:
            values = nodes.getall()
        if not rule.html:
            values = [_normalise_space(v) for v in values]
    if rule.regex is not None:
        picked = []
        for value in values:
            found = rule.regex.search(value)
            if found:
                picked.append(found.group(1) if found.groups() else found.group(0))
        values = picked
    values = [v[:MAX_SELECTED_CHARS] for v in values if v and v.strip()]
    if rule.url:
        values = [urljoin(url, v.strip()) for v in values]
    return values


def _iso_date(value: str, date_format: str | None) -> str | None:
    """ISO 8601 for a stated date, or None when it cannot be read (the text is then kept in extra)."""
    try:
        if date_format:
            parsed = datetime.strptime(value, date_format)
        else:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.isoformat()


def map_page(
    site: SiteRules, url: str, html: str, *, collected_at: str | None = None
) -> dict[str, Any] | Unmapped:
    """Apply a site's rules to one page: a record dict (not yet validated), or why it cannot be one.

    Keys that are not record fields (``posted_at_text``, and the ``provenance`` callers add) are moved
    into the record's ``extra`` by validation, as for any source.
    """
    try:
        page = Selector(text=html or "<html></html>", base_url=url)
    except Exception as error:  # lxml refuses some hostile documents outright
        return Unmapped("record", f"page cannot be parsed as HTML: {type(error).__name__}: {error}")
    record: dict[str, Any] = {"source": site.name, "kind": site.kind, "url": url}
    for name, rule in site.fields.items():
        try:
            values = _select(rule, page, url)
        except Exception as error:  # a selector failing on a hostile page must not lose the page
            return Unmapped(name, f"selector {rule.describe()} failed: {type(error).__name__}: {error}")
        if name in LIST_FIELDS:
            record[name] = list(dict.fromkeys(values))
        elif values:
            record[name] = rule.join.join(values) if rule.all else values[0]
    if "id" not in site.fields and "id" not in record:
        record["id"] = url.split("#", 1)[0]
    posted = record.get("posted_at")
    if posted is not None:
        iso = _iso_date(posted, site.fields["posted_at"].date_format)
        if iso is None:
            # Unknown keys land in the record's ``extra``: the stated date is kept, not lost.
            record["posted_at_text"] = record.pop("posted_at")
        else:
            record["posted_at"] = iso
    if collected_at:
        record["collected_at"] = collected_at
    for name in site.required:
        if not record.get(name):
            rule = site.fields.get(name)
            how = f"selector {rule.describe()} matched nothing" if rule else "no rule gives it"
            return Unmapped(name, f"required field is empty on this page ({how}; site rules {site.name})")
    return record


def page_records_problem(url: str, registry: SiteRegistry) -> tuple[SiteRules | None, Unmapped | None]:
    """The site for a page URL, or why none applies."""
    site = registry.for_url(url)
    if site is None:
        host = urlsplit(url).hostname or "?"
        return None, Unmapped(
            "record", f"no site rules cover host {host!r} (add a sites/*.toml or pass --sites)"
        )
    return site, None
