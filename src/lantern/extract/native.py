"""Compiled extraction: the same modules built with mypyc, used only while they match the sources.

Extraction is the CPU cost of ingest (about four fifths of reading a record) and has to keep up with
``phonenumbers.PhoneNumberMatcher`` on the same texts. mypyc compiles these type-annotated modules to C
extensions, which run the Python-level work (tokens, windows, spans, mentions) about 1.3 times faster;
the regular expressions are ``re``'s either way. Nothing changes in what is found: the compiled modules
are built from these very files, and the tests compare the two.

The build (``native.build()``, run by ``dev.py`` set-up) needs a C compiler and
mypy; without them Lantern runs the pure-Python modules, which are always there. Compiled modules live
in ``<venv>/lantern-native`` with a digest of the sources they were built from. ``activate`` puts them in
front of the package's own directory only when that digest matches the files on disk, so an edited
source is never shadowed by a stale build: it simply runs as Python until the next set-up rebuilds.
``LANTERN_PURE_PYTHON=1`` turns the compiled modules off.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

MODULES = ("ages", "contacts", "crypto", "ethnicity", "names", "normalise", "numwords", "phones", "places",
           "prices", "record", "region", "scan", "spans", "trie")  # fmt: skip
"""The modules compiled: everything on the per-record path. ``images`` (Pillow), ``config`` and this
module stay Python."""

PACKAGE_DIR = Path(__file__).resolve().parent
NATIVE_ROOT = Path(sys.prefix) / "lantern-native"
STAMP = NATIVE_ROOT / "SOURCES.sha256"
PURE_ENV = "LANTERN_PURE_PYTHON"


def sources_digest() -> str:
    """SHA-256 of the compiled modules' sources and the interpreter they were built for."""
    digest = hashlib.sha256(f"{sys.implementation.cache_tag} {sysconfig.get_platform()}".encode())
    for name in MODULES:
        digest.update(name.encode() + b"\0" + (PACKAGE_DIR / f"{name}.py").read_bytes())
    return digest.hexdigest()


def available() -> bool:
    """Whether a compiled build matching the sources is installed (and not turned off)."""
    if os.environ.get(PURE_ENV):
        return False
    try:
        return STAMP.read_text("ascii").strip() == sources_digest()
    except OSError:
        return False


def activate(package_path: list[str]) -> bool:
    """Put the compiled modules in front of ``package_path`` (``lantern.extract.__path__``) if current."""
    if not available():
        return False
    package_path.insert(0, str(NATIVE_ROOT / "lantern" / "extract"))
    if str(NATIVE_ROOT) not in sys.path:
        sys.path.append(str(NATIVE_ROOT))  # mypyc's shared runtime library is a top-level module
    return True


def is_active() -> bool:
    """Whether this process runs the compiled modules."""
    from lantern.extract import phones

    return not str(getattr(phones, "__file__", "")).endswith(".py")


def _compiler() -> str | None:
    compiler = (os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc").split()[0]
    return shutil.which(compiler)


def build() -> str:
    """Compile ``MODULES`` into ``NATIVE_ROOT`` unless a current build is there; say what happened."""
    if os.environ.get(PURE_ENV):
        return f"compiled extraction off ({PURE_ENV} is set)"
    if available():
        return "compiled extraction up to date"
    if _compiler() is None:
        return "no C compiler: extraction runs as pure Python"
    try:
        import mypyc  # noqa: F401  (build-time only)
    except ImportError:
        return "mypyc (mypy) not installed: extraction runs as pure Python"
    digest = sources_digest()
    with tempfile.TemporaryDirectory(prefix="lantern-native-") as scratch:
        work = Path(scratch)
        shutil.copytree(PACKAGE_DIR.parent, work / "lantern", ignore=shutil.ignore_patterns("__pycache__"))
        sources = [f"lantern/extract/{name}.py" for name in MODULES]
        command = [sys.executable, "-m", "mypyc", "--python-executable", sys.executable, *sources]
        done = subprocess.run(command, cwd=work, capture_output=True, text=True)
        if done.returncode != 0:
            tail = (done.stdout + done.stderr).strip().splitlines()[-5:]
            return "mypyc build failed; extraction runs as pure Python:\n  " + "\n  ".join(tail)
        staging = work / "native"
        (staging / "lantern" / "extract").mkdir(parents=True)
        suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
        for name in MODULES:
            shutil.copy2(work / "lantern" / "extract" / f"{name}{suffix}", staging / "lantern" / "extract")
        for shared in work.glob(f"*__mypyc{suffix}"):
            shutil.copy2(shared, staging)
        (staging / "SOURCES.sha256").write_text(digest + "\n", "ascii")
        shutil.rmtree(NATIVE_ROOT, ignore_errors=True)
        shutil.copytree(staging, NATIVE_ROOT)
    return f"compiled extraction built into {NATIVE_ROOT}"
