"""Extraction engine: contacts, ages, places, prices and image hashes from hostile ad text.

A pure library (no I/O, no network): the same calls run in the CLI, the web app, tests and Spark jobs.
Public API::

    from lantern.extract import extract_record, ExtractConfig, fingerprint_image
    fields = extract_record(record, ExtractConfig(default_region="US"))
"""

from lantern.extract import native

native.activate(__path__)  # compiled modules first, when built from these very sources (native.py)

from lantern.extract.config import ExtractConfig  # noqa: E402
from lantern.extract.images import ImageFingerprint, fingerprint_image  # noqa: E402
from lantern.extract.normalise import Normalised, TraceStep, normalise  # noqa: E402
from lantern.extract.record import extract_record, extract_text  # noqa: E402
from lantern.extract.region import infer_region  # noqa: E402

__all__ = [
    "ExtractConfig",
    "ImageFingerprint",
    "Normalised",
    "TraceStep",
    "extract_record",
    "extract_text",
    "fingerprint_image",
    "infer_region",
    "normalise",
]
