"""The linker's answers for the web app: evidence paths and templates, loaded once per app.

Loading the linker's state costs time, so one :class:`LinkCache` per app keeps the loaded
``LinkResult`` and reloads it only when ``link-state.npz`` changes (a new ``lantern link`` or ingest).
Calls into the result are serialised: its union-find compresses paths as it answers.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import Request

from lantern.config import Settings
from lantern.link import LinkResult
from lantern.networks.runner import current_result, state_path
from lantern.web.models import Bucket, Hop, TemplateSlot, TemplateView
from lantern.web.urls import record_url

T = TypeVar("T")

MAX_SLOT_VALUES = 6
MAX_SLOT_TEXT = 120
_create_lock = threading.Lock()


class LinkCache:
    """The current ``LinkResult`` of one data folder, reloaded when the state file's mtime changes."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._path = state_path(settings)
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._result: LinkResult | None = None

    @property
    def loaded(self) -> bool:
        """Whether a state is in memory (it may still be reloaded if the file changed since)."""
        return self._result is not None

    def call(self, answer: Callable[[LinkResult], T], default: T) -> T:
        """``answer(result)`` under the lock, or ``default`` when nothing is linked or it fails."""
        try:
            stat = self._path.stat()
        except OSError:
            return default
        stamp = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            try:
                if stamp != self._stamp or self._result is None:
                    self._result = current_result(self._settings)
                    self._stamp = stamp
                if self._result is None:
                    return default
                return answer(self._result)
            except Exception:  # an unknown key, or a state from another version: the page still renders
                return default


def link_cache(request: Request) -> LinkCache:
    """The app's cache, made on first use (no wiring in the app factory needed)."""
    return _app_link_cache(request.app.state)


def link_cache_of(state: Any) -> LinkCache:
    """The cache of the app whose ``app.state`` this is."""
    return _app_link_cache(state)


def _app_link_cache(state: Any) -> LinkCache:
    cache = getattr(state, "link_cache", None)
    if cache is None:
        with _create_lock:
            cache = getattr(state, "link_cache", None)
            if cache is None:
                cache = LinkCache(state.settings)
                state.link_cache = cache
    return cache


def warm_link_cache(app: Any) -> threading.Thread:
    """Load the linker's state in the background, so the first network page of a server does not wait.

    At a million records loading takes about 16 s; ``lantern serve`` starts this before it listens. A page
    asked for meanwhile waits on the cache's lock for the same load rather than starting a second one.
    """
    cache = _app_link_cache(app.state)
    thread = threading.Thread(target=cache.call, args=(lambda result: None, None), daemon=True)
    thread.start()
    return thread


def key_href(key: str) -> str | None:
    source, sep, record_id = key.partition(":")
    return record_url(source, record_id) if sep else None


def hops_view(hops: list[Any] | None) -> list[Hop] | None:
    if hops is None:
        return None
    return [
        Hop(
            source=h.source,
            target=h.target,
            source_href=key_href(h.source),
            target_href=key_href(h.target),
            kind=h.kind,
            evidence=h.evidence,
        )
        for h in hops
    ]


def explain_many(
    result: LinkResult, founder: str, keys: list[str], max_expanded: int | None = None
) -> dict[str, list[Hop] | None]:
    """Evidence paths from the founder to each key (one search; None where none was found)."""
    found = result.explain_from(founder, keys, max_expanded)
    return {key: hops_view(hops) for key, hops in found.items()}


def _short(text: str) -> str:
    return text if len(text) <= MAX_SLOT_TEXT else text[: MAX_SLOT_TEXT - 1] + "…"


def template_view(template: Any) -> TemplateView:
    slots = []
    for index, fillings in enumerate(template.slots, start=1):
        counts = Counter(_short(v) if v else "(nothing)" for v in fillings)
        slots.append(
            TemplateSlot(
                index=index,
                values=[Bucket(label=v, count=c) for v, c in counts.most_common(MAX_SLOT_VALUES)],
                distinct=len(counts),
            )
        )
    example = template.members[0] if template.members else None
    return TemplateView(
        id=template.id,
        members=len(template.members),
        coverage=round(float(template.coverage), 3),
        template=template.template,
        slots=slots,
        example=example,
        example_href=key_href(example) if example else None,
    )


def templates_of(
    result: LinkResult, ids: list[str], limit: int, network_id: str | None = None
) -> tuple[list[TemplateView], list[str]]:
    """The largest ``limit`` templates with their slots, and the ids of the others. With ``network_id``
    the templates are looked for among that network's records first."""
    views = []
    for template_id in ids[:40]:
        try:
            views.append(template_view(result.template(template_id, network_id=network_id)))
        except Exception:
            continue
    views.sort(key=lambda t: (-t.members, -t.coverage, t.id))
    shown = views[:limit]
    shown_ids = {t.id for t in shown}
    return shown, [i for i in ids if i not in shown_ids]
