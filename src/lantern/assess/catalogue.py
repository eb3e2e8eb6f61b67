"""The indicator catalogue: versioned rules read from TOML, with an agency's overrides merged on top.

Rules are data, not code (INDICATORS.md §7 "Drift"): slang, emoji and obfuscation change after
enforcement actions, and an agency must be able to re-weight a rule or add its own without a release.
An override file has the same shape as the shipped one; a ``[[rules]]`` entry whose ``id`` exists
replaces only the keys it gives, a new ``id`` adds a rule, and ``[scoring]``/``[sources]`` keys merge.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

OVERRIDE_ENV = "LANTERN_INDICATORS"
"""Environment variable naming an agency's override file."""

KINDS = ("text", "emoji", "mention", "age", "derived", "propagation", "structural", "image")
SCORES = ("trafficking", "minor")
DIRECTIONS = ("up", "down", "none", "unknown")
TIERS = ("A", "B", "C", "D")


class CatalogueError(ValueError):
    """The catalogue or an override file is malformed; the message names the rule and key."""


@dataclass(frozen=True)
class Rule:
    """One indicator rule as the catalogue states it (see the key list in data/indicators.toml)."""

    id: str
    name: str
    category: str
    tier: str
    direction: str
    score: str
    weight: float
    kind: str
    explanation: str
    sources: tuple[str, ...]
    patterns: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    negative: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    standalone: bool = True
    implemented: bool = True
    mention_type: str | None = None
    obscured: bool | None = None
    min_distinct: int = 1
    fields_only: tuple[str, ...] = ()
    age_min: int | None = None
    age_max: int | None = None
    when_any: tuple[str, ...] = ()
    when_all: tuple[str, ...] = ()
    also_any: tuple[str, ...] = ()
    unless_any: tuple[str, ...] = ()
    boost_when_any: tuple[str, ...] = ()
    boost: float = 0.0
    propagate_from: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for the web app and for export; tuples become lists."""
        out: dict[str, Any] = {}
        for key, value in self.__dict__.items():
            out[key] = list(value) if isinstance(value, tuple) else value
        return out


@dataclass(frozen=True)
class Catalogue:
    """All rules plus the scoring constants and the source citations they refer to."""

    version: str
    rules: tuple[Rule, ...]
    sources: dict[str, str]
    scoring: dict[str, Any]
    calibrated: bool = False
    origin: tuple[str, ...] = ()
    """Files the catalogue was read from, shipped file first."""

    def by_id(self) -> dict[str, Rule]:
        return {rule.id: rule for rule in self.rules}

    def cite(self, rule: Rule) -> str:
        """A short citation string for a rule's firing: source keys joined, full text in ``sources``."""
        return "; ".join(rule.sources)


_TUPLE_KEYS = (
    "sources", "patterns", "keywords", "negative", "tags", "fields_only", "when_any", "when_all",
    "also_any", "unless_any", "boost_when_any", "propagate_from",
)  # fmt: skip
_REQUIRED = ("id", "name", "category", "tier", "direction", "score", "weight", "kind", "explanation")


def _rule_from(data: dict[str, Any], where: str) -> Rule:
    missing = [key for key in _REQUIRED if key not in data]
    if missing:
        raise CatalogueError(f"{where}: rule {data.get('id', '?')} lacks {', '.join(missing)}")
    known = set(Rule.__dataclass_fields__)
    unknown = sorted(set(data) - known)
    if unknown:
        raise CatalogueError(f"{where}: rule {data['id']} has unknown keys {', '.join(unknown)}")
    values = dict(data)
    for key in _TUPLE_KEYS:
        if key in values:
            if not isinstance(values[key], list):
                raise CatalogueError(f"{where}: rule {data['id']} key {key} must be a list")
            values[key] = tuple(values[key])
    try:
        values["weight"] = float(values["weight"])
        values["boost"] = float(values.get("boost", 0.0))
    except (TypeError, ValueError) as error:
        raise CatalogueError(f"{where}: rule {data['id']} weight must be a number") from error
    rule = Rule(**values)
    for key, allowed in (("kind", KINDS), ("score", SCORES), ("direction", DIRECTIONS), ("tier", TIERS)):
        if getattr(rule, key) not in allowed:
            raise CatalogueError(f"{where}: rule {rule.id} {key} must be one of {', '.join(allowed)}")
    if rule.kind == "mention" and not rule.mention_type:
        raise CatalogueError(f"{where}: mention rule {rule.id} needs mention_type")
    return rule


def _read(path: Path | None) -> tuple[dict[str, Any], str]:
    if path is None:
        text = resources.files("lantern.assess").joinpath("data/indicators.toml").read_text("utf-8")
        return tomllib.loads(text), "lantern/assess/data/indicators.toml"
    with Path(path).open("rb") as handle:
        return tomllib.load(handle), str(path)


def _merge(base: dict[str, Any], override: dict[str, Any], where: str) -> dict[str, Any]:
    """Overlay an override document on the base document (rules merge by id, key by key)."""
    merged = dict(base)
    for section in ("scoring", "sources"):
        merged[section] = {**base.get(section, {}), **override.get(section, {})}
    for key in ("version", "calibrated"):
        if key in override:
            merged[key] = override[key]
    rules = [dict(rule) for rule in base.get("rules", [])]
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    for entry in override.get("rules", []):
        if "id" not in entry:
            raise CatalogueError(f"{where}: an override rule lacks its id")
        if entry["id"] in index:
            rules[index[entry["id"]]].update(entry)
        else:
            index[entry["id"]] = len(rules)
            rules.append(dict(entry))
    merged["rules"] = rules
    return merged


def load_catalogue(override_path: str | Path | None = None, *, use_env: bool = True) -> Catalogue:
    """The shipped catalogue with an override file merged on top.

    ``override_path`` wins over the ``LANTERN_INDICATORS`` environment variable; ``use_env=False`` reads
    the shipped priors only (tests, calibration baselines).
    """
    document, origin = _read(None)
    origins = [origin]
    chosen = override_path or (os.environ.get(OVERRIDE_ENV) if use_env else None)
    if chosen:
        override, where = _read(Path(chosen))
        document = _merge(document, override, where)
        origins.append(where)
    rules = tuple(_rule_from(entry, origins[-1]) for entry in document.get("rules", []))
    ids = [rule.id for rule in rules]
    if len(set(ids)) != len(ids):
        raise CatalogueError("duplicate rule ids in the catalogue")
    sources = {str(k): str(v) for k, v in document.get("sources", {}).items()}
    for rule in rules:
        unknown = [s for s in rule.sources if s not in sources]
        if unknown:
            raise CatalogueError(f"rule {rule.id} cites unknown sources {', '.join(unknown)}")
    return Catalogue(
        version=str(document.get("version", "0")),
        rules=rules,
        sources=sources,
        scoring=dict(document.get("scoring", {})),
        calibrated=bool(document.get("calibrated", False)),
        origin=tuple(origins),
    )
