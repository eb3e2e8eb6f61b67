"""From raw bytes to a validated InputRecord, or to the one-line reason it was refused."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import ValidationError

from lantern.records import KNOWN_FIELDS, InputRecord, value_problem
from lantern.sources.files import RawItem
from lantern.terminal import printable


@dataclass(slots=True, frozen=True)
class Problem:
    """Why a record was quarantined: the field at fault (or ``record``) and a reason a person can act on."""

    field: str
    reason: str


def _first_validation_problem(error: ValidationError) -> Problem:
    detail = error.errors(include_url=False)[0]
    location = ".".join(str(part) for part in detail["loc"]) or "record"
    if detail["type"] == "missing":
        return Problem(location, "required field is missing")
    value = detail.get("input")
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return Problem(location, f"{detail['msg']} (got {type(value).__name__} {shown})")


def _csv_row_to_data(row: dict[str, str]) -> dict[str, Any]:
    """CSV cells are all text: empty optional cells mean absent, and ``images`` is a list."""
    data: dict[str, Any] = {}
    for name, value in row.items():
        if name in KNOWN_FIELDS and name not in ("id", "source") and value == "":
            continue
        data[name] = value
    images = data.get("images")
    if isinstance(images, str):
        text = images.strip()
        if text.startswith("["):
            data["images"] = orjson.loads(text)
        else:
            data["images"] = [part.strip() for part in text.split("|") if part.strip()]
    return data


def _decode_json(raw: bytes) -> Any | Problem:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as decode_error:
            return Problem("record", f"invalid UTF-8 at byte {decode_error.start}")
        return Problem("record", f"malformed JSON: {error}")


def parse_item(item: RawItem) -> InputRecord | Problem:
    """Validate one raw item; never raises for bad input."""
    if item.problem is not None:
        return Problem(*item.problem)
    if item.data is not None:  # a page or post its reader already mapped (WARC, CDR, social)
        data: Any = item.data
    elif item.fmt == "csv":
        try:
            data = _csv_row_to_data(item.row or {})
        except orjson.JSONDecodeError as error:
            return Problem("images", f"malformed JSON list: {error}")
    else:
        data = _decode_json(item.raw)
        if isinstance(data, Problem):
            return data
    if not isinstance(data, dict):
        return Problem("record", f"expected a JSON object, got {type(data).__name__}")
    bound = value_problem(data)  # before anything walks a value: validation, hashing, storing
    if bound is not None:
        return Problem(*bound)
    try:
        return InputRecord.model_validate(data)
    except ValidationError as error:
        return _first_validation_problem(error)


def format_problem(origin: str, line: int, problem: Problem) -> str:
    """The one-line error: ``file:line: field: reason``, each part from the input made printable (a file
    name or a reason cannot move the cursor, recolour the terminal or start a forged line)."""
    return (
        f"{printable(origin, 500)}:{line}: {printable(problem.field, 100)}: {printable(problem.reason, 2000)}"
    )
