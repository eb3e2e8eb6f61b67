"""Reading a record: parse, image policy, extract, assess and encode, in one object every caller shares.

Ingest, its worker processes, ``lantern extract`` and the Spark job read records the same way, so they
use one ``RecordReader`` built from the settings, as spaCy's ``nlp`` is built once and run serially or
in processes: ``read(item)`` reads one item, ``pipe(items, workers=n)`` reads a stream in input order,
the CPU part (validation, extraction, the per-ad indicators, encoding) in ``n`` processes
(``ingest.parallel``) and the images in the calling process, which owns the image store.

One image policy: every image a record names is confined to the record's folder (or an image root),
checked and fingerprinted by an ``ImagePreserver``; a record with an image that cannot be read is refused
with the reason, as ingest quarantines it. Whether accepted images are also copied into a store (and
checked against a CSAM hash list) is the preserver's business: ingest gives the reader its store's
preserver, the others one without a folder, which writes nothing.

Settings read (``ReaderConfig``): ``default_region``, ``max_image_bytes``, ``max_image_pixels``,
``image_roots``; the indicator catalogue's override file comes from ``LANTERN_INDICATORS``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import orjson

from lantern.config import Settings
from lantern.ingest.images import ImagePreserver, StoredImage
from lantern.ingest.parse import Problem, parse_item
from lantern.records import InputRecord, bound_extraction
from lantern.sources.files import RawItem
from lantern.store.dialect import EncodedJSON, json_text

Extractor = Callable[[InputRecord], dict[str, Any]]
"""Extraction and the per-ad assessment of one record: the extracted-fields object."""

ENTITY_KINDS = {"phones": "phone", "emails": "email", "urls": "url", "names": "name"}


def _settings_default(name: str) -> Any:
    return Settings.model_fields[name].default


@dataclass(frozen=True)
class ReaderConfig:
    """The settings reading needs, small and picklable for worker processes and Spark executors."""

    default_region: str = _settings_default("default_region")
    max_image_bytes: int = _settings_default("max_image_bytes")
    max_image_pixels: int = _settings_default("max_image_pixels")
    image_roots: tuple[Path, ...] = ()
    """Extra folders image paths may point into, besides the record file's folder."""

    @classmethod
    def from_settings(cls, settings: Settings) -> ReaderConfig:
        return cls(
            default_region=settings.default_region,
            max_image_bytes=settings.max_image_bytes,
            max_image_pixels=settings.max_image_pixels,
            image_roots=tuple(Path(root).resolve() for root in settings.image_roots),
        )

    def image_preserver(self, images_dir: Path | None = None, blocklist: Any = None) -> ImagePreserver:
        """The images policy with these limits: with ``images_dir`` accepted images are stored there."""
        return ImagePreserver(
            images_dir,
            max_bytes=self.max_image_bytes,
            max_pixels=self.max_image_pixels,
            roots=self.image_roots,
            blocklist=blocklist,
        )


