"""Linking: records that share contacts, pictures or ad templates become networks, with the reasons.

Pure library, no SQL: the store fills ``LinkDoc``s, calls ``Linker.add`` per ingest batch, persists
``dump_state(linker)`` bytes (``write_state`` to a file) and the batch report's changed network ids, and
answers investigators with ``LinkResult`` (network_of, networks, summary, explain, suppressed_hubs,
template, export).

Layout: ``linker`` (the facade and its state file) over ``records`` and the evidence kinds in
``evidence/`` (identifiers, images, text), which apply the rules in ``decide``; ``result`` and
``explain`` answer questions over a linker without importing it.
"""

from lantern.link.baseline import export_clusters, phone_union_find
from lantern.link.config import EVIDENCE_TYPES, LinkConfig
from lantern.link.doc import LinkDoc
from lantern.link.explain import Hop
from lantern.link.hubs import SuppressedHub
from lantern.link.linker import Linker, dump_state, load_state, write_state
from lantern.link.report import BatchReport
from lantern.link.result import LinkResult, NetworkInfo, NetworkSummary, StaleResultError, Stop
from lantern.link.template import Template

__all__ = [
    "EVIDENCE_TYPES",
    "BatchReport",
    "Hop",
    "LinkConfig",
    "LinkDoc",
    "LinkResult",
    "Linker",
    "NetworkInfo",
    "NetworkSummary",
    "StaleResultError",
    "Stop",
    "SuppressedHub",
    "Template",
    "dump_state",
    "export_clusters",
    "load_state",
    "phone_union_find",
    "write_state",
]
