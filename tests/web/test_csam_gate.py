"""An image on a loaded CSAM hash list is never served, revealed or thumbnailed by the web app."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, insert, select

from lantern.csam import clear_cache
from lantern.store.schema import csam_blocked_images, images


def test_blocked_image_is_refused_everywhere(app, clients) -> None:
    client = clients["investigator"]
    engine = app.state.engine
    with engine.connect() as connection:
        sha, phash = connection.execute(select(images.c.sha256, images.c.phash).limit(1)).one()
    assert client.get(f"/media/{sha}/blurred").status_code == 200
    assert client.get(f"/media/{sha}").status_code == 200
    blocked = {
        "sha256": sha,
        "md5": "0" * 32,
        "phash": phash,
        "list_id": 1,
        "hash_kind": "sha256",
        "matched_value": sha,
        "distance": 0,
        "blocked_at": datetime.now(UTC),
    }
    try:
        with engine.begin() as connection:
            connection.execute(insert(csam_blocked_images), blocked)
        clear_cache()
        assert client.get(f"/media/{sha}/blurred").status_code == 404
        assert client.get(f"/media/{sha}").status_code == 404
        assert client.post(f"/api/images/{sha}/reveal").status_code == 404
    finally:
        with engine.begin() as connection:
            connection.execute(delete(csam_blocked_images).where(csam_blocked_images.c.sha256 == sha))
        clear_cache()
