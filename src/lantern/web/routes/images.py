"""Image files from the content-addressed store, blurred previews, and the image-search page.

Files are looked up only by a SHA-256 that matches ``^[0-9a-f]{64}$`` and is in the images table; the
media type is the one recorded at ingest, never guessed from the request. Every response goes through
:func:`lantern.web.security.image_may_be_shown` first.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, Response
from PIL import Image, ImageFilter
from sqlalchemy.engine import Connection

from lantern.config import Settings
from lantern.ingest.images import store_path
from lantern.security.web import audit, require
from lantern.web.deps import get_connection, get_settings
from lantern.web.imagesearch import (
    DEFAULT_MAX_DISTANCE,
    Fingerprint,
    UnreadableImage,
    fingerprint_upload,
    search_image,
)
from lantern.web.routes.common import render
from lantern.web.security import image_may_be_shown, is_sha256
from lantern.web.views.images import image_media_type

router = APIRouter()

THUMB_SIZE = 320
BLUR_RADIUS = 14


def stored_image(connection: Connection, settings: Settings, name: str) -> tuple[Path, str]:
    """Path and recorded media type of a servable image, or 404 (never a hint about why)."""
    if not is_sha256(name) or not image_may_be_shown(name, connection.engine):
        raise HTTPException(404, "No such image")
    media_type = image_media_type(connection, name)
    path = store_path(settings.images_dir, name)
    if media_type is None or not path.is_file():
        raise HTTPException(404, "No such image")
    return path, media_type


@lru_cache(maxsize=2048)
def _blurred(path: str, max_pixels: int) -> bytes:
    """A small, heavily blurred JPEG: enough to see that a picture is there, not what it shows."""
    Image.MAX_IMAGE_PIXELS = max_pixels
    with Image.open(path) as image:
        image.draft("RGB", (THUMB_SIZE, THUMB_SIZE))
        frame = image.convert("RGB")
        frame.thumbnail((THUMB_SIZE, THUMB_SIZE))
        radius = max(6, BLUR_RADIUS * max(frame.size) // THUMB_SIZE)
        blurred = frame.filter(ImageFilter.GaussianBlur(radius))
        out = io.BytesIO()
        blurred.save(out, "JPEG", quality=60)
        return out.getvalue()


@router.get("/media/{name}", dependencies=[Depends(require("reveal_image"))])
def image_file(
    request: Request,
    name: str,
    connection: Connection = Depends(get_connection),
    settings: Settings = Depends(get_settings),
) -> FileResponse:
    """The preserved image itself, fetched by the page only after the investigator chose to reveal it.

    Needs the reveal permission and is audited on its own (a script with a token can fetch it without
    announcing a reveal first)."""
    path, media_type = stored_image(connection, settings, name)
    audit(request, "image.file", f"image:{name}")
    return FileResponse(
        path,
        media_type=media_type,
        headers={"Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "private, no-store"},
    )


@router.get("/media/{name}/blurred", dependencies=[Depends(require("read"))])
def blurred_image(
    name: str, connection: Connection = Depends(get_connection), settings: Settings = Depends(get_settings)
) -> Response:
    path, _ = stored_image(connection, settings, name)
    try:
        data = _blurred(str(path), settings.max_image_pixels)
    except Exception as error:  # a damaged file must not take the page down
        raise HTTPException(404, "No such image") from error
    return Response(data, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=3600"})


@router.get("/image-search", response_class=HTMLResponse, dependencies=[Depends(require("search"))])
def image_search_form(request: Request) -> HTMLResponse:
    return render(request, "image_search.html", {"result": None, "error": None, "filename": None})


def image_search_detail(fingerprint: Fingerprint, filename: str, max_distance: int) -> dict:
    """An image search's audit detail: the upload's hashes (the picture itself is not kept)."""
    return {
        "sha256": fingerprint.sha256,
        "phash": fingerprint.phash,
        "filename": filename[:200],
        "max_distance": max_distance,
    }


def read_upload(upload: UploadFile, settings: Settings) -> Fingerprint:
    """Read at most the configured image size and fingerprint it; 413/400 on anything else."""
    data = upload.file.read(settings.max_image_bytes + 1)
    if len(data) > settings.max_image_bytes:
        raise HTTPException(413, "Image too large")
    if not data:
        raise HTTPException(400, "Empty upload")
    try:
        return fingerprint_upload(data, settings.max_image_pixels)
    except UnreadableImage as error:
        raise HTTPException(400, str(error)) from error


@router.post("/image-search", response_class=HTMLResponse, dependencies=[Depends(require("search"))])
def image_search_submit(
    request: Request,
    image: UploadFile = File(...),
    max_distance: int = Form(DEFAULT_MAX_DISTANCE, ge=0, le=20),
    connection: Connection = Depends(get_connection),
    settings: Settings = Depends(get_settings),
) -> HTMLResponse:
    filename = (image.filename or "")[:200]
    try:
        fingerprint = read_upload(image, settings)
    except HTTPException as error:
        return render(
            request,
            "image_search.html",
            {"result": None, "error": error.detail, "filename": filename},
            status_code=error.status_code,
        )
    audit(request, "image.search", "images", image_search_detail(fingerprint, filename, max_distance))
    result = search_image(connection, request.app.state.phash_index, fingerprint, max_distance)
    return render(request, "image_search.html", {"result": result, "error": None, "filename": filename})
