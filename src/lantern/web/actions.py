"""What an investigator changes, for the pages' forms and the JSON API alike: each action runs the one
service in ``lantern.cases`` for the signed-in principal (their agency, their user id) and turns a
refusal into an HTTP error (404 for a case of another agency, 400 with the reason otherwise).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from tempfile import mkdtemp
from typing import TypeVar

from fastapi import HTTPException, Request

from lantern.cases import review, service
from lantern.evidence.bundle import export_case
from lantern.security.web import Principal
from lantern.web.links import link_cache
from lantern.web.models import RecordKey, without_nul
from lantern.web.views.networks import EXPLAIN_EXPANDED

T = TypeVar("T")

FEEDBACK_KINDS = {
    "lead": ("outcome", "trafficking"),
    "minor": ("outcome", "minor"),
    "indicator": ("indicator", None),
}
"""The API's feedback kinds as the stored (kind, target): a lead is right or wrong (trafficking outcome),
a person is or is not a minor (minor outcome), an indicator fired rightly or wrongly."""


@contextmanager
def refusals() -> Iterator[None]:
    """Service refusals as HTTP errors: an unknown case (or another agency's) is 404, the rest 400."""
    try:
        yield
    except service.CaseNotFound as error:
        raise HTTPException(404, "No such case") from error
    except service.CaseError as error:
        raise HTTPException(400, str(error)) from error


def _engine(request: Request):
    return request.app.state.engine


def _run(call: Callable[[], T]) -> T:
    with refusals():
        return call()


def record_ref(key: RecordKey | str) -> service.RecordRef:
    """A record from the API's ``{"source", "id"}`` or a form's ``source/id``."""
    if isinstance(key, RecordKey):
        return (key.source, key.id)
    source, _, record_id = without_nul(key).partition("/")
    if not source or not record_id:
        raise HTTPException(400, "a record is named source/id")
    return (source, record_id)


def _text(value: str | None) -> str | None:
    """A submitted identifier or text without NUL characters (which PostgreSQL text cannot hold)."""
    return without_nul(value) if value is not None else None


def create_case(request: Request, principal: Principal, title: str) -> int:
    return _run(
        lambda: service.create_case(
            _engine(request), agency_id=principal.agency_id, title=title, user_id=principal.user_id
        )
    )


def add_to_case(
    request: Request,
    principal: Principal,
    case_id: int,
    records: list[service.RecordRef],
    networks: list[str],
) -> service.Added:
    return _run(
        lambda: service.add_to_case(
            _engine(request),
            case_id,
            record_refs=records,
            network_ids=[without_nul(n) for n in networks],
            user_id=principal.user_id,
            agency_id=principal.agency_id,
        )
    )


def add_note(request: Request, principal: Principal, case_id: int, text: str) -> int:
    return _run(
        lambda: service.add_note(
            _engine(request), case_id, text, user_id=principal.user_id, agency_id=principal.agency_id
        )
    )


def update_case(
    request: Request, principal: Principal, case_id: int, status: str | None, assignee: str | None
) -> None:
    engine = _engine(request)
    assignee = _text(assignee)
    with refusals():
        service.get_case(engine, case_id, agency_id=principal.agency_id)  # 404 before anything changes
        if status:
            service.set_status(
                engine, case_id, status, user_id=principal.user_id, agency_id=principal.agency_id
            )
        if assignee:
            assignee_id = service.user_id_of(engine, assignee, principal.agency_id)
            service.assign(
                engine, case_id, assignee_id, user_id=principal.user_id, agency_id=principal.agency_id
            )


def set_review(
    request: Request,
    principal: Principal,
    state: str,
    *,
    record: service.RecordRef | None = None,
    network: str | None = None,
    assignee: str | None = None,
) -> dict:
    engine = _engine(request)
    assignee, network = _text(assignee), _text(network)
    with refusals():
        assignee_id = service.user_id_of(engine, assignee, principal.agency_id) if assignee else None
        return review.set_review(
            engine,
            agency_id=principal.agency_id,
            user_id=principal.user_id,
            state=state,
            record=record,
            network_id=network,
            assignee_id=assignee_id,
        )


def add_feedback(
    request: Request,
    principal: Principal,
    kind: str,
    verdict: str,
    *,
    record: service.RecordRef | None = None,
    network: str | None = None,
    indicator: str | None = None,
    case_id: int | None = None,
    note: str | None = None,
) -> int:
    if kind not in FEEDBACK_KINDS:
        raise HTTPException(400, "kind must be lead, minor or indicator")
    stored_kind, target = FEEDBACK_KINDS[kind]
    network, indicator, note = _text(network), _text(indicator), _text(note)
    return _run(
        lambda: service.add_feedback(
            _engine(request),
            case_id,
            record,
            network_id=network,
            kind=stored_kind,
            verdict=verdict,
            user_id=principal.user_id,
            agency_id=principal.agency_id,
            rule_id=indicator,
            target=target,
            note=note,
        )
    )


def export(request: Request, principal: Principal, case_id: int) -> Path:
    """Write the case's evidence bundle to a fresh temporary folder; the caller removes it after sending."""
    engine = _engine(request)
    with refusals():
        service.get_case(engine, case_id, agency_id=principal.agency_id)
        out = Path(mkdtemp(prefix="lantern-export-")) / f"case-{case_id}.zip"
        export_case(
            engine,
            case_id,
            out,
            images_dir=request.app.state.settings.images_dir,
            user_id=principal.user_id,
            agency_id=principal.agency_id,
            exported_by=principal.username,
            actor={"via": principal.via},
            explain=lambda founder, keys: link_cache(request).call(
                lambda result: result.explain_from(founder, keys, EXPLAIN_EXPANDED), {}
            ),
        )
    return out
