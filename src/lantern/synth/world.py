"""Stream a synthetic world to disk: records.jsonl, _truth.jsonl, _world.json and optional images/.

Records are produced in time order, one at a time, and written straight out; only the live actors and
running counts are kept, so a million records take the same memory as ten thousand. One seeded random
stream drives every choice and nothing iterates an unordered set, so a seed and a size give byte-identical
files on every run.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from lantern.synth.actors import Operator, Population, Provider
from lantern.synth.compose import Composer
from lantern.synth.config import TECHNIQUES, WorldConfig, validate_config
from lantern.synth.fictional import PhoneBook
from lantern.synth.images import ImageWriter

RECORDS_FILE = "records.jsonl"
TRUTH_FILE = "_truth.jsonl"  # "_" keeps it out of `lantern ingest FOLDER` (Hadoop convention)
WORLD_FILE = "_world.json"
IMAGES_DIR = "images"


@dataclass(frozen=True)
class PoolSizes:
    """How many independents and operators are live at once; bounded, so memory is flat."""

    independents: int
    operators: int


def pool_sizes(ads: int, config: WorldConfig) -> PoolSizes:
    """Size the live pools in proportion to the corpus, capped by the config.

    A slot turns over a few times across the period, so the number of actors over the whole world
    grows with the corpus while the number alive at once stays under the caps.
    """
    independent_ads = ads * max(0.0, 1.0 - config.post_share - config.operator_ad_share)
    operator_ads = ads * (config.operator_ad_share + config.post_share)
    independents = round(independent_ads / (config.ads_per_provider * 3))
    operators = round(operator_ads / (config.ads_per_operator * 2))
    return PoolSizes(
        independents=max(3, min(config.max_active_independents, independents)),
        operators=max(1, min(config.max_active_operators, operators)),
    )


def _clear_old_images(folder: Path) -> None:
    # Files are written on first use, so stale ones from an earlier run must not be mistaken for new.
    if not folder.is_dir():
        return
    for pattern in ("b*-v*.png", "b*-v*.jpg", "stock*-v*.png", "stock*-v*.jpg"):
        for path in folder.glob(pattern):
            path.unlink()


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class _World:
    """The live state: pools of actors plus the running counts that end up in world.json."""

    def __init__(self, ads: int, seed: int, config: WorldConfig, images: ImageWriter) -> None:
        self.rng = random.Random(seed)
        self.config = config
        self.book = PhoneBook(self.rng)
        self.population = Population(config, self.rng, self.book)
        self.composer = Composer(config, self.rng, self.book, images)
        sizes = pool_sizes(ads, config)
        self.operators: list[Operator] = [self.population.operator() for _ in range(sizes.operators)]
        self.independents: list[Provider] = [self.population.independent() for _ in range(sizes.independents)]
        self.sizes = sizes
        self.counts: dict[str, Any] = {
            "records": 0,
            "ads": 0,
            "posts": 0,
            "by_source": {},
            "by_country": {},
            "operator_records": 0,
            "independent_records": 0,
            "minor_records": 0,
            "obfuscated_records": 0,
            "techniques": dict.fromkeys(TECHNIQUES, 0),
            "link_via": dict.fromkeys(("phone", "email", "handle", "payment", "image", "text"), 0),
        }

    def next_record(self, day: int, posted: str, collected: str) -> tuple[dict[str, Any], dict[str, Any]]:
        rng, config = self.rng, self.config
        roll = rng.random()
        if roll < config.post_share:
            for _ in range(5):
                slot = rng.randrange(len(self.operators))
                operator = self.operators[slot]
                if operator.social is not None:
                    record, truth = self.composer.post(operator, day, posted, collected)
                    self._spend_operator(slot)
                    return record, truth
            roll = config.post_share  # no account found: this record becomes an operator ad
        if roll < config.post_share + config.operator_ad_share:
            slot = rng.randrange(len(self.operators))
            operator = self.operators[slot]
            index = rng.randrange(len(operator.roster))
            provider = operator.roster[index]
            record, truth = self.composer.ad(provider, operator, day, posted, collected)
            provider.ads_left -= 1
            if provider.ads_left <= 0:
                self.population.retire_provider(provider)
                operator.roster[index] = self.population.recruit(operator)
            self._spend_operator(slot)
            return record, truth
        slot = rng.randrange(len(self.independents))
        provider = self.independents[slot]
        record, truth = self.composer.ad(provider, None, day, posted, collected)
        provider.ads_left -= 1
        if provider.ads_left <= 0:
            self.population.retire_provider(provider)
            self.independents[slot] = self.population.independent()
        return record, truth

    def _spend_operator(self, slot: int) -> None:
        operator = self.operators[slot]
        operator.ads_left -= 1
        if operator.ads_left <= 0:
            self.population.retire_operator(operator)
            self.operators[slot] = self.population.operator()

    def count(self, record: dict[str, Any], truth: dict[str, Any]) -> None:
        counts = self.counts
        counts["records"] += 1
        counts["ads" if record["kind"] == "ad" else "posts"] += 1
        counts["by_source"][record["source"]] = counts["by_source"].get(record["source"], 0) + 1
        counts["by_country"][truth["country"]] = counts["by_country"].get(truth["country"], 0) + 1
        counts["operator_records" if truth["operator"].startswith("op-") else "independent_records"] += 1
        counts["minor_records"] += truth["minor"]
        counts["obfuscated_records"] += bool(truth["obfuscation"])
        for technique in truth["obfuscation"]:
            counts["techniques"][technique] += 1
        for evidence in truth["link_via"]:
            counts["link_via"][evidence] += 1


def generate(
    out: Path,
    ads: int,
    seed: int = 0,
    config: WorldConfig | None = None,
    images: bool = False,
    progress: Callable[[int], None] | None = None,
    progress_every: int = 1000,
) -> dict[str, Any]:
    """Write a world of ``ads`` records (ads and posts) into ``out`` and return the world.json summary.

    ``progress`` is called with the number of records written so far, every ``progress_every`` records
    and once at the end, so a CLI can draw a bar without the generator knowing about terminals.
    """
    if ads < 0:
        raise ValueError("ads must be >= 0")
    config = config or WorldConfig()
    validate_config(config)
    out.mkdir(parents=True, exist_ok=True)
    image_folder = out / IMAGES_DIR
    if images:
        _clear_old_images(image_folder)
    writer = ImageWriter(image_folder, seed, images)
    world = _World(ads, seed, config, writer)
    start = datetime.fromisoformat(config.start).replace(tzinfo=UTC)
    span = config.days * 86_400
    started = time.perf_counter()
    rng = world.rng
    with (
        (out / RECORDS_FILE).open("wb", buffering=1 << 20) as records,
        (out / TRUTH_FILE).open("wb", buffering=1 << 20) as truths,
    ):
        for index in range(ads):
            offset = span * (index + rng.random()) / ads
            posted_at = start + timedelta(seconds=int(offset))
            collected_at = posted_at + timedelta(seconds=rng.randrange(600, 72 * 3600))
            record, truth = world.next_record(int(offset // 86_400), _iso(posted_at), _iso(collected_at))
            records.write(orjson.dumps(record) + b"\n")
            truths.write(orjson.dumps(truth) + b"\n")
            world.count(record, truth)
            if progress is not None and (index + 1) % progress_every == 0:
                progress(index + 1)
    if progress is not None:
        progress(ads)
    census = world.population.census
    summary = {
        "seed": seed,
        "records_requested": ads,
        "images": images,
        "image_files": writer.files_written,
        "files": {"records": RECORDS_FILE, "truth": TRUTH_FILE, "images": IMAGES_DIR if images else None},
        "live_pools": {"independents": world.sizes.independents, "operators": world.sizes.operators},
        "operators": census.operators,
        "operators_by_kind": census.operators_by_kind,
        "providers": census.providers,
        "independent_providers": census.independents,
        "operator_providers": census.operator_providers,
        "minors": census.minors,
        "photos": census.photos,
        **world.counts,
        "config": config.to_dict(),
    }
    (out / WORLD_FILE).write_bytes(orjson.dumps(summary, option=orjson.OPT_INDENT_2) + b"\n")
    summary["seconds"] = round(time.perf_counter() - started, 3)
    return summary
