"""A production install (``requirements-runtime.lock``, no dev or Spark extra) has every package Lantern
imports: each module outside ``lantern.spark`` imports with the development-only packages blocked, and the
runtime lock pins every runtime dependency at the development lock's version."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEV_ONLY = ("pytest", "playwright", "schemathesis", "aiosmtpd", "pyspark", "mypy", "jsonschema", "ruff")

IMPORT_ALL = """
import importlib, importlib.abc, pkgutil, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {blocked!r}:
            raise ImportError(f"{{name}} is a development-only package")
sys.meta_path.insert(0, Block())
import lantern
failed = []
for module in pkgutil.walk_packages(lantern.__path__, "lantern."):
    if module.name == "lantern.__main__" or module.name.startswith(("lantern.spark", "lantern.store.migrations")):
        continue
    try:
        importlib.import_module(module.name)
    except ImportError as error:
        failed.append(f"{{module.name}}: {{error}}")
from lantern.cli import app
print("\\n".join(failed) or "ok")
"""


def test_every_module_imports_without_the_development_packages() -> None:
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL.format(blocked=DEV_ONLY)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def _pins(lock: Path) -> dict[str, str]:
    found = re.findall(r"^([A-Za-z0-9_.-]+)==([^\s\\]+)", lock.read_text(), flags=re.MULTILINE)
    return {name.lower().replace("_", "-"): version for name, version in found}


def test_the_runtime_lock_pins_every_runtime_dependency_at_the_development_version() -> None:
    runtime, development = _pins(ROOT / "requirements-runtime.lock"), _pins(ROOT / "requirements.lock")
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    for requirement in declared:
        name = re.split(r"[<>=!~\[ ;]", requirement, maxsplit=1)[0].lower().replace("_", "-")
        assert name in runtime, (
            f"{name} is declared but not in requirements-runtime.lock: run python3 dev.py lock"
        )
    assert not set(DEV_ONLY) & set(runtime)
    assert {name: development.get(name) for name in runtime} == runtime
