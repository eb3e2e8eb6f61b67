"""The investigator web app: search, triage, records, networks, entities and image search.

Server-rendered pages with light progressive enhancement, and a JSON API over the same read queries.
Build it with :func:`lantern.web.app.create_app`; run it with ``lantern serve``.
"""

from lantern.web.app import create_app

__all__ = ["create_app"]