def entity_rows(extracted: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """Searchable identifiers of a record, each marked obscured when the ad disguised it."""
    obscured_values = {
        (m.get("type"), m.get("value"))
        for m in extracted.get("mentions", [])
        if m.get("obscured") and isinstance(m.get("value"), str)
    }
    rows: list[tuple[str, str, bool]] = []
    for key, kind in ENTITY_KINDS.items():
        for value in extracted.get(key, []):
            rows.append((kind, str(value), (kind, value) in obscured_values))
    for handle in extracted.get("handles", []):
        value = f"{handle['platform']}:{handle['handle']}".lower()
        rows.append(("handle", value, False))
    for payment in extracted.get("payments", []):
        ident = payment.get("handle") or payment.get("address") or ""
        rows.append(("payment", f"{payment['platform']}:{ident}", False))
    return list(dict.fromkeys(rows))


@dataclass(slots=True)
class Extraction:
    """One record's extraction as it travels from the process that read the record to the writer.

    The extracted-fields object is a few hundred small dicts and lists. Pickled, unpickled and then
    encoded again for the ``extracted`` column, it cost the writer more than any other step of a record
    but the SQL itself; here it is encoded once, where it was made, together with the few facts the
    writer needs from it. ``json`` has ``images`` empty: the reader adds the images it accepted.
    """

    json: str
    entities: list[tuple[str, str, bool]]
    trafficking_score: float
    minor_score: float


def encode_extraction(extracted: dict[str, Any]) -> Extraction:
    """An ``Extractor``'s output as it is stored and sent (``Extraction``)."""
    extracted["images"] = []
    bound_extraction(extracted)  # a repetitive body must not make a column of megabytes
    risk = extracted.get("risk", {})
    return Extraction(
        json=json_text(extracted),
        entities=entity_rows(extracted),
        trafficking_score=float(risk.get("trafficking", 0.0)),
        minor_score=float(risk.get("minor", 0.0)),
    )


TextReading = tuple[InputRecord | Problem, Extraction | str | None]
"""The CPU part of reading one item: the record (or why it was refused) and its extraction (or why
extraction failed). Small and picklable: this is what a worker process sends back."""


@dataclass(slots=True)
class Reading:
    """One item read: the record and its extraction and images, or the problem that refuses it."""

    record: InputRecord | None
    problem: Problem | None = None
    extraction: Extraction | None = None
    images: list[StoredImage] = field(default_factory=list)

    def stored_extraction(self) -> Any:
        """The ``extracted`` column's value: the encoded text as it came, or with the images put in."""
        assert self.extraction is not None, "a refused record has no extraction"
        if not self.images:
            return EncodedJSON(self.extraction.json)
        return self.fields()

    def fields(self) -> dict[str, Any]:
        """The extracted-fields object as the store keeps it, images included."""
        assert self.extraction is not None, "a refused record has no extraction"
        extracted = orjson.loads(self.extraction.json)
        extracted["images"] = [{"sha256": image.sha256, "phash": image.phash} for image in self.images]
        return extracted


def default_extractor(config: ReaderConfig) -> Extractor:
    """Every stage that reads one record on its own: extraction, then the per-ad indicators and scores."""
    from lantern.assess import Assessor
    from lantern.extract import ExtractConfig, extract_record

    extract_config = ExtractConfig(default_region=config.default_region)
    assessor = Assessor.load()

    def extract_and_assess(record: InputRecord) -> dict[str, Any]:
        fields = extract_record(record, extract_config)
        assessor.assess_record(record, fields)
        return fields

    return extract_and_assess


def preserve_images(
    record: InputRecord, item: RawItem, preserver: ImagePreserver
) -> list[StoredImage] | Problem:
    """Every local image the record names through the preserver, or the first one's problem."""
    stored: list[StoredImage] = []
    for ref in record.images:
        result = preserver.preserve(ref, item.base_dir)
        if isinstance(result, Problem):
            return result
        if result is not None:
            stored.append(result)
    return stored


class RecordReader:
    """Reads raw items into records with their extraction and images; build it once, read many.

    ``images`` is the image policy's preserver (default: one that stores nothing). ``extract`` replaces
    extraction and assessment (benches and tests); a custom one cannot travel to worker processes, so
    ``pipe`` then reads in this process.
    """

    def __init__(
        self,
        config: ReaderConfig | None = None,
        *,
        images: ImagePreserver | None = None,
        extract: Extractor | None = None,
    ) -> None:
        self.config = config or ReaderConfig()
        self.images = images if images is not None else self.config.image_preserver()
        self.custom_extract = extract is not None
        self._extract = extract

    @classmethod
    def from_settings(
        cls, settings: Settings, *, images: ImagePreserver | None = None, extract: Extractor | None = None
    ) -> RecordReader:
        return cls(ReaderConfig.from_settings(settings), images=images, extract=extract)

    @property
    def extract(self) -> Extractor:
        """Extraction and assessment, built on first use (the catalogue load is not free)."""
        if self._extract is None:
            self._extract = default_extractor(self.config)
        return self._extract

    def read_text(self, item: RawItem) -> TextReading:
        """Validate and extract one item; a failure of either is returned, never raised."""
        parsed = parse_item(item)
        if isinstance(parsed, Problem):
            return parsed, None
        try:
            return parsed, encode_extraction(self.extract(parsed))
        except Exception as error:  # a bug on hostile input must not lose the record
            return parsed, f"extraction failed: {type(error).__name__}: {error}"

    def finish(self, item: RawItem, text: TextReading) -> Reading:
        """The image policy over a text reading: the whole reading, or the problem that refuses it."""
        parsed, extracted = text
        if isinstance(parsed, Problem):
            return Reading(None, parsed)
        stored = preserve_images(parsed, item, self.images)
        if isinstance(stored, Problem):
            return Reading(parsed, stored)
        if not isinstance(extracted, Extraction):
            return Reading(parsed, Problem("record", extracted or "extraction failed"))
        return Reading(parsed, None, extracted, stored)

    def read(self, item: RawItem) -> Reading:
        """Read one item."""
        return self.finish(item, self.read_text(item))

    def pipe(
        self, items: Iterable[RawItem], workers: int = 1, batch_size: int = 2000
    ) -> Iterator[tuple[RawItem, Reading]]:
        """Every item with its reading, in input order; ``workers`` > 1 reads in that many processes.

        ``batch_size`` is how many records the caller handles at a time (ingest's transaction): about two
        of them are kept in flight, so workers keep reading while the caller writes.
        """
        if workers <= 1 or self.custom_extract:
            for item in items:
                yield item, self.read(item)
            return
        from lantern.ingest.parallel import read_parallel

        make_reader = partial(RecordReader, self.config)
        for item, text in read_parallel(items, make_reader, workers, batch_size):
            yield item, self.finish(item, text)
