"""The proportions that shape the synthetic world, as one dataclass a TOML file can override.

The defaults are documented, with the reasoning behind each, in docs/synthetic-world.md. They are kept in
one place so an evaluation can state exactly which world it ran on (world.json records the config used).
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

TECHNIQUES: tuple[str, ...] = (
    "spelled",  # O01 digits as words
    "oh_zero",  # O05 "oh" for zero
    "mixed_words",  # O02 words and digits in one run
    "leet_words",  # O03 misspelled / leet number words
    "lookalike",  # O04 letters for digits inside digit runs
    "separators",  # O08/O09 odd separators and symbols between digit groups
    "spaced",  # O08 spaced or dotted single digits
    "fullwidth",  # O10 fullwidth digits
    "math_bold",  # O10 mathematical bold digits
    "circled",  # O10 circled digits
    "keycap",  # O10 keycap emoji digits
    "zero_width",  # O10-adjacent: zero-width characters inserted between digits
    "url_slug",  # O13 the number in the URL slug
    "email_words",  # email written as "name at domain dot com"
)
"""Every obfuscation technique the generator can apply (INDICATORS.md §4.1 IDs in the comments)."""


def _default_technique_weights() -> dict[str, float]:
    # Word-based tricks are the most common in the literature's examples; Unicode digits less so.
    return {
        "spelled": 1.0,
        "oh_zero": 0.8,
        "mixed_words": 1.2,
        "leet_words": 0.5,
        "lookalike": 0.9,
        "separators": 1.2,
        "spaced": 1.2,
        "fullwidth": 0.5,
        "math_bold": 0.4,
        "circled": 0.4,
        "keycap": 0.5,
        "zero_width": 0.6,
    }


@dataclass(frozen=True)
class WorldConfig:
    """Proportions of the world. Rates are probabilities in [0, 1]; counts are per actor or per ad."""

    start: str = "2024-01-01"
    days: int = 180

    # Who posts
    operator_ad_share: float = 0.35
    post_share: float = 0.04
    uk_share: float = 0.03
    au_share: float = 0.03

    # Actor life spans and pool sizes (bounded so memory stays flat for any N)
    ads_per_provider: float = 24.0
    ads_per_operator: float = 140.0
    roster_min: int = 2
    roster_max: int = 6
    max_active_independents: int = 3000
    max_active_operators: int = 400

    # Operator kinds and shared identifiers
    operator_text_only: float = 0.15
    operator_image_only: float = 0.15
    operator_shares_email: float = 0.30
    operator_shares_handle: float = 0.40
    operator_shares_payment: float = 0.25
    operator_social_account: float = 0.50
    booking_phone_rate: float = 0.85
    rotation_days_min: int = 10
    rotation_days_max: int = 45
    bridge_days: int = 4
    bridge_rate: float = 0.30
    template_drop_rate: float = 0.15

    # Minors: only in operator rosters, advertised with adult stated ages
    minor_share_of_recruits: float = 0.07
    minor_stated_age_min: int = 18
    minor_stated_age_max: int = 19
    minor_youth_language: float = 0.75
    minor_obfuscation_rate: float = 0.80

    # Independents and everyone's text
    independent_travel: float = 0.25
    independent_rotation_days: int = 120
    independent_email: float = 0.12
    independent_handle: float = 0.20
    independent_payment: float = 0.05
    adult_youth_language: float = 0.06
    trust_language: float = 0.30
    movement_language: float = 0.20
    copied_phrase_rate: float = 0.30
    decoy_rate: float = 0.20
    age_stated_rate: float = 0.80
    second_phone_rate: float = 0.05

    # Obfuscation
    independent_obfuscation_rate: float = 0.15
    operator_obfuscation_rate: float = 0.45
    url_slug_rate: float = 0.08
    email_words_rate: float = 0.40
    combine_rate: float = 0.15
    technique_weights: dict[str, float] = field(default_factory=_default_technique_weights)

    # Images
    photos_min: int = 3
    photos_max: int = 6
    operator_pool_min: int = 4
    operator_pool_max: int = 10
    images_per_ad_max: int = 4
    operator_perturb_rate: float = 0.60
    independent_perturb_rate: float = 0.10
    stock_image_rate: float = 0.06
    stock_images: int = 12

    def to_dict(self) -> dict[str, Any]:
        """The config as plain data, for world.json."""
        return asdict(self)


def load_config(path: Path | None) -> WorldConfig:
    """Read a TOML file of overrides; unknown keys are an error so a typo never passes silently."""
    config = WorldConfig()
    if path is None:
        return config
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    data = data.get("world", data)
    known = {f.name: f for f in fields(WorldConfig)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ValueError(f"unknown world config keys: {', '.join(unknown)}")
    if "technique_weights" in data:
        weights = dict(config.technique_weights)
        bad = sorted(set(data["technique_weights"]) - set(weights))
        if bad:
            raise ValueError(f"unknown techniques in technique_weights: {', '.join(bad)}")
        weights.update({k: float(v) for k, v in data["technique_weights"].items()})
        data = {**data, "technique_weights": weights}
    overrides: dict[str, Any] = {}
    for key, value in data.items():
        default = getattr(config, key)
        if isinstance(default, float) and isinstance(value, int | float) and not isinstance(value, bool):
            value = float(value)
        elif type(value) is not type(default):
            raise ValueError(f"world config {key!r} must be {type(default).__name__}")
        overrides[key] = value
    config = replace(config, **overrides)
    validate_config(config)
    return config


def validate_config(config: WorldConfig) -> None:
    """Reject proportions outside [0, 1] and empty ranges before a long run starts."""
    for f in fields(config):
        value = getattr(config, f.name)
        # Every float is a probability except the two mean life spans.
        is_rate = isinstance(value, float) and f.name not in ("ads_per_provider", "ads_per_operator")
        if is_rate and not 0.0 <= value <= 1.0:
            raise ValueError(f"world config {f.name} must be within [0, 1], got {value}")
    if config.operator_text_only + config.operator_image_only > 1.0:
        raise ValueError("operator_text_only + operator_image_only must not exceed 1")
    if config.post_share + config.operator_ad_share > 1.0:
        raise ValueError("post_share + operator_ad_share must not exceed 1")
    for low, high in (
        ("roster_min", "roster_max"),
        ("photos_min", "photos_max"),
        ("operator_pool_min", "operator_pool_max"),
        ("rotation_days_min", "rotation_days_max"),
        ("minor_stated_age_min", "minor_stated_age_max"),
    ):
        if getattr(config, low) > getattr(config, high) or getattr(config, low) < 1:
            raise ValueError(f"world config {low} must be >= 1 and <= {high}")
    if config.days < 1 or config.ads_per_provider < 1 or config.ads_per_operator < 1:
        raise ValueError("days, ads_per_provider and ads_per_operator must be >= 1")
    if sum(config.technique_weights.values()) <= 0:
        raise ValueError("technique_weights must have a positive total")
