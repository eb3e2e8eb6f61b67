"""The link state file: saving and loading a linker's arrays without pickle.

Format: an uncompressed ``.npz`` (a zip of ``.npy`` arrays, read with ``allow_pickle=False``, so loading a
state file cannot run code). Strings are stored as one UTF-8 byte array plus an offsets array; small
structured data (config, hubs) as one JSON document in the ``meta`` array. Indexes that are cheap to
rebuild from stored arrays (the pHash band index, the LSH buckets) are rebuilt on load, which keeps the
file small. ``FORMAT_VERSION`` guards against reading a file written by an incompatible version.

This module knows the file, not the linker: ``lantern.link.linker`` decides which arrays it saves
(``write_state``) and how it rebuilds itself from them (``load_state``).
"""

from __future__ import annotations

import json
from typing import Any, BinaryIO

import numpy as np

from lantern.link.config import LinkConfig

FORMAT_VERSION = 1


class StateVersionError(ValueError):
    """The state file was written by an incompatible version of the linker; link everything again."""


def write_arrays(target: BinaryIO, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> None:
    """Write named arrays and a JSON-ready ``meta`` document as one ``.npz``."""
    arrays = {**arrays, "meta": np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)}
    np.savez(target, **arrays)


def read_state(source: BinaryIO) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The arrays and the meta document of a state file (StateVersionError if it is of another version)."""
    with np.load(source, allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    meta = json.loads(arrays.pop("meta").tobytes())
    if meta.get("format_version") != FORMAT_VERSION:
        raise StateVersionError(f"unsupported link state version {meta.get('format_version')}")
    return arrays, meta


def load_config(source: BinaryIO) -> LinkConfig:
    """The settings a saved state was linked with, without loading the rest of it."""
    with np.load(source, allow_pickle=False) as npz:
        meta = json.loads(npz["meta"].tobytes())
    return LinkConfig.from_dict(meta["config"])
