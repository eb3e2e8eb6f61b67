"""The Jinja2 environment: autoescape on for every template, and helpers that never trust ad text.

No template uses ``|safe``. Highlighted text comes from :mod:`lantern.web.highlight`, which escapes
each segment itself and returns ``Markup``; everything else is escaped by Jinja.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from lantern.instants import format_instant
from lantern.web.highlight import Annotation, Segment, render_annotated, render_segments
from lantern.web.models import Bucket, FieldText, Snippet
from lantern.web.urls import entity_url, network_url, record_url, why_url

TEMPLATES_DIR = Path(__file__).parent / "templates"


def snippet_html(snippet: Snippet | None) -> Markup:
    """A result snippet with matches in ``<mark>``: segments escaped one by one."""
    if snippet is None:
        return Markup("")
    annotations = [Annotation(s, e, "match", "") for s, e in snippet.marks]
    from lantern.web.highlight import split_by_annotations

    return render_segments(split_by_annotations(snippet.text, annotations))


def field_html(field: FieldText) -> Markup:
    """A record field with entity and indicator spans highlighted, each span explained on hover."""
    annotations = [Annotation(n.start, n.end, n.kind, n.label) for n in field.notes]
    return render_annotated(field.text, annotations)


def plain(text: str) -> Markup:
    return render_segments([Segment(text)])


def fmt_dt(value: datetime | str | None, offset: int | None = 0) -> str:
    """An instant as its source stated it (``lantern.instants.format_instant``)."""
    return format_instant(value, offset)


def fmt_score(value: float) -> str:
    return f"{value:.2f}"


def bars(buckets: list[Bucket], width: int = 720, height: int = 90) -> list[dict[str, Any]]:
    """Rectangles for a server-drawn SVG timeline: numbers only, nothing from the ad reaches the SVG."""
    if not buckets:
        return []
    peak = max(b.count for b in buckets) or 1
    step = width / len(buckets)
    out = []
    for i, bucket in enumerate(buckets):
        h = round((height - 14) * bucket.count / peak, 1)
        out.append(
            {
                "x": round(i * step, 2),
                "y": round(height - 14 - h, 1),
                "w": max(round(step - 1, 2), 0.5),
                "h": h,
                "label": bucket.label,
                "count": bucket.count,
            }
        )
    return out


def query_string(params: dict[str, Any], **changes: Any) -> str:
    merged = {k: v for k, v in {**params, **changes}.items() if v not in (None, "")}
    return urlencode(merged)


def build_templates() -> Jinja2Templates:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        record_url=record_url,
        entity_url=entity_url,
        network_url=network_url,
        why_url=why_url,
        snippet_html=snippet_html,
        field_html=field_html,
        fmt_dt=fmt_dt,
        fmt_score=fmt_score,
        bars=bars,
        query_string=query_string,
    )
    return Jinja2Templates(env=env)
