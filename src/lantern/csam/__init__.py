"""Child sexual abuse material: hash lists, quarantine at ingest, and the mandated-report package.

PRINCIPLES §5: an image whose hash is on a loaded list is never written to the image store, never
rendered, thumbnailed or exported. Only its hashes and the record's reference to it are kept; the record
itself (text) is stored and flagged, and a report package (metadata only) is prepared for a supervisor.
See docs/csam.md for the workflow.
"""

from __future__ import annotations

from lantern.csam.blocklist import Blocklist, BlockMatch, load_blocklist
from lantern.csam.lookup import clear_cache, is_blocked

__all__ = ["BlockMatch", "Blocklist", "clear_cache", "is_blocked", "load_blocklist"]
