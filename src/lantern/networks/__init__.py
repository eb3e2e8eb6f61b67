"""Networks in the store: feeding stored records to the linker and the group assessor, persisting results.

``lantern.link`` and ``lantern.assess`` know nothing of SQL; this package is the edge that reads records,
builds their inputs, and writes back each record's network, the network summaries and scores, and the
suppressed hubs.
"""
