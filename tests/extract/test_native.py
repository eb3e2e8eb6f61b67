"""The compiled extraction modules (mypyc) find exactly what the Python sources find.

``dev.py`` set-up compiles ``lantern.extract`` when a C compiler is there; these tests run the same ads
through both builds (the pure one in a child process with ``LANTERN_PURE_PYTHON=1``) and compare every
field, span and technique.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lantern.extract import extract_text, native
from lantern.synth import generate

TEXTS = [
    "Sweet and friendly 💋 call seven one three-5five5-0l42, $150 hh, 5'4\" age 22. a s i a n",
    "Visiting Houston TX this week. Text ７１３.５５５.０１８８ or jo at example dot com; Snap: jo_22",
    "New in town, 19yo, 200 roses/hr, Cash App $jo22, bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
    "Order #7135550142 shipped 12/25/2025 at 10:30pm, zip code 77002; www.example.com/ad/7135550199",
]

PURE_RUN = """
import json, sys
from pathlib import Path
from lantern.extract import extract_record, extract_text, native
from lantern.records import InputRecord
assert not native.is_active()
texts, world = json.loads(sys.stdin.read())
out = [extract_text(t) for t in texts]
out += [extract_record(InputRecord.model_validate(json.loads(line)))
        for line in Path(world).read_text("utf-8").splitlines()]
print(json.dumps(out, sort_keys=True, default=str))
"""


@pytest.mark.skipif(
    not native.is_active(), reason="no compiled build (no C compiler, or LANTERN_PURE_PYTHON)"
)
def test_compiled_and_pure_extraction_agree(tmp_path: Path) -> None:
    from lantern.extract import extract_record
    from lantern.records import InputRecord

    generate(tmp_path / "world", 300, seed=11)
    world = tmp_path / "world" / "records.jsonl"
    compiled = [extract_text(t) for t in TEXTS]
    compiled += [
        extract_record(InputRecord.model_validate(json.loads(line)))
        for line in world.read_text("utf-8").splitlines()
    ]
    env = {**os.environ, native.PURE_ENV: "1"}
    pure = subprocess.run(
        [sys.executable, "-c", PURE_RUN],
        input=json.dumps([TEXTS, str(world)]),
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    assert json.loads(json.dumps(compiled, sort_keys=True, default=str)) == json.loads(pure)
    assert any(m["type"] == "phone" and m["obscured"] for m in compiled[0]["mentions"])


def test_a_build_from_other_sources_is_never_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An edited source must run as Python, not be shadowed by a stale compiled module."""
    stamp = tmp_path / "SOURCES.sha256"
    monkeypatch.setattr(native, "STAMP", stamp)
    monkeypatch.delenv(native.PURE_ENV, raising=False)
    stamp.write_text("0" * 64)
    path: list[str] = ["/src/lantern/extract"]
    assert native.activate(path) is False and path == ["/src/lantern/extract"]
    stamp.write_text(native.sources_digest())
    assert native.available()
    monkeypatch.setenv(native.PURE_ENV, "1")
    assert not native.available()
