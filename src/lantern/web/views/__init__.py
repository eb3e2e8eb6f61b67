"""What each page shows, one module per resource (search, records, networks, entities, images, triage),
with the pieces several pages share in ``cards``.

Each module fetches rows (``fetch_*``, SQL only) and builds its page from them with a pure function
(``*_view``), so a page's content can be tested on hand-made rows without a database; ``*_detail``
does both for the routes. Routes hold no SQL, and nothing here knows HTTP.
"""
