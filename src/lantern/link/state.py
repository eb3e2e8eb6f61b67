"""Saving and loading a linker's state without pickle.

Format: an uncompressed ``.npz`` (a zip of ``.npy`` arrays, read with ``allow_pickle=False``, so loading a
state file cannot run code). Strings are stored as one UTF-8 byte array plus an offsets array; small
structured data (config, hubs) as one JSON document in the ``meta`` array. Indexes that are cheap to
rebuild from stored arrays (the pHash band index, the LSH buckets) are rebuilt on load, which keeps the
file small. ``FORMAT_VERSION`` guards against reading a file written by an incompatible version.
"""

from __future__ import annotations

import io
import json
from typing import Any, BinaryIO

import numpy as np

from lantern.link.config import LinkConfig
from lantern.link.hubs import SuppressedHub
from lantern.link.images import PhashIndex
from lantern.link.linker import Linker
from lantern.link.packed import PackedStrings, pack_strings, unpack_strings
from lantern.link.sorted_index import SortedIndex
from lantern.link.text import band_hashes
from lantern.link.unionfind import UnionFind

FORMAT_VERSION = 1


ARRAY_FIELDS = (
    "source_of",
    "city_of",
    "times",
    "ident_kind",
    "doc_ptr",
    "doc_idents",
    "phash_values",
    "doc_hptr",
    "doc_hashes",
    "sig",
    "text_ok",
)
"""The linker's numpy arrays saved and restored as they are."""


def _hubs_json(hubs: dict[int, SuppressedHub]) -> list[dict[str, Any]]:
    return [{"group": group, **hub.to_dict()} for group, hub in hubs.items()]


def _hubs_load(rows: list[dict[str, Any]]) -> dict[int, SuppressedHub]:
    out = {}
    for row in rows:
        row = dict(row)
        group = int(row.pop("group"))
        out[group] = SuppressedHub(**row)
    return out


def dump_state(linker: Linker) -> bytes:
    """The linker's full state as bytes."""
    buffer = io.BytesIO()
    write_state(linker, buffer)
    return buffer.getvalue()


def write_state(linker: Linker, target: BinaryIO) -> None:
    """``dump_state`` written straight to a file: at a million records the state is about a gigabyte, and
    building it as bytes first held it in memory two or three times over."""
    arrays: dict[str, np.ndarray] = {}
    for name, strings in (
        ("keys", linker.keys),
        ("sources", linker.sources),
        ("cities", linker.cities),
        ("idents", linker.ident_names),
        ("texts", linker.texts),
    ):
        packed = strings.pack() if isinstance(strings, PackedStrings) else pack_strings(strings)
        arrays[f"{name}_blob"], arrays[f"{name}_off"] = packed
    for name in ARRAY_FIELDS:
        arrays[name] = getattr(linker, name)
    arrays["postings_keys"], arrays["postings_values"] = linker.postings.keys, linker.postings.values
    arrays["phpost_keys"], arrays["phpost_values"] = linker.phash_postings.keys, linker.phash_postings.values
    for prefix, uf in (("uf_img", linker.uf_img), ("uf_text", linker.uf_text), ("uf_net", linker.uf_net)):
        for name, value in uf.arrays().items():
            arrays[f"{prefix}_{name}"] = value
    meta = {
        "format_version": FORMAT_VERSION,
        "generation": linker.generation,
        "config": linker.config.to_dict(),
        "ident_hubs": _hubs_json(linker.ident_hubs),
        "image_hubs": _hubs_json(linker.image_hubs),
        "text_hubs": _hubs_json(linker.text_hubs),
    }
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez(target, **arrays)


def load_config(source: BinaryIO) -> LinkConfig:
    """The settings a saved state was linked with, without loading the rest of it."""
    with np.load(source, allow_pickle=False) as npz:
        meta = json.loads(npz["meta"].tobytes())
    return LinkConfig.from_dict(meta["config"])


def load_state(data: bytes | BinaryIO) -> Linker:
    """Rebuild a linker from ``dump_state`` bytes, or from a file ``write_state`` wrote."""
    source = io.BytesIO(data) if isinstance(data, bytes) else data
    with np.load(source, allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    meta = json.loads(arrays["meta"].tobytes())
    if meta.get("format_version") != FORMAT_VERSION:
        raise ValueError(f"unsupported link state version {meta.get('format_version')}")
    config = LinkConfig.from_dict(meta["config"])
    linker = Linker(config)
    linker.generation = int(meta["generation"])
    linker.keys = unpack_strings(arrays["keys_blob"], arrays["keys_off"])
    linker.sources = unpack_strings(arrays["sources_blob"], arrays["sources_off"])
    linker.cities = unpack_strings(arrays["cities_blob"], arrays["cities_off"])
    linker.ident_names = unpack_strings(arrays["idents_blob"], arrays["idents_off"])
    linker.texts = PackedStrings(arrays["texts_blob"], arrays["texts_off"])  # read a few at a time
    linker._key_index = {k: i for i, k in enumerate(linker.keys)}
    linker._source_index = {k: i for i, k in enumerate(linker.sources)}
    linker._city_index = {k: i for i, k in enumerate(linker.cities)}
    linker._ident_index = {k: i for i, k in enumerate(linker.ident_names)}
    for name in ARRAY_FIELDS:
        setattr(linker, name, arrays[name])
    linker.postings = SortedIndex(arrays["postings_keys"], arrays["postings_values"])
    linker.phash_postings = SortedIndex(arrays["phpost_keys"], arrays["phpost_values"])
    linker._phash_id = {v: i for i, v in enumerate(linker.phash_values.view(np.uint64).tolist())}
    for prefix in ("uf_img", "uf_text", "uf_net"):
        uf = UnionFind.from_arrays(
            arrays[f"{prefix}_parent"], arrays[f"{prefix}_founder"], arrays[f"{prefix}_strong"]
        )
        setattr(linker, prefix, uf)
    linker.ident_hubs = _hubs_load(meta["ident_hubs"])
    linker.image_hubs = _hubs_load(meta["image_hubs"])
    linker.text_hubs = _hubs_load(meta["text_hubs"])
    # Rebuilt indexes.
    linker.mih = PhashIndex(config.hamming_radius)
    if config.uses("image") and len(linker.phash_values):
        linker.mih.add(np.arange(len(linker.phash_values), dtype=np.int64), linker.phash_values)
    if config.uses("text"):
        docs = np.flatnonzero(linker.text_ok)
        if docs.size:
            bh = band_hashes(linker.sig[docs], linker.bands, linker.rows)
            for band, index in enumerate(linker.lsh):
                index.insert(bh[:, band], docs)
    return linker
